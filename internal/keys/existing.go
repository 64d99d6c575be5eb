package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
)

// Writing a key file twice must change nothing the second time, and an
// existing key file is never replaced without being asked to (the command
// contract). The functions here tell a caller whether the file it is about
// to write already holds what it would write, so that it can leave it
// byte-identical and say so.

// Kind names a key as [Generate] takes it ("rsa2048", "ec256", "ed25519"),
// or "" for a key [Generate] does not make (an RSA 1024 key, P-521).
func Kind(key crypto.Signer) string {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		switch k.N.BitLen() {
		case 2048:
			return "rsa2048"
		case 3072:
			return "rsa3072"
		case 4096:
			return "rsa4096"
		}
	case *ecdsa.PrivateKey:
		switch k.Curve.Params().BitSize {
		case 256:
			return "ec256"
		case 384:
			return "ec384"
		}
	case ed25519.PrivateKey:
		return "ed25519"
	}
	return ""
}

// Holds reports whether data already is key written as opts asks. A plain
// key must be the very bytes [Encode] gives. An encrypted one cannot be
// (its salt and IV are fresh each time): it must open with opts.Password
// and be the same key in the same form.
func Holds(data []byte, key crypto.Signer, opts EncodeOptions) bool {
	if opts.Password == nil {
		want, err := Encode(key, opts)
		return err == nil && bytes.Equal(data, want)
	}
	got, ok := existing(data, opts)
	if !ok {
		return false
	}
	eq, ok := got.(interface{ Equal(crypto.PrivateKey) bool })
	return ok && eq.Equal(key)
}

// HoldsKind returns the key in data when it is a key of kind (see [Kind])
// in the form opts asks for, opened by opts.Password when encrypted: a key
// `key gen` can keep rather than replace. It returns nil otherwise.
func HoldsKind(data []byte, kind string, opts EncodeOptions) crypto.Signer {
	got, ok := existing(data, opts)
	if !ok || Kind(got) != kind {
		return nil
	}
	return got
}

// existing parses data and reports whether it is in the form opts asks for.
func existing(data []byte, opts EncodeOptions) (crypto.Signer, bool) {
	var password func() ([]byte, error)
	if opts.Password != nil {
		password = func() ([]byte, error) { return opts.Password, nil }
	}
	key, info, err := ParseInfo(data, password)
	if err != nil {
		return nil, false
	}
	f := opts.Format
	if f == "" {
		f = PKCS8
	}
	sameForm := info.Format == f && info.PEM == !opts.DER &&
		info.Encrypted == (opts.Password != nil) && !info.Legacy
	if !sameForm {
		return nil, false
	}
	if !info.Encrypted {
		// A plain key is the same only byte for byte (no text around it).
		want, err := Encode(key, opts)
		if err != nil || !bytes.Equal(data, want) {
			return nil, false
		}
	}
	return key, true
}
