package chain

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
)

const keyCertSign = x509.KeyUsageCertSign

// A certRule is one MUST of the RFC 5280 certificate profile (§4) that
// crypto/x509 does not enforce. Two MUSTs of the profile are not rules
// here: that basic constraints and policy constraints be critical. PKITS
// (4.6.4, and the policy tests of 4.8 to 4.12) holds paths whose
// intermediates mark them non-critical as valid, since the path validation
// of §6.1 reads the extensions whatever their criticality. It returns what is wrong, or "". The
// certificate at index i of a path of n is its subject; anchor is true for
// the trust anchor's own certificate.
type certRule struct {
	status string
	check  func(c *Cert, i, n int) string
	// rfcOnly: the CA/Browser Forum profile reads the rule otherwise, so
	// --profile webpki leaves it to its own rules.
	rfcOnly bool
}

var rfc5280Rules = []certRule{
	{stProfile, ruleMalformedExtension, false},
	{stProfile, ruleDuplicateExtension, false},
	{stProfile, ruleSignatureAlgorithmsMatch, false},
	{stKeyUsage, ruleEmptyKeyUsage, false},
	{stKeyUsage, ruleKeyCertSignNeedsCA, false},
	{stConstraints, ruleNameConstraintsOnlyInCA, false},
	{stConstraints, ruleNameConstraintsCritical, true},
	{stConstraints, ruleNameConstraintsSyntax, false},
	{stPurpose, ruleEmptyExtKeyUsage, false},
	{stProfile, ruleAuthorityKeyID, false},
	{stProfile, ruleSubjectKeyID, false},
	{stProfile, ruleCASubjectNotEmpty, false},
	{stProfile, ruleIssuerNotEmpty, false},
	{stProfile, ruleSerialNumber, false},
	{stProfile, ruleSANSyntax, false},
	{stProfile, ruleSANWithEmptySubject, false},
	{stProfile, ruleAIANotCritical, false},
	{stProfile, ruleExtensionsNeedV3, false},
	{stWeakKey, ruleRSAKeySize, true},
}

// minRSABits is the smallest RSA key trustctl accepts in a path: smaller
// ones can be factored, and Java (jdk.certpath.disabledAlgorithms),
// OpenSSL and crypto/tls refuse them too. --profile webpki asks for 2048.
const minRSABits = 1024

// ruleRSAKeySize refuses an RSA key under minRSABits bits.
func ruleRSAKeySize(c *Cert, i, n int) string {
	if k, err := c.publicKey(); err == nil {
		if k, ok := k.(*rsa.PublicKey); ok && k.N.BitLen() < minRSABits {
			return fmt.Sprintf("has a %d-bit RSA key, small enough to be factored; Java, OpenSSL and Go refuse RSA keys under %d bits too", k.N.BitLen(), minRSABits)
		}
	}
	return ""
}

// certRules applies the profile rules to the certificate at index i.
func certRules(c *Cert, i, n int, profile string) []problem {
	var ps []problem
	pos := position(i, n)
	for _, r := range rfc5280Rules {
		if r.rfcOnly && profile == ProfileWebPKI {
			continue
		}
		if msg := r.check(c, i, n); msg != "" {
			ps = append(ps, problem{i, r.status, fmt.Sprintf("%s (%s) %s", c.Name(), pos, msg)})
		}
	}
	return ps
}

// ruleMalformedExtension: an extension whose value does not decode as
// its RFC 5280 §4.2 syntax cannot be processed.
func ruleMalformedExtension(c *Cert, i, n int) string {
	if len(c.extProblems) == 0 {
		return ""
	}
	return strings.Join(c.extProblems, "; ") + " (RFC 5280 §4.2); the CA must reissue it"
}

// ruleDuplicateExtension: RFC 5280 §4.2: "A certificate MUST NOT include
// more than one instance of a particular extension."
func ruleDuplicateExtension(c *Cert, i, n int) string {
	if c.duplicateExt == "" {
		return ""
	}
	return fmt.Sprintf("has the extension %s twice (RFC 5280 §4.2 allows one of each); the CA must reissue it", c.duplicateExt)
}

// ruleSignatureAlgorithmsMatch: RFC 5280 §4.1.1.2: signatureAlgorithm
// MUST be the same algorithm identifier as the signature field of the TBS.
func ruleSignatureAlgorithmsMatch(c *Cert, i, n int) string {
	if string(c.SigAlg) == string(c.TBSSigAlg) {
		return ""
	}
	return "names one signature algorithm outside its signed part and another inside it (RFC 5280 §4.1.1.2 requires the same); the certificate was altered or badly made"
}

// ruleEmptyKeyUsage: RFC 5280 §4.2.1.3: when the key usage extension
// appears, at least one of the bits MUST be set to 1.
func ruleEmptyKeyUsage(c *Cert, i, n int) string {
	if c.hasKU && c.kuEmpty {
		return "has a key usage extension with no usage in it (RFC 5280 §4.2.1.3 requires at least one bit); the CA must reissue it with the usages it needs"
	}
	return ""
}

