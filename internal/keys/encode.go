package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/trustctl/trustctl/internal/pemfile"
)

// Format is an encoding of a private key.
type Format string

// The key encodings trustctl reads and writes.
const (
	PKCS8 Format = "pkcs8" // RFC 5208/5958 PrivateKeyInfo, any key type
	PKCS1 Format = "pkcs1" // RFC 8017 RSAPrivateKey, RSA only
	SEC1  Format = "sec1"  // RFC 5915 ECPrivateKey, ECDSA only
)

// ParseFormat reads "pkcs8", "pkcs1" or "sec1".
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case PKCS8, PKCS1, SEC1:
		return f, nil
	}
	return "", fmt.Errorf("unknown key format %q (want pkcs8, pkcs1 or sec1)", s)
}

// ErrEncryptedLegacy is returned by [Encode] when a PKCS#1 or SEC1 key is to
// be encrypted: only PKCS#8 carries a modern encryption (PBES2); the legacy
// Proc-Type PEM encryption derives its key with one round of MD5 and is not
// written.
var ErrEncryptedLegacy = errors.New("only PKCS#8 keys can be encrypted (PKCS#1 and SEC1 have only the weak legacy PEM encryption)")

// FormatError reports a key that cannot be written in the asked format,
// such as an EC key as PKCS#1.
type FormatError struct {
	Format Format
	Key    string // as [Describe] names it
}

func (e *FormatError) Error() string {
	switch e.Format {
	case PKCS1:
		return fmt.Sprintf("PKCS#1 holds RSA keys only, this is an %s key", e.Key)
	case SEC1:
		return fmt.Sprintf("SEC1 holds EC keys only, this is an %s key", e.Key)
	}
	return fmt.Sprintf("cannot write an %s key as %s", e.Key, e.Format)
}

// EncodeOptions says how [Encode] writes a key.
type EncodeOptions struct {
	Format   Format // PKCS8 when empty
	DER      bool   // DER instead of PEM
	Password []byte // nil: not encrypted; otherwise PKCS#8 PBES2 AES-256-CBC (PKCS8 only)
}

// Encode writes key in the asked form. Errors: [*FormatError] for a key the
// format cannot hold, [ErrEncryptedLegacy] for an encrypted PKCS#1 or SEC1.
func Encode(key crypto.Signer, opts EncodeOptions) ([]byte, error) {
	f := opts.Format
	if f == "" {
		f = PKCS8
	}
	var (
		der []byte
		typ string
		err error
	)
	switch f {
	case PKCS8:
		der, err = x509.MarshalPKCS8PrivateKey(key)
		typ = typePKCS8
		if err == nil && opts.Password != nil {
			der, err = encryptPKCS8(der, opts.Password)
			typ = typeEncPKCS8
		}
	case PKCS1, SEC1:
		if opts.Password != nil {
			return nil, ErrEncryptedLegacy
		}
		switch k := key.(type) {
		case *rsa.PrivateKey:
			if f != PKCS1 {
				return nil, &FormatError{Format: f, Key: Describe(key)}
			}
			der, typ = x509.MarshalPKCS1PrivateKey(k), typePKCS1
		case *ecdsa.PrivateKey:
			if f != SEC1 {
				return nil, &FormatError{Format: f, Key: Describe(key)}
			}
			der, err = x509.MarshalECPrivateKey(k)
			typ = typeSEC1
		default:
			return nil, &FormatError{Format: f, Key: Describe(key)}
		}
	default:
		return nil, fmt.Errorf("unknown key format %q", f)
	}
	if err != nil {
		return nil, fmt.Errorf("encoding %s key: %w", Describe(key), err)
	}
	if opts.DER {
		return der, nil
	}
	return pemfile.Encode(typ, der), nil
}

// MarshalPKCS8PEM returns key as PKCS#8 PEM: "PRIVATE KEY" when password is
// nil, otherwise "ENCRYPTED PRIVATE KEY" (PBES2, PBKDF2-HMAC-SHA-256,
// AES-256-CBC). A non-nil empty password encrypts with the empty passphrase.
func MarshalPKCS8PEM(key crypto.Signer, password []byte) ([]byte, error) {
	return Encode(key, EncodeOptions{Format: PKCS8, Password: password})
}
