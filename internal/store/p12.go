package store

import "errors"

func decodeP12(data []byte, opts DecodeOptions) (*Store, error) {
	return nil, errors.New("PKCS#12 support is not in this build")
}

func encodeP12(s *Store, opts EncodeOptions) ([]byte, error) {
	return nil, errors.New("PKCS#12 support is not in this build")
}
