package source

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/pemfile"
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

// Sniff tells what data is from its content: magic numbers for JKS
// (FEEDFEED) and JCEKS (CECECECE), PEM markers, and the ASN.1 shape of DER
// (a PKCS#12 PFX is a SEQUENCE starting with INTEGER 3; a certificate has
// the shape RFC 5280 section 4.1 gives it; CRLs, CSRs and keys are told
// apart by parsing).
func Sniff(data []byte) Kind {
	switch {
	case len(data) >= 4 && bytes.Equal(data[:4], []byte{0xfe, 0xed, 0xfe, 0xed}):
		return JKS
	case len(data) >= 4 && bytes.Equal(data[:4], []byte{0xce, 0xce, 0xce, 0xce}):
		return JCEKS
	case pemfile.LooksLikePEM(data):
		return PEM
	case len(data) < 2 || data[0] != 0x30:
		return Unknown
	}
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		Rest     asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(data, &pfx); err == nil && pfx.Version == 3 {
		return PKCS12
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
