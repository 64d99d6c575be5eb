package chain

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"strings"

	"github.com/trustctl/trustctl/internal/certs"
)

// oidEKUAny is anyExtendedKeyUsage (RFC 5280 section 4.2.1.12).
var oidEKUAny = certs.ExtKeyUsageOID(x509.ExtKeyUsageAny)

func (c *Cert) ekuText() string {
	out := make([]string, len(c.EKU))
	for i, o := range c.EKU {
		out[i] = certs.ExtKeyUsagePurpose(o)
	}
	return strings.Join(out, ", ")
}

func (c *Cert) hasEKUOID(want asn1.ObjectIdentifier, anyOK bool) bool {
	for _, o := range c.EKU {
		if o.Equal(want) || anyOK && o.Equal(oidEKUAny) {
			return true
		}
	}
	return false
}

// purposeProblems checks the purpose asked for (RFC 5280 §4.2.1.12): the
// leaf's extended key usage, when present, must include it (or
// anyExtendedKeyUsage, except under --profile webpki); a CA that lists
// extended key usages restricts what it issues to them, as crypto/x509,
// browsers and the Baseline Requirements (§7.1.2.2) read it.
func purposeProblems(path []*Cert, in *pathInput) []problem {
	if in.eku == nil {
		return nil
	}
	var ps []problem
	anyOK := in.profile != ProfileWebPKI
	for i, c := range path {
		if !c.hasEKU || len(c.EKU) == 0 || c.hasEKUOID(in.eku, anyOK) {
			continue
		}
		if i == 0 {
			ps = append(ps, problem{0, stPurpose, fmt.Sprintf("%s (the leaf) is not for %s: its extended key usage is %s; use a certificate issued for that purpose, or the right --purpose",
				c.Name(), in.ekuName, c.ekuText())})
		} else {
			ps = append(ps, problem{i, stPurpose, fmt.Sprintf("%s (%s) restricts what it issues to %s, not %s; a CA allowed to issue for %s must sign the path",
				c.Name(), position(i, len(path)), c.ekuText(), in.ekuName, in.ekuName)})
		}
	}
	return ps
}

// hostProblem checks that the leaf is valid for the host name or IP
// address asked for, from its subject alternative names only (RFC 6125
// §6.4.4; the common name is not used, as browsers and crypto/x509 do).
func hostProblem(c *Cert, host, profile string) string {
	x := &x509.Certificate{DNSNames: c.SAN.DNS, IPAddresses: c.SAN.IP}
	if err := x.VerifyHostname(host); err == nil {
		return suffixWildcardProblem(c, host)
	}
	var names []string
	names = append(names, c.SAN.DNS...)
	for _, ip := range c.SAN.IP {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return fmt.Sprintf("%s (the leaf) has no DNS names or IP addresses in its subject alternative names, so it is valid for no host (not %s); the CA must reissue it with %s as a subject alternative name", c.Name(), host, host)
	}
	const max = 8
	more := ""
	if len(names) > max {
		more = fmt.Sprintf(" and %d more", len(names)-max)
		names = names[:max]
	}
	return fmt.Sprintf("%s (the leaf) is valid for %s%s, not %s; connect by one of those names, or have the certificate reissued with %s", c.Name(), strings.Join(names, ", "), more, host, host)
}

// suffixWildcardProblem refuses a host that the leaf names only through a
// wildcard directly over a public suffix (see [certs.SuffixWildcardOnly]).
func suffixWildcardProblem(c *Cert, host string) string {
	over := certs.SuffixWildcardOnly(c.SAN.DNS, c.SAN.IP, host)
	if over == "" {
		return ""
	}
	return fmt.Sprintf("%s (the leaf) names %s only through the wildcard %q, which stands over a whole public suffix and so matches no host; the CA must reissue it with %s as a subject alternative name", c.Name(), host, over, host)
}