// ruleKeyCertSignNeedsCA: RFC 5280 §4.2.1.9: "If the keyCertSign bit is
// asserted, then the cA bit in the basic constraints extension MUST also
// be asserted."
func ruleKeyCertSignNeedsCA(c *Cert, i, n int) string {
	if c.hasKU && c.KeyUsage&keyCertSign != 0 && !(c.hasBC && c.IsCA) {
		return "has keyCertSign in its key usage but is not a CA (RFC 5280 §4.2.1.9); the CA must reissue it without keyCertSign, or as a CA"
	}
	return ""
}

// ruleNameConstraintsOnlyInCA: RFC 5280 §4.2.1.10: the name constraints
// extension "MUST be used only in a CA certificate".
func ruleNameConstraintsOnlyInCA(c *Cert, i, n int) string {
	if c.hasNC && !(c.hasBC && c.IsCA) {
		return "is not a CA but carries name constraints (RFC 5280 §4.2.1.10); the CA must reissue it without them"
	}
	return ""
}

// ruleNameConstraintsCritical: RFC 5280 §4.2.1.10: "Conforming CAs MUST
// mark this extension as critical." (The Baseline Requirements allow a
// non-critical one, so --profile webpki does not apply this rule.)
func ruleNameConstraintsCritical(c *Cert, i, n int) string {
	if c.hasNC && !c.ncCritical {
		return "has name constraints not marked critical (RFC 5280 §4.2.1.10 requires critical; --profile webpki accepts it)"
	}
	return ""
}

// ruleNameConstraintsSyntax: the subtrees of RFC 5280 §4.2.1.10 use the
// syntax of their name forms: a dNSName constraint is a host or domain
// name (no wildcard, no leading period), an iPAddress constraint is an
// address and a contiguous mask, an rfc822Name constraint is a mailbox, a
// host, or a domain with a leading period. It also rejects a name
// constraints extension with neither permitted nor excluded subtrees.
func ruleNameConstraintsSyntax(c *Cert, i, n int) string {
	if !c.hasNC {
		return ""
	}
	if len(c.Permitted)+len(c.Excluded) == 0 && len(c.extProblems) == 0 {
		return "has a name constraints extension with no subtrees (RFC 5280 §4.2.1.10: it MUST NOT be empty)"
	}
	for _, t := range append(append([]subtree(nil), c.Permitted...), c.Excluded...) {
		if t.bad != "" {
			return "has " + t.bad + " (RFC 5280 §4.2.1.10)"
		}
		switch t.kind {
		case "dns":
			if t.value != "" && (strings.HasPrefix(t.value, ".") || !validDNSName(t.value, false)) {
				return fmt.Sprintf("has the dNSName constraint %q, which is not a host or domain name (RFC 5280 §4.2.1.10)", t.value)
			}
		case "email":
			if !validEmailConstraint(t.value) {
				return fmt.Sprintf("has the rfc822Name constraint %q, which is neither a mailbox, a host nor a domain (RFC 5280 §4.2.1.10)", t.value)
			}
		}
	}
	return ""
}

// ruleEmptyExtKeyUsage: RFC 5280 §4.2.1.12: the extension holds "one or
// more" purposes.
func ruleEmptyExtKeyUsage(c *Cert, i, n int) string {
	if c.hasEKU && len(c.EKU) == 0 {
		return "has an empty extended key usage extension (RFC 5280 §4.2.1.12 requires one or more purposes); the CA must reissue it"
	}
	return ""
}

// ruleAuthorityKeyID: RFC 5280 §4.2.1.1: the keyIdentifier of the
// authority key identifier MUST be included in all certificates made by
// conforming CAs, except self-signed ones, and the extension MUST NOT be
// critical.
func ruleAuthorityKeyID(c *Cert, i, n int) string {
	if e, ok := c.hasExt(oidAKI); ok && e.Critical {
		return "has a critical authority key identifier (RFC 5280 §4.2.1.1: MUST NOT be critical)"
	}
	if c.Version < 3 || c.selfIssued() || (i == n-1 && n > 1) {
		// A trust anchor is trusted as it is, cross-signed or not.
		return ""
	}
	if c.AKI == nil {
		return "has no authority key identifier (RFC 5280 §4.2.1.1 requires one in every certificate that is not self-signed); the CA must reissue it"
	}
	return ""
}

// ruleSubjectKeyID: RFC 5280 §4.2.1.2: the subject key identifier MUST
// appear in all CA certificates, and MUST NOT be critical.
func ruleSubjectKeyID(c *Cert, i, n int) string {
	if e, ok := c.hasExt(oidSKI); ok && e.Critical {
		return "has a critical subject key identifier (RFC 5280 §4.2.1.2: MUST NOT be critical)"
	}
	if c.Version >= 3 && c.hasBC && c.IsCA && c.SKI == nil && i > 0 {
		return "is a CA without a subject key identifier (RFC 5280 §4.2.1.2 requires one); the CA must reissue it"
	}
	return ""
}

