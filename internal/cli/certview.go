package cli

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/render"
)

// certView is a certificate as show, list and export describe it, with
// stable JSON field names.
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
	v := certView{
		Subject:    c.Subject(),
		Issuer:     c.Issuer(),
		Serial:     certs.SerialHex(c.Serial()),
		NotBefore:  rfc3339(c.NotBefore()),
		NotAfter:   rfc3339(c.NotAfter()),
		DaysLeft:   render.DaysLeft(c.NotAfter(), now),
		IsCA:       c.IsCA(),
		SelfSigned: c.SelfIssued(),
		SHA1:       c.SHA1Hex(),
		SHA256:     c.SHA256Hex(),
	}
	if c.ParseErr != nil {
		v.ParseError = c.ParseErr.Error()
	}
	x := c.X509
	if x == nil {
		if c.Lenient != nil {
			v.DNSNames = c.Lenient.DNSNames
		}
		return v
	}
	v.SelfSigned = c.SelfSigned()
	v.Key = keys.Describe(x.PublicKey)
	if x.BasicConstraintsValid && x.IsCA && (x.MaxPathLen > 0 || x.MaxPathLenZero) {
		n := x.MaxPathLen
		v.PathLen = &n
	}
	v.DNSNames = x.DNSNames
	for _, ip := range x.IPAddresses {
		v.IPs = append(v.IPs, ip.String())
	}
	v.Emails = x.EmailAddresses
	for _, u := range x.URIs {
		v.URIs = append(v.URIs, u.String())
	}
	v.KeyUsage = keyUsageNames(x.KeyUsage)
	v.ExtKeyUsage = extKeyUsageNames(x)
	if len(x.SubjectKeyId) > 0 {
		v.SKI = certs.Fingerprint(x.SubjectKeyId)
	}
	if len(x.AuthorityKeyId) > 0 {
		v.AKI = certs.Fingerprint(x.AuthorityKeyId)
	}
	v.OCSP = x.OCSPServer
	v.CRLs = x.CRLDistributionPoints
	v.Signature = x.SignatureAlgorithm.String()
	return v
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

var keyUsageBits = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"},
	{x509.KeyUsageContentCommitment, "nonRepudiation"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
	{x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"},
	{x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"},
	{x509.KeyUsageEncipherOnly, "encipherOnly"},
	{x509.KeyUsageDecipherOnly, "decipherOnly"},
}

func keyUsageNames(ku x509.KeyUsage) []string {
	var out []string
	for _, b := range keyUsageBits {
		if ku&b.bit != 0 {
			out = append(out, b.name)
		}
	}
	return out
}

var ekuNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:             "any",
	x509.ExtKeyUsageServerAuth:      "serverAuth",
	x509.ExtKeyUsageClientAuth:      "clientAuth",
	x509.ExtKeyUsageCodeSigning:     "codeSigning",
	x509.ExtKeyUsageEmailProtection: "emailProtection",
	x509.ExtKeyUsageTimeStamping:    "timeStamping",
	x509.ExtKeyUsageOCSPSigning:     "OCSPSigning",
	x509.ExtKeyUsageIPSECEndSystem:  "ipsecEndSystem",
	x509.ExtKeyUsageIPSECTunnel:     "ipsecTunnel",
	x509.ExtKeyUsageIPSECUser:       "ipsecUser",
}

func extKeyUsageNames(x *x509.Certificate) []string {
	var out []string
	for _, u := range x.ExtKeyUsage {
		if n, ok := ekuNames[u]; ok {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprintf("eku-%d", u))
		}
	}
	for _, o := range x.UnknownExtKeyUsage {
		out = append(out, o.String())
	}
	return out
}

// writeCertText prints a certificate's details as show does.
func writeCertText(b *strings.Builder, v certView, now time.Time) {
	row := func(k, val string) {
		if val != "" {
			fmt.Fprintf(b, "  %-18s %s\n", k+":", val)
		}
	}
	row("Subject", v.Subject)
	row("Issuer", v.Issuer)
	row("Serial", v.Serial)
	if v.ParseError != "" {
		row("Note", "crypto/x509 refuses this certificate ("+v.ParseError+"); shown as far as it can be read")
	}
	if v.NotAfter != "" {
		na, _ := time.Parse(time.RFC3339, v.NotAfter)
		row("Valid", fmt.Sprintf("%s to %s (%s)", dateOf(v.NotBefore), dateOf(v.NotAfter), render.Days(na, now)))
	}
	row("Key", v.Key)
	ca := "no"
	if v.IsCA {
		ca = "yes"
		if v.PathLen != nil {
			ca += fmt.Sprintf(", path length %d", *v.PathLen)
		}
	}
	row("CA", ca)
	if v.SelfSigned {
		row("Self-signed", "yes")
	}
	row("DNS names", strings.Join(v.DNSNames, ", "))
	row("IP addresses", strings.Join(v.IPs, ", "))
	row("Emails", strings.Join(v.Emails, ", "))
	row("URIs", strings.Join(v.URIs, ", "))
	row("Key usage", strings.Join(v.KeyUsage, ", "))
	row("Ext key usage", strings.Join(v.ExtKeyUsage, ", "))
	row("Subject key ID", v.SKI)
	row("Authority key ID", v.AKI)
	row("OCSP", strings.Join(v.OCSP, ", "))
	row("CRL", strings.Join(v.CRLs, ", "))
	row("Signature", v.Signature)
	row("SHA-1", v.SHA1)
	row("SHA-256", v.SHA256)
}

func dateOf(rfc string) string {
	if len(rfc) >= 10 {
		return rfc[:10]
	}
	return rfc
}
