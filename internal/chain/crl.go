package chain

import (
	"crypto/x509"
	"encoding/asn1"
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
// usage, RFC 5280 §4.2.1.3 and §6.3.3 (f)), and when it is well formed:
// a CRL number that is present and not critical (§5.2.3), no critical
// extension trustctl does not process (§5.2). A CRL of the issuer that
// fails those is a StatusError answer. A serial listed on a usable CRL is
// revoked. Not listed, the answer is good only from a CRL current at the
// time (thisUpdate ≤ at ≤ nextUpdate, §5.1.2.4-5); a stale CRL gives
// unknown. CheckCRL returns nil when none of the CRLs names issuer.
//
// The issuing distribution point extension (§5.2.5) is accepted but its
// scope is not checked: trustctl assumes a CRL given for an issuer covers
// all its certificates. Delta CRLs (§5.2.4) are refused as unprocessed.
func CheckCRL(cert, issuer *x509.Certificate, crls []*x509.RevocationList, at time.Time) *Revocation {
	var unknown, bad, good *Revocation
	for _, crl := range crls {
		if string(crl.RawIssuer) != string(issuer.RawSubject) {
			continue
		}
		if err := crl.CheckSignatureFrom(issuer); err != nil {
			bad = &Revocation{Source: "crl", Status: StatusError,
				Detail: fmt.Sprintf("a CRL naming %s as issuer cannot be used: %v", Name(issuer), err)}
			continue
		}
		if msg := crlMalformed(crl); msg != "" {
			bad = &Revocation{Source: "crl", Status: StatusError,
				Detail: fmt.Sprintf("the CRL of %s cannot be used: %s", Name(issuer), msg)}
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
		case !crl.NextUpdate.IsZero() && at.After(crl.NextUpdate):
			unknown = &Revocation{Source: "crl", Status: StatusUnknown,
				Detail: fmt.Sprintf("the CRL of %s is stale: its nextUpdate was %s", Name(issuer), stamp(crl.NextUpdate))}
		default:
			good = &Revocation{Source: "crl", Status: StatusGood, Detail: "not on the CRL of " + Name(issuer) + " issued " + day(crl.ThisUpdate)}
		}
	}
	switch {
	case bad != nil:
		return bad
	case good != nil:
		return good
	}
	return unknown
}

// CRL extensions (RFC 5280 §5.2).
var (
	oidCRLNumber      = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidDeltaCRL       = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidIssuingDP      = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidIssuerAltName  = asn1.ObjectIdentifier{2, 5, 29, 18}
)

// crlMalformed says what makes a CRL unusable, or "".
func crlMalformed(crl *x509.RevocationList) string {
	hasNumber := false
	for _, e := range crl.Extensions {
		switch {
		case e.Id.Equal(oidCRLNumber):
			hasNumber = true
			if e.Critical {
				return "its CRL number extension is marked critical (RFC 5280 §5.2.3 says it must not be)"
			}
		case e.Id.Equal(oidDeltaCRL):
			return "it is a delta CRL, which trustctl does not process"
		case e.Id.Equal(oidIssuingDP), e.Id.Equal(oidAuthorityKeyID), e.Id.Equal(oidIssuerAltName):
		default:
			if e.Critical {
				return "it has a critical extension trustctl does not process (" + e.Id.String() + ")"
			}
		}
	}
	if !hasNumber {
		return "it has no CRL number (RFC 5280 §5.2.3 requires one)"
	}
	return ""
}
