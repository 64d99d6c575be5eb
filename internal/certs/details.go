package certs

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/dn"
	"github.com/trustctl/trustctl/internal/keys"
)

// Details is everything trustctl tells about a certificate, with the field
// names of its --json output. A pointer field is nil (JSON null) when the
// value could not be read; it never holds a guess.
type Details struct {
	Version     int        `json:"version,omitempty"`
	Subject     *string    `json:"subject"`
	Issuer      *string    `json:"issuer"`
	Serial      *string    `json:"serial"`
	NotBefore   *time.Time `json:"not_before"`
	NotAfter    *time.Time `json:"not_after"`
	DaysLeft    *int       `json:"days_left"`
	Key         *string    `json:"key"`
	IsCA        *bool      `json:"is_ca"`
	SelfSigned  *bool      `json:"self_signed"`
	PathLen     *int       `json:"path_len,omitempty"`
	DNSNames    []string   `json:"dns_names,omitempty"`
	IPs         []string   `json:"ip_addresses,omitempty"`
	Emails      []string   `json:"email_addresses,omitempty"`
	URIs        []string   `json:"uris,omitempty"`
	KeyUsage    []string   `json:"key_usage,omitempty"`
	ExtKeyUsage []string   `json:"ext_key_usage,omitempty"`
	SKI         string     `json:"subject_key_id,omitempty"`
	AKI         string     `json:"authority_key_id,omitempty"`
	OCSP        []string   `json:"ocsp_servers,omitempty"`
	CRLs        []string   `json:"crl_distribution_points,omitempty"`
	Signature   string     `json:"signature_algorithm,omitempty"`
	// InnerSignature is the signature algorithm written inside the signed
	// part when it differs from the outer one.
	InnerSignature string `json:"inner_signature_algorithm,omitempty"`
	SHA1           string `json:"sha1"`
	SHA256         string `json:"sha256"`
	// ParseError says why crypto/x509 refused the certificate; Unreadable
	// names what could not be read of it at all.
	ParseError string   `json:"parse_error,omitempty"`
	Unreadable []string `json:"unreadable,omitempty"`
}

// Details describes c as of now (for DaysLeft).
func (c *Cert) Details(now time.Time) Details {
	d := Details{
		Version:        c.Version(),
		Signature:      c.SignatureAlgorithm(),
		InnerSignature: c.InnerSignatureAlgorithm(),
		SHA1:           c.SHA1Hex(),
		SHA256:         c.SHA256Hex(),
		ParseError:     c.Refusal(),
	}
	unknown := func(what string) { d.Unreadable = append(d.Unreadable, what) }
	if s, ok := c.SubjectDN(); ok {
		d.Subject = &s
	} else {
		unknown("subject")
	}
	if s, ok := c.IssuerDN(); ok {
		d.Issuer = &s
	} else {
		unknown("issuer")
	}
	if n := c.Serial(); n != nil {
		s := SerialHex(n)
		d.Serial = &s
	} else {
		unknown("serial number")
	}
	if t := c.NotBefore(); !t.IsZero() {
		t = t.UTC()
		d.NotBefore = &t
	} else {
		unknown("notBefore")
	}
	if t := c.NotAfter(); !t.IsZero() {
		t = t.UTC()
		d.NotAfter = &t
		n := DaysLeft(t, now)
		d.DaysLeft = &n
	} else {
		unknown("notAfter")
	}
	if k := c.KeyDescription(); k != "" {
		d.Key = &k
	} else {
		unknown("public key")
	}
	if isCA, known := c.CA(); known {
		d.IsCA = &isCA
		if n, ok := c.MaxPathLen(); ok && isCA {
			d.PathLen = &n
		}
	} else if c.read == nil || !c.read.extsBroken && findExtension(c.read.exts, oidBC) == nil {
		// Otherwise the extension that hides it is named below.
		unknown("CA flag")
	}
	if self, known := c.SelfSignedKnown(); known {
		d.SelfSigned = &self
	}
	e := c.Extensions()
	d.DNSNames, d.IPs, d.Emails, d.URIs = e.DNSNames, e.IPAddresses, e.Emails, e.URIs
	d.KeyUsage, d.ExtKeyUsage = e.KeyUsage, e.ExtKeyUsage
	d.OCSP, d.CRLs = e.OCSPServers, e.CRLDistributionPoints
	if len(e.SubjectKeyID) > 0 {
		d.SKI = Fingerprint(e.SubjectKeyID)
	}
	if len(e.AuthorityKeyID) > 0 {
		d.AKI = Fingerprint(e.AuthorityKeyID)
	}
	d.Unreadable = append(d.Unreadable, e.Unreadable...)
	return d
}

