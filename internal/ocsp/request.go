package ocsp

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// NonceSize is the length of the nonces [Check] sends. RFC 8954 section
// 2.1 fixes 1 to 32 octets and recommends 32.
const NonceSize = 32

// The request structures of RFC 6960 section 4.1.1. golang.org/x/crypto/ocsp
// writes requests without extensions, so it cannot carry a nonce; these add
// requestExtensions and otherwise encode what ocsp.CreateRequest encodes.
type clientSingleRequest struct {
	Cert certID
}

type clientTBSRequest struct {
	Version     int `asn1:"explicit,tag:0,default:0,optional"`
	RequestList []clientSingleRequest
	Extensions  []pkix.Extension `asn1:"explicit,tag:2,optional"`
}

type clientRequest struct {
	TBSRequest clientTBSRequest
}

// ErrUnsupportedHash is returned for a CertID hash other than SHA-1,
// SHA-256, SHA-384 and SHA-512.
var ErrUnsupportedHash = errors.New("unsupported OCSP certificate ID hash")

// clientIssuerHashes returns the CertID hashes of issuer: the hash of its DER
// subject and of its public key's BIT STRING contents, without tag and
// length (RFC 6960 section 4.1.1).
func clientIssuerHashes(issuer *x509.Certificate, h crypto.Hash) (nameHash, keyHash []byte, err error) {
	if _, ok := hashOIDs[h]; !ok || !h.Available() {
		return nil, nil, fmt.Errorf("%w: %v", ErrUnsupportedHash, h)
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(issuer.RawSubjectPublicKeyInfo, &spki); err != nil || len(rest) != 0 {
		return nil, nil, fmt.Errorf("%w: issuer public key does not parse", ErrMalformed)
	}
	w := h.New()
	w.Write(issuer.RawSubject)
	nameHash = w.Sum(nil)
	w.Reset()
	w.Write(spki.PublicKey.RightAlign())
	keyHash = w.Sum(nil)
	return nameHash, keyHash, nil
}

// NewNonce returns [NonceSize] random bytes for [NewRequest].
func NewNonce() ([]byte, error) {
	n := make([]byte, NonceSize)
	if _, err := rand.Read(n); err != nil {
		return nil, fmt.Errorf("making an OCSP nonce: %w", err)
	}
	return n, nil
}

// NewRequest returns a DER OCSP request for the status of cert, issued by
// issuer, with the certificate ID hashed with SHA-1 — the hash RFC 5019
// section 2.1.1 requires and every responder understands. A non-empty nonce
// is sent as the id-pkix-ocsp-nonce extension (RFC 8954); nil sends none.
func NewRequest(cert, issuer *x509.Certificate, nonce []byte) ([]byte, error) {
	return newRequest(cert, issuer, nonce, crypto.SHA1)
}

func newRequest(cert, issuer *x509.Certificate, nonce []byte, h crypto.Hash) ([]byte, error) {
	if cert == nil || issuer == nil {
		return nil, errors.New("ocsp request: certificate and issuer are required")
	}
	if len(nonce) > NonceSize {
		return nil, fmt.Errorf("ocsp request: nonce of %d bytes, at most %d allowed (RFC 8954)", len(nonce), NonceSize)
	}
	nameHash, keyHash, err := clientIssuerHashes(issuer, h)
	if err != nil {
		return nil, err
	}
	req := clientRequest{TBSRequest: clientTBSRequest{
		RequestList: []clientSingleRequest{{Cert: certID{
			HashAlgorithm:  pkix.AlgorithmIdentifier{Algorithm: hashOIDs[h], Parameters: asn1.NullRawValue},
			IssuerNameHash: nameHash,
			IssuerKeyHash:  keyHash,
			SerialNumber:   cert.SerialNumber,
		}}},
	}}
	if len(nonce) > 0 {
		// The extension value is an OCTET STRING holding the nonce as an
		// OCTET STRING (RFC 8954 section 2.1), the form OpenSSL sends.
		val, err := asn1.Marshal(nonce)
		if err != nil {
			return nil, fmt.Errorf("ocsp request: %w", err)
		}
		req.TBSRequest.Extensions = []pkix.Extension{{Id: oidNonce, Value: val}}
	}
	der, err := asn1.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("ocsp request: %w", err)
	}
	return der, nil
}

// RequestNonce returns the id-pkix-ocsp-nonce of a DER OCSP request, or nil
// when it has none or does not parse. A responder echoes it in its response
// (RFC 8954 section 2.1); golang.org/x/crypto/ocsp's ParseRequest drops
// request extensions, so it cannot tell.
func RequestNonce(der []byte) []byte {
	var req clientRequest
	if _, err := asn1.Unmarshal(der, &req); err != nil {
		return nil
	}
	for _, e := range req.TBSRequest.Extensions {
		if e.Id.Equal(oidNonce) {
			var n []byte
			if _, err := asn1.Unmarshal(e.Value, &n); err == nil {
				return n
			}
			return e.Value
		}
	}
	return nil
}
