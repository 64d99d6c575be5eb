package chain

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"net"
	"strings"

	"github.com/trustctl/trustctl/internal/certs"
)

// Profiles accepted by [VerifyOptions].Profile.
const (
	ProfileRFC5280 = "rfc5280"
	ProfileWebPKI  = "webpki"
)

// webpkiProblems applies the CA/Browser Forum Baseline Requirements rules
// for TLS server certificates (BR §7.1) that go beyond RFC 5280, as
// x509-limbo's webpki cases read them.
func webpkiProblems(path []*Cert, in *pathInput) []problem {
	var ps []problem
	n := len(path)
	for i, c := range path {
		for _, r := range webpkiRules {
			if msg := r(c, i, n); msg != "" {
				ps = append(ps, problem{i, stProfile, fmt.Sprintf("%s (%s) %s", c.Name(), position(i, n), msg)})
			}
		}
	}
	return ps
}

var webpkiRules = []func(c *Cert, i, n int) string{
	webpkiVersion3,
	webpkiKeyAlgorithm,
	webpkiRootAKI,
	webpkiLeafNotCA,
	webpkiLeafSAN,
	webpkiLeafCommonName,
	webpkiLeafEKU,
	webpkiRootNoEKU,
	webpkiWildcards,
}

// webpkiVersion3: BR §7.1.1: certificates are X.509 version 3.
func webpkiVersion3(c *Cert, i, n int) string {
	if c.Version != 3 {
		return fmt.Sprintf("is a version %d certificate; the Baseline Requirements (§7.1.1) require version 3", c.Version)
	}
	return ""
}

// webpkiKeyAlgorithm: BR §6.1.5: RSA keys of at least 2048 bits whose
// modulus size is a multiple of 8, or ECDSA keys on P-256, P-384 or P-521.
// DSA is not allowed.
func webpkiKeyAlgorithm(c *Cert, i, n int) string {
	k, err := c.publicKey()
	if err != nil {
		return "has a public key trustctl cannot read (" + err.Error() + "); the Baseline Requirements (§6.1.5) allow only RSA and ECDSA P-256/P-384/P-521"
	}
	switch k := k.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		if bits < 2048 {
			return fmt.Sprintf("has a %d-bit RSA key; the Baseline Requirements (§6.1.5) require at least 2048 bits", bits)
		}
		if bits%8 != 0 {
			return fmt.Sprintf("has an RSA key of %d bits, not a multiple of 8, which the Baseline Requirements (§6.1.5) forbid", bits)
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return "has an ECDSA key on a curve the Baseline Requirements (§6.1.5) do not allow"
		}
	case *dsaKey:
		return "has a DSA key, which the Baseline Requirements (§6.1.5) do not allow"
	}
	return ""
}

// webpkiRootAKI: BR §7.1.2.1.3: a root's authority key identifier, if
// present, holds only a keyIdentifier, equal to its subject key identifier.
func webpkiRootAKI(c *Cert, i, n int) string {
	if i != n-1 || n == 1 || !c.selfIssued() {
		return ""
	}
	if _, ok := c.hasExt(oidAKI); !ok {
		return ""
	}
	switch {
	case c.akiIssuer || c.akiSerial:
		return "is a root whose authority key identifier names an issuer or serial; the Baseline Requirements (§7.1.2.1.3) allow only a keyIdentifier"
	case c.AKI == nil:
		return "is a root whose authority key identifier has no keyIdentifier (Baseline Requirements §7.1.2.1.3)"
	case c.SKI != nil && string(c.AKI) != string(c.SKI):
		return "is a root whose authority key identifier differs from its subject key identifier (Baseline Requirements §7.1.2.1.3)"
	}
	return ""
}

// webpkiLeafNotCA: BR §7.1.2.7.8 and §7.1.2.7.11: a subscriber
// certificate is not a CA and may not sign certificates.
func webpkiLeafNotCA(c *Cert, i, n int) string {
	if i != 0 || n == 1 {
		return ""
	}
	if c.hasBC && c.IsCA {
		return "is a CA certificate used as a server certificate; the Baseline Requirements (§7.1.2.7.8) require CA:FALSE in a subscriber certificate"
	}
	return ""
}