// DaysLeft is the number of whole days from now until t (negative once t
// has passed).
func DaysLeft(t, now time.Time) int {
	d := t.Sub(now)
	days := int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		days--
	}
	return days
}

// CSRDetails is what trustctl tells about a certificate signing request
// (RFC 2986), with the field names of its --json output.
type CSRDetails struct {
	Subject            string      `json:"subject"`
	Key                string      `json:"key"`
	DNSNames           []string    `json:"dns_names,omitempty"`
	IPs                []string    `json:"ip_addresses,omitempty"`
	Emails             []string    `json:"email_addresses,omitempty"`
	URIs               []string    `json:"uris,omitempty"`
	RequestedExtension []Extension `json:"requested_extensions,omitempty"`
	Signature          string      `json:"signature_algorithm"`
	// SignatureValid is true when the request is signed by the key it
	// holds (proof that the requester has the private key).
	SignatureValid bool `json:"signature_valid"`
	// SHA1 is what a CA's operator and the requester compare (by phone,
	// in person) before the request is signed, as IRIS's CA pages show it.
	SHA1   string `json:"sha1"`
	SHA256 string `json:"sha256"`
}

// Extension is one extension described for people: its name as OpenSSL
// writes it (or its OID), whether it is critical, and its value in words.
type Extension struct {
	Name     string `json:"name"`
	Critical bool   `json:"critical,omitempty"`
	Value    string `json:"value"`
}

// DescribeCSR describes a request crypto/x509 parsed.
func DescribeCSR(csr *x509.CertificateRequest) CSRDetails {
	d := CSRDetails{
		Subject:        dnOrUnknown(csr.RawSubject),
		Key:            keys.Describe(csr.PublicKey),
		DNSNames:       csr.DNSNames,
		Emails:         csr.EmailAddresses,
		Signature:      csr.SignatureAlgorithm.String(),
		SignatureValid: csr.CheckSignature() == nil,
		SHA1:           sha1Hex(csr.Raw),
		SHA256:         sha256Hex(csr.Raw),
	}
	for _, ip := range csr.IPAddresses {
		d.IPs = append(d.IPs, ip.String())
	}
	for _, u := range csr.URIs {
		d.URIs = append(d.URIs, u.String())
	}
	for _, e := range csr.Extensions {
		d.RequestedExtension = append(d.RequestedExtension, DescribeExtension(e))
	}
	return d
}

// DescribeExtension says what an extension holds, in the words OpenSSL's
// -text output uses where it can ("CA:TRUE, pathlen:0", "DNS:a.example,
// IP:10.0.0.5"); an extension it does not read is given as hex.
func DescribeExtension(x pkix.Extension) Extension {
	out := Extension{Name: extensionName(x.Id), Critical: x.Critical}
	if x.Id.Equal(oidBC) {
		isCA, pathLen, ok := readBasicConstraints(x.Value)
		switch {
		case !ok:
			out.Value = "(unreadable)"
		case pathLen >= 0:
			out.Value = fmt.Sprintf("CA:%s, pathlen:%d", strings.ToUpper(fmt.Sprint(isCA)), pathLen)
		default:
			out.Value = "CA:" + strings.ToUpper(fmt.Sprint(isCA))
		}
		return out
	}
	e := readExtensionValues(&fields{exts: []pkix.Extension{x}})
	var parts []string
	add := func(prefix string, vs []string) {
		for _, v := range vs {
			parts = append(parts, prefix+v)
		}
	}
	add("DNS:", e.DNSNames)
	add("IP:", e.IPAddresses)
	add("email:", e.Emails)
	add("URI:", e.URIs)
	add("", e.KeyUsage)
	add("", e.ExtKeyUsage)
	add("OCSP:", e.OCSPServers)
	add("", e.CRLDistributionPoints)
	if len(e.SubjectKeyID) > 0 {
		parts = append(parts, Fingerprint(e.SubjectKeyID))
	}
	if len(e.AuthorityKeyID) > 0 {
		parts = append(parts, "keyid:"+Fingerprint(e.AuthorityKeyID))
	}
	switch {
	case len(e.Unreadable) > 0:
		out.Value = "(unreadable)"
	case len(parts) > 0:
		out.Value = strings.Join(parts, ", ")
	default:
		out.Value = Fingerprint(x.Value)
	}
	return out
}

