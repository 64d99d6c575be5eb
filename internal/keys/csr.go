package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"slices"

	"github.com/trustctl/trustctl/internal/dn"
	"github.com/trustctl/trustctl/internal/pemfile"
)

// CSR says what a certificate signing request asks for: the subject, as
// DER (its attribute order is the one written), and the subject
// alternative names.
type CSR struct {
	RawSubject []byte
	SANs       dn.SANs
}

// CreateCSR returns a PKCS#10 request (PEM) for key, signed with it, and
// the signature algorithm used (see [CSRSignatureAlgorithm]).
func CreateCSR(key crypto.Signer, req CSR) ([]byte, x509.SignatureAlgorithm, error) {
	alg := CSRSignatureAlgorithm(key)
	tmpl := &x509.CertificateRequest{
		RawSubject:         req.RawSubject,
		SignatureAlgorithm: alg,
		DNSNames:           req.SANs.DNS,
		IPAddresses:        req.SANs.IPs,
		EmailAddresses:     req.SANs.Emails,
		URIs:               req.SANs.URIs,
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return nil, alg, fmt.Errorf("signing the CSR with the %s key: %w", Describe(key), err)
	}
	return pemfile.Encode("CERTIFICATE REQUEST", der), alg, nil
}

// HoldsCSR reports whether data is already a PEM request [CreateCSR] would
// make for key and req: the same subject, names, public key and signature
// algorithm, validly signed. (ECDSA signatures differ on every run, so the
// bytes cannot be compared.)
func HoldsCSR(data []byte, key crypto.Signer, req CSR) bool {
	blocks, _ := pemfile.Decode(data)
	if len(blocks) != 1 || blocks[0].Type != "CERTIFICATE REQUEST" {
		return false
	}
	got, err := x509.ParseCertificateRequest(blocks[0].Bytes)
	if err != nil || got.CheckSignature() != nil {
		return false
	}
	sameIPs := len(got.IPAddresses) == len(req.SANs.IPs)
	for i := 0; sameIPs && i < len(got.IPAddresses); i++ {
		sameIPs = got.IPAddresses[i].Equal(req.SANs.IPs[i])
	}
	sameURIs := len(got.URIs) == len(req.SANs.URIs)
	for i := 0; sameURIs && i < len(got.URIs); i++ {
		sameURIs = got.URIs[i].String() == req.SANs.URIs[i].String()
	}
	return bytes.Equal(got.RawSubject, req.RawSubject) &&
		slices.Equal(got.DNSNames, req.SANs.DNS) &&
		slices.Equal(got.EmailAddresses, req.SANs.Emails) &&
		sameIPs && sameURIs &&
		got.SignatureAlgorithm == CSRSignatureAlgorithm(key) &&
		Matches(key, got.PublicKey)
}

// CSRSignatureAlgorithm picks the hash to match the key's strength, as
// RFC 5480 section 4 and CA/B Forum BR 7.1.3.2 pair them: P-256 with
// SHA-256, P-384 with SHA-384, P-521 with SHA-512; RSA with SHA-256
// (PKCS#1 v1.5, what every CA accepts); Ed25519 signs the message itself
// (RFC 8410).
func CSRSignatureAlgorithm(key crypto.Signer) x509.SignatureAlgorithm {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return x509.SHA256WithRSA
	case *ecdsa.PrivateKey:
		switch k.Curve.Params().BitSize {
		case 384:
			return x509.ECDSAWithSHA384
		case 521:
			return x509.ECDSAWithSHA512
		}
		return x509.ECDSAWithSHA256
	case ed25519.PrivateKey:
		return x509.PureEd25519
	}
	return x509.UnknownSignatureAlgorithm
}
