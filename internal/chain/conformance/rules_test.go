package conformance

import (
	"strings"
	"testing"
)

// ruleCases ties each rule of internal/chain to suite cases that only it
// rejects: the case must fail, and for that rule (its words in trustctl's
// output). A rule whose case starts failing for another reason, or
// passing, fails make conformance.
var ruleCases = []struct {
	rule, id, words string
}{
	// RFC 5280 §6.1 (validate.go).
	{"signatureProblem", "pkits:4.1.2", "(RFC 5280 §6.1.3 (a)(1))"},
	{"signatureProblem", "limbo:invalid::invalid-issuer-key", "(RFC 5280 §6.1.3 (a)(1))"},
	{"validityProblem", "pkits:4.2.1", "is not valid before 2047-01-01"},
	{"validityProblem", "limbo:rfc5280::validity::expired-leaf", "(the leaf) expired on 2021-01-01"},
	{"caProblem", "pkits:4.6.2", "is not a CA: its basicConstraints say CA:FALSE (RFC 5280 §6.1.4 (k))"},
	{"caProblem", "limbo:rfc5280::root-missing-basic-constraints", "it has no basicConstraints extension (RFC 5280 §6.1.4 (k))"},
	{"pathLenProblem", "pkits:4.6.9", "(RFC 5280 §6.1.4 (l))"},
	{"pathLenProblem", "limbo:pathlen::intermediate-violates-pathlen-0", "(RFC 5280 §6.1.4 (l))"},
	{"keyCertSignProblem", "pkits:4.7.1", "its key usage lacks keyCertSign (RFC 5280 §6.1.4 (n))"},
	{"keyCertSignProblem", "limbo:rfc5280::root-inconsistent-ca-extensions", "(RFC 5280 §6.1.4 (n))"},
	{"criticalExtensionProblem", "pkits:4.16.2", "(OID 2.16.840.1.101.2.1.12.2), so it must be rejected (RFC 5280 §6.1.4 (o))"},
	{"criticalExtensionProblem", "limbo:rfc5280::unknown-critical-extension-root", "(the trust anchor) has a critical extension trustctl does not process (OID 1.3.6.1.4.1.55738.666.1)"},
	{"policy (§6.1.3 (d)-(f))", "pkits:4.8.12", "(RFC 5280 §6.1.3 (f))"},
	{"policy (§6.1.5 (g))", "pkits:4.9.3", "(RFC 5280 §6.1.5 (g))"},
	{"policy mappings (§6.1.4 (b))", "pkits:4.11.1", "(RFC 5280 §6.1.3 (f))"},
	// Name constraints (constraints.go).
	{"checkNames rfc822Name host", "pkits:4.13.24", `the e-mail address "Test24EE@mailserver.testcertificates.gov" is outside the permitted email names ("testcertificates.gov")`},
	{"checkNames directoryName", "limbo:rfc5280::nc::permitted-dn-mismatch", `outside the permitted dir names ("CN=foo")`},
	{"checkNames dNSName", "limbo:rfc5280::nc::permitted-dns-mismatch", `the DNS name "not-example.com" is outside the permitted dns names`},
	{"checkNames iPAddress", "limbo:rfc5280::nc::excluded-ipv4-match", `excluded by the name constraint ip "192.0.2.0/24"`},
	{"wildcardCovers", "limbo:cve::cve-2025-61727", `the DNS name "*.example.com" is excluded by the name constraint dns "bar.example.com"`},
	{"maxConstraintChecks", "limbo:pathological::nc-dos-2", "more than trustctl checks"},
	// Revocation (revocation.go).
	{"crlScope distribution point", "pkits:4.14.3", "covers another distribution point than the one of"},
	{"crlScope onlyContainsCACerts", "pkits:4.14.12", "covers only CA certificates"},
	{"crlScope onlyContainsUserCerts", "pkits:4.14.11", "covers only end-entity certificates"},
	{"crlScope onlySomeReasons", "pkits:4.14.17", "do not cover every revocation reason"},
	{"crlSigner cRLSign", "limbo:crl::issuer-missing-crlsign", "lacks cRLSign (RFC 5280 §6.3.3 (f))"},
	{"findDelta", "pkits:4.15.4", "was revoked on 2010-06-01"},
	{"newCRLInfo CRL number", "limbo:crl::crlnumber-missing", "it has no CRL number (RFC 5280 §5.2.3 requires one)"},
	// RFC 5280 profile (rules.go).
	{"ruleMalformedExtension", "limbo:rfc5280::san::malformed", "has a malformed subject alternative name extension"},
	{"ruleDuplicateExtension", "limbo:rfc5280::duplicate-extensions", "has the extension 2.5.29.17 twice"},
	{"ruleKeyCertSignNeedsCA", "limbo:rfc5280::leaf-ku-keycertsign", "(RFC 5280 §4.2.1.9)"},
	{"ruleNameConstraintsOnlyInCA", "limbo:rfc5280::nc::not-allowed-in-ee-critical", "is not a CA but carries name constraints (RFC 5280 §4.2.1.10)"},
	{"ruleNameConstraintsCritical", "limbo:rfc5280::nc::permitted-dns-match-noncritical", "has name constraints not marked critical"},
	{"ruleNameConstraintsSyntax", "limbo:rfc5280::nc::invalid-dnsname-leading-period", `has the dNSName constraint ".example.com", which is not a host or domain name`},
	{"ruleEmptyExtKeyUsage", "limbo:rfc5280::eku::ee-eku-empty", "(RFC 5280 §4.2.1.12 requires one or more purposes)"},
	{"ruleAuthorityKeyID", "limbo:rfc5280::aki::leaf-missing-aki", "(RFC 5280 §4.2.1.1 requires one"},
	{"ruleAuthorityKeyID critical", "limbo:rfc5280::aki::critical-aki", "has a critical authority key identifier"},
	{"ruleSubjectKeyID", "limbo:rfc5280::ski::intermediate-missing-ski", "is a CA without a subject key identifier (RFC 5280 §4.2.1.2"},
	{"ruleCASubjectNotEmpty", "limbo:rfc5280::ca-empty-subject", "(RFC 5280 §4.1.2.6 requires a name)"},
	{"ruleSerialNumber", "limbo:rfc5280::serial::too-long", "has a serial number of 23 octets"},
	{"ruleSANSyntax", "limbo:rfc5280::san::underscore-dns", `has the DNS name "foo_bar.example.com" in its subject alternative names, which is not a valid host name`},
	{"ruleSANWithEmptySubject", "limbo:rfc5280::san::noncritical-with-empty-subject", "no critical subject alternative name extension"},
	{"ruleAIANotCritical", "limbo:rfc5280::ee-critical-aia-invalid", "(RFC 5280 §4.2.2.1: MUST be non-critical)"},
	{"purposeProblems", "limbo:rfc5280::eku::ee-wrong-eku", "is not for TLS server authentication"},
	{"hostProblem", "limbo:rfc5280::ca-as-leaf-wrong-san", "is valid for ca.example.com, not some-other-ca.example.com"},
	// CA/Browser Forum (webpki.go).
	{"webpkiKeyAlgorithm", "limbo:webpki::forbidden-weak-rsa-in-leaf", "has a 1024-bit RSA key"},
	{"webpkiKeyAlgorithm DSA", "limbo:webpki::forbidden-dsa-leaf", "has a DSA key"},
	{"webpkiRootAKI", "limbo:webpki::aki::root-with-aki-ski-mismatch", "differs from its subject key identifier"},
	{"webpkiLeafNotCA", "limbo:webpki::ee-basicconstraints-ca", "(§7.1.2.7.8)"},
	{"webpkiLeafSAN", "limbo:webpki::san::san-critical-with-nonempty-subject", "allow critical only with an empty subject"},
	{"webpkiLeafCommonName", "limbo:webpki::cn::case-mismatch", `has the common name "Example.COM"`},
	{"webpkiLeafCommonName IP", "limbo:webpki::cn::ipv4-leading-zeros-mismatch", "in canonical form"},
	{"webpkiLeafEKU", "limbo:webpki::eku::ee-anyeku", "has anyExtendedKeyUsage"},
	{"webpkiRootNoEKU", "limbo:webpki::eku::root-has-eku", "(§7.1.2.1.2)"},
	{"webpkiWildcards", "limbo:webpki::san::public-suffix-wildcard-san", `has the wildcard name "*.com"`},
	{"weakSignatureProblem", "limbo:bettertls::pathbuilding::tc15", "is signed with SHA-1"},
}

// checkRuleCases is called with the results of both suites.
func checkRuleCases(t *testing.T, byID map[string]*result) {
	for _, rc := range ruleCases {
		r, ok := byID[rc.id]
		if !ok {
			continue // filtered out by TRUSTCTL_CONFORMANCE_ONLY
		}
		if r.trustctl != failure {
			t.Errorf("%s: its case %s is %s, want it rejected", rc.rule, rc.id, r.trustctl)
			continue
		}
		if !strings.Contains(r.output, rc.words) {
			t.Errorf("%s: %s was rejected, but not with %q:\n%s", rc.rule, rc.id, rc.words, r.output)
		}
	}
}