// CRLDetails is what trustctl tells about a certificate revocation list
// (RFC 5280 section 5), with the field names of its --json output.
type CRLDetails struct {
	Issuer     string     `json:"issuer"`
	ThisUpdate time.Time  `json:"this_update"`
	NextUpdate *time.Time `json:"next_update"` // nil when the CRL has none
	// Number is the cRLNumber as openssl prints serials; nil when absent.
	Number    *string   `json:"crl_number"`
	AKI       string    `json:"authority_key_id,omitempty"`
	Signature string    `json:"signature_algorithm"`
	Revoked   []Revoked `json:"revoked"`
	SHA256    string    `json:"sha256"`
}

// Revoked is one entry of a CRL.
type Revoked struct {
	Serial    string    `json:"serial"`
	RevokedAt time.Time `json:"revoked_at"`
	// Reason is the RFC 5280 section 5.3.1 name, "" when the entry gives none.
	Reason string `json:"reason,omitempty"`
}

// DescribeCRL describes a CRL crypto/x509 parsed.
func DescribeCRL(crl *x509.RevocationList) CRLDetails {
	d := CRLDetails{
		Issuer:     dnOrUnknown(crl.RawIssuer),
		ThisUpdate: crl.ThisUpdate.UTC(),
		Signature:  crl.SignatureAlgorithm.String(),
		Revoked:    []Revoked{},
		SHA256:     sha256Hex(crl.Raw),
	}
	if !crl.NextUpdate.IsZero() {
		t := crl.NextUpdate.UTC()
		d.NextUpdate = &t
	}
	if findExtension(crl.Extensions, oidCRLNumber) != nil && crl.Number != nil {
		s := SerialHex(crl.Number)
		d.Number = &s
	}
	if len(crl.AuthorityKeyId) > 0 {
		d.AKI = Fingerprint(crl.AuthorityKeyId)
	}
	for _, r := range crl.RevokedCertificateEntries {
		e := Revoked{Serial: SerialHex(r.SerialNumber), RevokedAt: r.RevocationTime.UTC()}
		// crypto/x509 leaves ReasonCode 0 when the entry has no reasonCode
		// extension; only an explicit one is reported.
		for _, x := range r.Extensions {
			if x.Id.Equal(oidReasonCode) {
				e.Reason = ReasonName(r.ReasonCode)
			}
		}
		d.Revoked = append(d.Revoked, e)
	}
	return d
}

// Extensions of CRLs and their entries (RFC 5280 sections 5.2.3, 5.3.1).
var (
	oidCRLNumber  = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidReasonCode = asn1.ObjectIdentifier{2, 5, 29, 21}
)

func sha1Hex(der []byte) string {
	sum := sha1.Sum(der)
	return Fingerprint(sum[:])
}

func sha256Hex(der []byte) string {
	sum := sha256.Sum256(der)
	return Fingerprint(sum[:])
}

func dnOrUnknown(der []byte) string {
	if s, ok := dn.FormatDER(der); ok {
		return s
	}
	return Unreadable
}

// Expiry is where a certificate stands against its notAfter.
type Expiry string

// The stands [ExpiryOf] tells apart.
const (
	ExpiryUnknown Expiry = "unknown"  // notAfter could not be read
	Expired       Expiry = "expired"  // notAfter has passed
	ExpiringSoon  Expiry = "expiring" // notAfter is within Soon
	Valid         Expiry = "valid"
)

// Soon is how close a notAfter is for list and show to mark a
// certificate as expiring.
const Soon = 30 * 24 * time.Hour

// ExpiryOf says where a certificate whose notAfter is t (zero: unknown)
// stands at now.
func ExpiryOf(t, now time.Time) Expiry {
	switch {
	case t.IsZero():
		return ExpiryUnknown
	case !t.After(now):
		return Expired
	case t.Sub(now) < Soon:
		return ExpiringSoon
	}
	return Valid
}