// webpkiLeafSAN: BR §7.1.2.7.12: a subscriber certificate has a subject
// alternative name extension, critical only when the subject is empty.
func webpkiLeafSAN(c *Cert, i, n int) string {
	if i != 0 {
		return ""
	}
	if !c.hasSAN {
		return "has no subject alternative name extension; the Baseline Requirements (§7.1.2.7.12) require the server's names there"
	}
	if c.sanCritical && len(c.Subject) > 0 {
		return "has a critical subject alternative name extension and a subject; the Baseline Requirements (§7.1.2.7.12) allow critical only with an empty subject"
	}
	return ""
}

// webpkiLeafCommonName: BR §7.1.4.3, as x509-limbo reads it: a common name
// that is an IP address, in any textual form, is the canonical text (RFC
// 3986 §3.2.2, RFC 5952 §4) of an IP address of the subject alternative
// names; a common name that is a domain name is a character-for-character
// copy of one of the DNS names there, or the domain of one of its wildcard
// names. (A common name beside a SAN holding no DNS name is not checked.)
func webpkiLeafCommonName(c *Cert, i, n int) string {
	if i != 0 {
		return ""
	}
	for _, cn := range c.Subject.commonNames() {
		if looksLikeIP(cn) {
			ok := false
			for _, a := range c.SAN.IP {
				if canonicalIP(a) == cn {
					ok = true
				}
			}
			if !ok {
				return fmt.Sprintf("has the common name %q, which is not an IP address of its subject alternative names in canonical form (Baseline Requirements §7.1.4.3)", cn)
			}
			continue
		}
		if len(c.SAN.DNS) == 0 {
			continue
		}
		ok := false
		for _, d := range c.SAN.DNS {
			if cn == d || strings.HasPrefix(d, "*.") && cn == d[2:] {
				ok = true
			}
		}
		if !ok {
			return fmt.Sprintf("has the common name %q, which is not a copy of one of its subject alternative names (Baseline Requirements §7.1.4.3)", cn)
		}
	}
	return ""
}

// looksLikeIP reports whether s is an IP address in any of the forms
// resolvers accept: RFC 5952 or not, dotted with leading zeros, or one
// hexadecimal number.
func looksLikeIP(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok && h != "" && strings.Trim(h, "0123456789abcdef") == "" {
		return true
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

func canonicalIP(ip net.IP) string {
	if v4 := ip.To4(); v4 != nil && len(ip) == 4 {
		return v4.String()
	}
	return ip.String()
}

// webpkiLeafEKU: BR §7.1.2.7.10: a subscriber certificate has a
// non-critical extended key usage with serverAuth and without
// anyExtendedKeyUsage.
func webpkiLeafEKU(c *Cert, i, n int) string {
	if i != 0 || n == 1 {
		return ""
	}
	e, ok := c.hasExt(oidExtKeyUsage)
	switch {
	case !ok:
		return "has no extended key usage; the Baseline Requirements (§7.1.2.7.10) require serverAuth"
	case e.Critical:
		return "has a critical extended key usage, which the Baseline Requirements (§7.1.2.7.10) forbid"
	}
	for _, o := range c.EKU {
		if o.Equal(oidEKUAny) {
			return "has anyExtendedKeyUsage, which the Baseline Requirements (§7.1.2.7.10) forbid"
		}
	}
	return ""
}

// webpkiRootNoEKU: BR §7.1.2.1.2: a root certificate has no extended key
// usage extension.
func webpkiRootNoEKU(c *Cert, i, n int) string {
	if i == n-1 && n > 1 && c.selfIssued() && c.hasEKU {
		return "is a root with an extended key usage extension, which the Baseline Requirements (§7.1.2.1.2) forbid"
	}
	return ""
}

// webpkiWildcards: BR §7.1.2.7.12 and the wildcard domain name of §1.6.1:
// a wildcard is the whole leftmost label, followed by at least two labels
// (never "*" alone nor "*.tld").
func webpkiWildcards(c *Cert, i, n int) string {
	if i != 0 {
		return ""
	}
	for _, d := range c.SAN.DNS {
		if !strings.Contains(d, "*") {
			continue
		}
		rest, ok := strings.CutPrefix(d, "*.")
		if !ok || strings.Contains(rest, "*") || !strings.Contains(strings.TrimSuffix(rest, "."), ".") || certs.PublicSuffix(rest) {
			return fmt.Sprintf("has the wildcard name %q; the Baseline Requirements allow a wildcard only as the whole leftmost label over a registrable domain", d)
		}
	}
	return ""
}
