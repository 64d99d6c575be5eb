package chain

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/trustctl/trustctl/internal/pemfile"
)

// Revocation statuses.
const (
	StatusGood    = "good"
	StatusRevoked = "revoked"
	StatusUnknown = "unknown"
	// StatusError: a CRL of the issuer was given but cannot be used (bad
	// signature, issuer not allowed to sign CRLs, malformed). The check
	// fails closed: someone handed trustctl a CRL that does not hold up.
	StatusError = "error"
)

// Revocation is one answer about whether a certificate is revoked.
type Revocation struct {
	Source    string     `json:"source"` // "crl" or "ocsp"
	Status    string     `json:"status"` // StatusGood, StatusRevoked, StatusUnknown or StatusError
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Reason    string     `json:"reason,omitempty"` // RFC 5280 §5.3.1 name, e.g. keyCompromise
	Detail    string     `json:"detail,omitempty"` // why the answer is unknown, or where it came from
}

// ErrNoCRL is returned by [ParseCRLs] for data that holds no CRL.
var ErrNoCRL = errors.New("no CRL found")

// ParseCRLs reads CRLs from PEM (blocks "X509 CRL", other blocks are
// passed over) or from one DER CRL.
func ParseCRLs(data []byte) ([]*x509.RevocationList, error) {
	if !pemfile.LooksLikePEM(data) {
		if len(data) == 0 {
			return nil, ErrNoCRL
		}
		crl, err := x509.ParseRevocationList(data)
		if err != nil {
			return nil, fmt.Errorf("%w: not a PEM file and not a DER CRL (%v)", ErrNoCRL, err)
		}
		return []*x509.RevocationList{crl}, nil
	}
	blocks, err := pemfile.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("reading PEM: %w", err)
	}
	var out []*x509.RevocationList
	for _, b := range blocks {
		if b.Type != "X509 CRL" && b.Type != "CRL" {
			continue
		}
		crl, err := x509.ParseRevocationList(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parsing the CRL at line %d: %w", b.Line, err)
		}
		out = append(out, crl)
	}
	if len(out) == 0 {
		return nil, ErrNoCRL
	}
	return out, nil
}
