package ca

import (
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"

	"github.com/trustctl/trustctl/internal/keys"
)

// DefaultKeyType is the CA key type when none is asked for: ECDSA P-256 is
// fast, small, and accepted by OpenSSL, every JDK since 7 and browsers.
// Pick rsa3072 for clients that know only RSA.
const DefaultKeyType = "ec256"

// keyMatches reports whether pub is the public half of key.
func keyMatches(key crypto.Signer, pub crypto.PublicKey) bool { return keys.Matches(key, pub) }

// subjectKeyID is the SHA-1 of the subjectPublicKey bits, RFC 5280 section
// 4.2.1.2 method (1), as OpenSSL computes it.
func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, err
	}
	sum := sha1.Sum(info.Key.Bytes)
	return sum[:], nil
}