// ruleCASubjectNotEmpty: RFC 5280 §4.1.2.6: a CA's subject field MUST be
// a non-empty distinguished name.
func ruleCASubjectNotEmpty(c *Cert, i, n int) string {
	if i > 0 && len(c.Subject) == 0 {
		return "is a CA with an empty subject (RFC 5280 §4.1.2.6 requires a name)"
	}
	return ""
}

// ruleIssuerNotEmpty: RFC 5280 §4.1.2.4: the issuer field MUST contain a
// non-empty distinguished name.
func ruleIssuerNotEmpty(c *Cert, i, n int) string {
	if len(c.Issuer) == 0 {
		return "has an empty issuer name (RFC 5280 §4.1.2.4 requires one)"
	}
	return ""
}

// ruleSerialNumber: RFC 5280 §4.1.2.2: the serial number MUST be a
// positive integer of at most 20 octets.
func ruleSerialNumber(c *Cert, i, n int) string {
	if i == n-1 && n > 1 {
		// Some long-trusted roots have serial number zero.
		return ""
	}
	switch {
	case c.Serial.Sign() < 0:
		return "has a negative serial number (RFC 5280 §4.1.2.2 requires a positive one)"
	case c.Serial.Sign() == 0:
		return "has serial number zero (RFC 5280 §4.1.2.2 requires a positive one)"
	case len(c.rawSerial) > 20:
		return fmt.Sprintf("has a serial number of %d octets (RFC 5280 §4.1.2.2 allows 20)", len(c.rawSerial))
	}
	return ""
}

// ruleSANSyntax: RFC 5280 §4.2.1.6: a dNSName is in the preferred name
// syntax (letters, digits, hyphens; a wildcard only as the whole leftmost
// label), an rfc822Name is a mailbox, and names are never empty.
func ruleSANSyntax(c *Cert, i, n int) string {
	for _, d := range c.SAN.DNS {
		if !validDNSName(d, true) {
			return fmt.Sprintf("has the DNS name %q in its subject alternative names, which is not a valid host name (RFC 5280 §4.2.1.6)", d)
		}
	}
	for _, e := range c.SAN.Email {
		if !validMailbox(e) {
			return fmt.Sprintf("has the e-mail address %q in its subject alternative names, which is not a mailbox (RFC 5280 §4.2.1.6)", e)
		}
	}
	if c.hasSAN && len(c.SAN.DNS)+len(c.SAN.Email)+len(c.SAN.URI)+len(c.SAN.IP)+len(c.SAN.Dir)+c.otherNames == 0 && len(c.extProblems) == 0 {
		return "has an empty subject alternative name extension (RFC 5280 §4.2.1.6)"
	}
	return ""
}

// ruleSANWithEmptySubject: RFC 5280 §4.2.1.6: a certificate with an empty
// subject MUST carry its names in a critical subject alternative name
// extension.
func ruleSANWithEmptySubject(c *Cert, i, n int) string {
	if len(c.Subject) == 0 && i == 0 && (!c.hasSAN || !c.sanCritical) {
		return "has an empty subject and no critical subject alternative name extension (RFC 5280 §4.2.1.6)"
	}
	return ""
}

// ruleAIANotCritical: RFC 5280 §4.2.2.1: "Conforming CAs MUST mark this
// extension as non-critical."
func ruleAIANotCritical(c *Cert, i, n int) string {
	if e, ok := c.hasExt(oidAIA); ok && e.Critical {
		return "has a critical authority information access extension (RFC 5280 §4.2.2.1: MUST be non-critical)"
	}
	return ""
}

// ruleExtensionsNeedV3: RFC 5280 §4.1.2.9: extensions appear only in
// version 3 certificates.
func ruleExtensionsNeedV3(c *Cert, i, n int) string {
	if c.Version < 3 && len(c.Exts) > 0 {
		return fmt.Sprintf("is a version %d certificate with extensions (RFC 5280 §4.1.2.9: only version 3 has them)", c.Version)
	}
	return ""
}

// validDNSName checks the preferred name syntax of RFC 1034 §3.5 as RFC
// 5280 §4.2.1.6 asks, allowing a leading "*." label when wildcard.
func validDNSName(s string, wildcard bool) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	if wildcard && strings.HasPrefix(s, "*.") {
		s = s[2:]
	}
	if net.ParseIP(s) != nil {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func validMailbox(s string) bool {
	at := strings.LastIndex(s, "@")
	if at <= 0 || at == len(s)-1 {
		return false
	}
	for _, r := range s[:at] {
		if r <= ' ' || r > '~' || r == '@' {
			return false
		}
	}
	return validDNSName(s[at+1:], false)
}

func validEmailConstraint(s string) bool {
	if strings.Contains(s, "@") {
		return validMailbox(s)
	}
	return validDNSName(strings.TrimPrefix(s, "."), false)
}
