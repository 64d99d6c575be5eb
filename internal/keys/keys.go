// Package keys generates, parses, converts and matches private keys.
//
// It reads RSA, ECDSA (P-224, P-256, P-384, P-521) and Ed25519 keys in every
// form openssl and the JDK tools write: PEM or DER; PKCS#1 ("RSA PRIVATE
// KEY"), SEC1 ("EC PRIVATE KEY") and PKCS#8 ("PRIVATE KEY"); plain, PKCS#8
// encrypted with PBES2 (RFC 8018: PBKDF2 with HMAC-SHA-1/224/256/384/512,
// AES-128/192/256-CBC or DES-EDE3-CBC), and the legacy OpenSSL
// "Proc-Type: 4,ENCRYPTED" PEM. A passphrase is asked for, through a
// callback, only when the key turns out to be encrypted.
//
// It writes PKCS#8, PKCS#1 and SEC1, PEM or DER, and encrypted PKCS#8 the way
// `openssl pkcs8 -topk8 -v2 aes-256-cbc` does (PBES2, PBKDF2-HMAC-SHA-256,
// AES-256-CBC).
//
// Left out: DSA, X25519/X448, Ed448, RSA-PSS-restricted keys and other key
// types (reported as [*UnsupportedError] naming the type); PBES1 and PKCS#12
// PBE ciphers, and scrypt (reported as unsupported encryption); writing the
// legacy encrypted PEM form, whose MD5-based key derivation (EVP_BytesToKey
// with one iteration) is too weak to produce today; OpenSSH and PuTTY key files.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"

	"github.com/trustctl/trustctl/internal/secret"
)

// ErrWrongPassword is returned when the passphrase does not decrypt an
// encrypted key. It is [secret.ErrWrongPassword] to errors.Is.
var ErrWrongPassword = secret.WrongPassword("wrong key password")

// ErrNeedPassword is returned when a key is encrypted and the caller gave
// no way to get a passphrase.
var ErrNeedPassword = errors.New("the key is encrypted and no key password was given")

// ErrNoKey is returned when the data holds no private key at all (for
// example a PEM file with certificates only).
var ErrNoKey = errors.New("no private key found")

// UnsupportedError reports a key type or key encryption trustctl does not
// handle. What names it, e.g. "key type DSA" or "key encryption PBES1 pbeWithMD5AndDES-CBC".
type UnsupportedError struct {
	What string
}

func (e *UnsupportedError) Error() string { return "unsupported " + e.What }

// CorruptError reports data that looks like a key of the given Form but
// does not decode.
type CorruptError struct {
	Form string // "PKCS#8", "encrypted PKCS#8", "PKCS#1", "SEC1", "PEM", "DER"
	Err  error
}

func (e *CorruptError) Error() string {
	if e.Err == nil {
		return "corrupt " + e.Form + " key"
	}
	return "corrupt " + e.Form + " key: " + e.Err.Error()
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Kinds lists the key kinds [Generate] accepts, in the order the help shows them.
var Kinds = []string{"rsa2048", "rsa3072", "rsa4096", "ec256", "ec384", "ed25519"}

// Generate returns a new private key of the given kind: rsa2048, rsa3072,
// rsa4096, ec256 (ECDSA P-256), ec384 (ECDSA P-384) or ed25519.
func Generate(kind string) (crypto.Signer, error) {
	switch strings.ToLower(kind) {
	case "rsa2048":
		return rsa.GenerateKey(rand.Reader, 2048)
	case "rsa3072":
		return rsa.GenerateKey(rand.Reader, 3072)
	case "rsa4096":
		return rsa.GenerateKey(rand.Reader, 4096)
	case "ec256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ec384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("unknown key type %q (want one of %s)", kind, strings.Join(Kinds, ", "))
}

// Matches reports whether pub is the public half of key. It compares RSA,
// ECDSA and Ed25519 keys; any other combination is false.
func Matches(key crypto.Signer, pub crypto.PublicKey) bool {
	if key == nil || pub == nil {
		return false
	}
	kp, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return false
	}
	return kp.Equal(pub)
}

// Describe names a key for people: "RSA 2048", "ECDSA P-256", "Ed25519".
func Describe(key any) string {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PrivateKey:
		return "ECDSA " + k.Curve.Params().Name
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PrivateKey, ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", key)
}

// oidNames names key algorithms and curves in errors about unsupported keys.
var oidNames = map[string]string{
	"1.2.840.10040.4.1":     "DSA",
	"1.2.840.10046.2.1":     "DH (X9.42)",
	"1.2.840.113549.1.3.1":  "DH",
	"1.2.840.113549.1.1.10": "RSA-PSS (RSASSA-PSS restricted key)",
	"1.3.101.110":           "X25519",
	"1.3.101.111":           "X448",
	"1.3.101.112":           "Ed25519",
	"1.3.101.113":           "Ed448",
	"1.2.156.10197.1.301":   "SM2",
	"1.3.132.0.10":          "EC secp256k1",
	"1.3.132.0.34":          "EC P-384",
	"1.3.36.3.3.2.8.1.1.7":  "EC brainpoolP256r1",
	"1.3.36.3.3.2.8.1.1.11": "EC brainpoolP384r1",
	"1.3.36.3.3.2.8.1.1.13": "EC brainpoolP512r1",
	"1.2.840.10045.3.1.1":   "EC P-192",
}

func oidName(oid string) string {
	if n, ok := oidNames[oid]; ok {
		return n
	}
	return oid
}
