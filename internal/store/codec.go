package store

import (
	"errors"
	"fmt"
)

// ErrWrongPassword is returned when a store's password does not open it
// (a JKS digest or PKCS#12 MAC that does not match). The codecs' own
// sentinels are translated to it.
var ErrWrongPassword = errors.New("wrong store password")

// ErrWrongKeyPassword is returned when a key entry's password does not
// decrypt it.
var ErrWrongKeyPassword = errors.New("wrong key password")

// DecodeOptions carries what decoding may need.
type DecodeOptions struct {
	// Password is the store password. With HavePassword false, a JKS
	// store is read without checking its integrity and a PKCS#12 store
	// is tried as password-less, then with the empty password.
	Password     []byte
	HavePassword bool
	// KeyPassword returns the password of a key entry when it is not the
	// store password (nil: the store password only).
	KeyPassword func(alias string) []byte
	// ParseKey turns a PEM private key block into PKCS#8 DER and its
	// public key (used for PEM bundles).
	ParseKey func(pemBlock []byte, typ string) (pkcs8 []byte, pub any, err error)
}

// Decode reads a store of a known format.
func Decode(data []byte, f Format, opts DecodeOptions) (*Store, error) {
	switch f {
	case FormatJKS, FormatJCEKS:
		return decodeJKS(data, opts)
	case FormatPKCS12:
		return decodeP12(data, opts)
	case FormatPEM:
		return decodePEM(data, opts.ParseKey)
	}
	return nil, fmt.Errorf("unknown store format")
}

// EncodeOptions carries what encoding may need.
type EncodeOptions struct {
	Password []byte
	// KeyPassword gives a JKS key entry's password; nil or a nil result
	// means the entry's own KeyPassword, else the store password.
	KeyPassword func(alias string) []byte
}

// Encode writes the store in its format (a JCEKS store is written as JKS:
// JCEKS is read-only). Entries are written sorted by alias.
func (s *Store) Encode(opts EncodeOptions) ([]byte, error) {
	s.Sort()
	switch s.Format {
	case FormatJKS, FormatJCEKS:
		return encodeJKS(s, opts)
	case FormatPKCS12:
		return encodeP12(s, opts)
	case FormatPEM:
		return encodePEM(s)
	}
	return nil, fmt.Errorf("unknown store format")
}
