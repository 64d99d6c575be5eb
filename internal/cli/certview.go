package cli

import (
	"time"

	"github.com/trustctl/trustctl/internal/certs"
)

// certView is a certificate flattened into plain values, as probe reports
// it: a field that could not be read is its zero value here. show writes
// certs.Details instead, where such a field is null.
type certView struct {
	Origin      string   `json:"origin,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	Subject     string   `json:"subject"`
	Issuer      string   `json:"issuer"`
	Serial      string   `json:"serial"`
	NotBefore   string   `json:"not_before"`
	NotAfter    string   `json:"not_after"`
	DaysLeft    int      `json:"days_left"`
	Key         string   `json:"key,omitempty"`
	IsCA        bool     `json:"is_ca"`
	SelfSigned  bool     `json:"self_signed"`
	PathLen     *int     `json:"path_len,omitempty"`
	DNSNames    []string `json:"dns_names,omitempty"`
	IPs         []string `json:"ip_addresses,omitempty"`
	Emails      []string `json:"email_addresses,omitempty"`
	URIs        []string `json:"uris,omitempty"`
	KeyUsage    []string `json:"key_usage,omitempty"`
	ExtKeyUsage []string `json:"ext_key_usage,omitempty"`
	SKI         string   `json:"subject_key_id,omitempty"`
	AKI         string   `json:"authority_key_id,omitempty"`
	OCSP        []string `json:"ocsp_servers,omitempty"`
	CRLs        []string `json:"crl_distribution_points,omitempty"`
	Signature   string   `json:"signature_algorithm,omitempty"`
	SHA1        string   `json:"sha1"`
	SHA256      string   `json:"sha256"`
	ParseError  string   `json:"parse_error,omitempty"`
}

func viewOf(c *certs.Cert, now time.Time) certView {
	d := c.Details(now)
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	v := certView{
		Subject:     c.Subject(),
		Issuer:      str(d.Issuer),
		Serial:      str(d.Serial),
		Key:         str(d.Key),
		IsCA:        d.IsCA != nil && *d.IsCA,
		SelfSigned:  d.SelfSigned != nil && *d.SelfSigned,
		PathLen:     d.PathLen,
		DNSNames:    d.DNSNames,
		IPs:         d.IPs,
		Emails:      d.Emails,
		URIs:        d.URIs,
		KeyUsage:    d.KeyUsage,
		ExtKeyUsage: d.ExtKeyUsage,
		SKI:         d.SKI,
		AKI:         d.AKI,
		OCSP:        d.OCSP,
		CRLs:        d.CRLs,
		Signature:   d.Signature,
		SHA1:        d.SHA1,
		SHA256:      d.SHA256,
		ParseError:  d.ParseError,
	}
	if d.NotBefore != nil {
		v.NotBefore = rfc3339(*d.NotBefore)
	}
	if d.NotAfter != nil {
		v.NotAfter = rfc3339(*d.NotAfter)
		v.DaysLeft = *d.DaysLeft
	}
	return v
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func dateOf(rfc string) string {
	if len(rfc) >= 10 {
		return rfc[:10]
	}
	return rfc
}
