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
)

// Revocation is one answer about whether a certificate is revoked.
type Revocation struct {
	Source    string     `json:"source"` // "crl" or "ocsp"
	Status    string     `json:"status"` // StatusGood, StatusRevoked or StatusUnknown
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

// reasonNames are the CRLReason values of RFC 5280 §5.3.1 (7 is unused).
var reasonNames = map[int]string{
	0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged",
	4: "superseded", 5: "cessationOfOperation", 6: "certificateHold",
	8: "removeFromCRL", 9: "privilegeWithdrawn", 10: "aACompromise",
}

// ReasonName returns the RFC 5280 name of a CRL or OCSP revocation reason.
func ReasonName(code int) string {
	if n, ok := reasonNames[code]; ok {
		return n
	}
	return fmt.Sprintf("reason %d", code)
}

// CheckCRL looks for cert in the CRLs issued by issuer, as of at. A CRL
// counts only when issuer's key verifies its signature and issuer may
// sign CRLs (crypto/x509 checks basic constraints and the cRLSign key
// usage, RFC 5280 §4.2.1.3). A serial listed on such a CRL is revoked.
// Not listed, the answer is good only from a CRL current at the time
// (thisUpdate ≤ at ≤ nextUpdate, RFC 5280 §5.1.2.4-5); a stale CRL gives
// unknown. CheckCRL returns nil when none of the CRLs names issuer.
func CheckCRL(cert, issuer *x509.Certificate, crls []*x509.RevocationList, at time.Time) *Revocation {
	var unknown *Revocation
	for _, crl := range crls {
		if string(crl.RawIssuer) != string(issuer.RawSubject) {
			continue
		}
		if err := crl.CheckSignatureFrom(issuer); err != nil {
			unknown = &Revocation{Source: "crl", Status: StatusUnknown,
				Detail: fmt.Sprintf("a CRL naming %s as issuer is not signed by its key: %v", Name(issuer), err)}
			continue
		}
		for _, e := range crl.RevokedCertificateEntries {
			if e.SerialNumber != nil && cert.SerialNumber != nil && e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
				t := e.RevocationTime
				if at.Before(t) {
					// Revoked after the time asked about: it was good then.
					continue
				}
				return &Revocation{Source: "crl", Status: StatusRevoked, RevokedAt: &t,
					Reason: ReasonName(e.ReasonCode), Detail: "listed on the CRL of " + Name(issuer) + " issued " + day(crl.ThisUpdate)}
			}
		}
		switch {
		case at.Before(crl.ThisUpdate):
			unknown = &Revocation{Source: "crl", Status: StatusUnknown,
				Detail: fmt.Sprintf("the CRL of %s is not valid before %s (thisUpdate)", Name(issuer), stamp(crl.ThisUpdate))}
			continue
		case !crl.NextUpdate.IsZero() && at.After(crl.NextUpdate):
			unknown = &Revocation{Source: "crl", Status: StatusUnknown,
				Detail: fmt.Sprintf("the CRL of %s is stale: its nextUpdate was %s", Name(issuer), stamp(crl.NextUpdate))}
			continue
		}
		return &Revocation{Source: "crl", Status: StatusGood, Detail: "not on the CRL of " + Name(issuer) + " issued " + day(crl.ThisUpdate)}
	}
	return unknown
}
