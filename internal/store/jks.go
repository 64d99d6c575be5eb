package store

import "errors"

func decodeJKS(data []byte, opts DecodeOptions) (*Store, error) {
	return nil, errors.New("JKS support is not in this build")
}

func encodeJKS(s *Store, opts EncodeOptions) ([]byte, error) {
	return nil, errors.New("JKS support is not in this build")
}
