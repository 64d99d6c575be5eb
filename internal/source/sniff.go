package source

import (
	"crypto/x509"
	"errors"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/store"
)

// Kind is what [Sniff] recognised.
type Kind int

// The kinds of content trustctl reads.
const (
	Unknown Kind = iota
	PEM
	DERCert
	DERCRL
	DERCSR
	DERKey
	JKS
	JCEKS
	PKCS12
)

func (k Kind) String() string {
	return [...]string{"unknown", "PEM", "DER certificate", "DER CRL", "DER CSR", "DER private key", "JKS", "JCEKS", "PKCS#12"}[k]
}

// Sniff tells what data is from its content. Stores (JKS, JCEKS, PKCS#12)
// and PEM are told by [store.Detect], so that a file read as a source and
// opened as a store is taken for the same thing, a damaged PKCS#12 file
// included. Other DER is told by its ASN.1 shape: a certificate has the
// shape RFC 5280 section 4.1 gives it; CRLs, CSRs and keys are told apart
// by parsing.
func Sniff(data []byte) Kind {
	switch store.Detect(data) {
	case store.FormatJKS:
		return JKS
	case store.FormatJCEKS:
		return JCEKS
	case store.FormatPEM:
		return PEM
	case store.FormatPKCS12:
		return PKCS12
	}
	if len(data) < 2 || data[0] != 0x30 {
		return Unknown
	}
	// A certificate is told by its ASN.1 shape, not by whether
	// crypto/x509 accepts it: a DER file only a lenient reading reads is
	// recognised as its PEM twin is.
	if certs.Readable(data) {
		return DERCert
	}
	if _, err := x509.ParseRevocationList(data); err == nil {
		return DERCRL
	}
	if _, err := x509.ParseCertificateRequest(data); err == nil {
		return DERCSR
	}
	if _, err := keys.Parse(data, nil); err == nil || errors.Is(err, keys.ErrNeedPassword) {
		return DERKey
	}
	return Unknown
}
