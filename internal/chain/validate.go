package chain

import (
	"crypto/dsa" //lint:ignore SA1019 DSA parameters are carried down the path for verification only (RFC 5280 §6.1.4 (d)-(f))
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"time"
)

// pathInput is what RFC 5280 §6.1.1 calls the inputs, less the path.
type pathInput struct {
	at      time.Time
	eku     asn1.ObjectIdentifier // nil: any purpose
	ekuName string
	host    string
	profile string
	// crlIssuer marks the validation of a CRL issuer's own path (RFC 5280
	// §6.3.3 (f)): the certificate at the end must be allowed to sign CRLs,
	// not be a server.
	crlIssuer bool
	// ncLeft, when set, is what is left of the name-constraint
	// comparisons one search may make over all the paths it tries.
	ncLeft *int
}

// position says where a certificate sits in a path of n (leaf first).
func position(i, n int) string {
	switch {
	case n == 1:
		return "the leaf, trusted directly"
	case i == 0:
		return "the leaf"
	case i == n-1:
		return "the trust anchor"
	case n == 3:
		return "the intermediate"
	}
	return fmt.Sprintf("intermediate %d of %d", n-1-i, n-2)
}

// pathState is the state variables of RFC 5280 §6.1.2.
type pathState struct {
	tree          *policyTree
	explicit      int
	inhibitAny    int
	mapping       int
	maxPathLen    int
	nc            ncState
	workingIssuer *Cert
	dsaParams     *dsa.Parameters
}

// validatePath runs RFC 5280 §6.1 over path (leaf first, trust anchor
// last) and the rules trustctl adds (purpose, host, profile). It returns
// every problem found, not only the first, so a person sees all that is
// wrong with the path.
func validatePath(path []*Cert, in *pathInput) []problem {
	n := len(path)
	var ps []problem
	add := func(i int, status, text string) {
		ps = append(ps, problem{idx: i, status: status, text: text})
	}
	anchor := path[n-1]
	certs := n - 1 // RFC 5280's n: the certificates below the anchor
	st := &pathState{
		tree:       newPolicyTree(),
		explicit:   certs + 1,
		inhibitAny: certs + 1,
		mapping:    certs + 1,
		maxPathLen: certs,
	}
	// The trust anchor's own certificate: trustctl holds it to the rules
	// a CA certificate must meet (as crypto/x509 and OpenSSL do for
	// validity; x509-limbo expects the rest), and applies its name
	// constraints and path length constraint to the path below it.
	if n > 1 {
		for _, p := range anchorProblems(anchor, n, in) {
			add(n-1, p.status, p.text)
		}
		st.nc.addConstraints(anchor)
		if anchor.hasBC && anchor.PathLen >= 0 && anchor.PathLen < st.maxPathLen {
			st.maxPathLen = anchor.PathLen
		}
	} else {
		// A leaf trusted directly is still held to the certificate
		// profile.
		if msg := validityProblem(anchor, in.at, position(0, 1)); msg != "" {
			add(0, validityStatus(anchor, in.at), msg)
		}
		if msg := criticalExtensionProblem(anchor, position(0, 1)); msg != "" {
			add(0, stCritical, msg)
		}
		for _, msg := range certRules(anchor, 0, 1, in.profile) {
			add(0, msg.status, msg.text)
		}
	}
	st.workingIssuer = anchor
	st.dsaParams = anchor.dsaParams()
	for i := n - 2; i >= 0; i-- {
		c := path[i]
		depth := n - 1 - i // 1 for the certificate the anchor issued
		last := i == 0
		// §6.1.3 (a)(1)
		if msg := signatureProblem(st, c, position(i, n)); msg != "" {
			add(i, stSignature, msg)
		} else if msg := weakSignatureProblem(c.SigAlg, in); msg != "" {
			add(i, stSignature, fmt.Sprintf("%s (%s) %s", c.Name(), position(i, n), msg))
		}
		// §6.1.3 (a)(2)
		if msg := validityProblem(c, in.at, position(i, n)); msg != "" {
			add(i, validityStatus(c, in.at), msg)
		}
		// §6.1.3 (a)(4)
		if msg := nameChainingProblem(st.workingIssuer, c); msg != "" {
			add(i, stChaining, msg)
		}
		// §6.1.3 (b), (c)
		if !(c.selfIssued() && !last) {
			for _, msg := range st.nc.checkNames(c, in.ncLeft) {
				add(i, stConstraints, fmt.Sprintf("%s (%s): %s (RFC 5280 §4.2.1.10); it needs a CA allowed to issue for that name",
					c.Name(), position(i, n), msg))
			}
		}
		// §6.1.3 (d)-(f)
		if err := st.tree.processCert(c, depth, certs, st.inhibitAny); err != nil {
			add(i, stPolicy, err.Error())
		}
		if st.explicit == 0 && st.tree.null() {
			add(i, stPolicy, fmt.Sprintf("%s (%s) leaves no certificate policy valid for the path, and a CA above requires an explicit policy (RFC 5280 §6.1.3 (f)); %s", c.Name(), position(i, n), policyHint))
		}
		if !last {
			prepareNext(st, c, i, n, depth, add)
		} else {
			wrapUp(st, c, add)
		}
		for _, msg := range certRules(c, i, n, in.profile) {
			add(i, msg.status, msg.text)
		}
	}
	// The purpose and the host are the leaf's, also when it is trusted
	// directly.
	for _, p := range purposeProblems(path, in) {
		add(p.idx, p.status, p.text)
	}
	if in.host != "" {
		if msg := hostProblem(path[0], in.host, in.profile); msg != "" {
			add(0, stName, msg)
		}
	}
	if in.profile == ProfileWebPKI {
		for _, p := range webpkiProblems(path, in) {
			add(p.idx, p.status, p.text)
		}
	}
	return ps
}

const policyHint = "ask the CA for certificates that assert a common policy, or for a path without requireExplicitPolicy"

// signatureProblem is RFC 5280 §6.1.3 (a)(1): the certificate's signature
// verifies with the working public key, which is the key of the
// certificate above it, with DSA parameters inherited from further up
// when that key has none (§6.1.4 (d)-(f)).
func signatureProblem(st *pathState, c *Cert, pos string) string {
	if err := verifyCert(st.workingIssuer, st.dsaParams, c); err != nil {
		return signatureWords(c, st.workingIssuer, pos, err) + " (RFC 5280 §6.1.3 (a)(1))"
	}
	return ""
}

// sha1Sunset is when SHA-1 stopped being an acceptable certificate
// signature: the CA/Browser Forum forbade issuing with it from 2016 and
// browsers stopped trusting it at the start of 2017.
var sha1Sunset = time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)

// weakSignatureProblem refuses a SHA-1 signature when validating as of
// sha1Sunset or later, or under --profile webpki (BR §7.1.3.2): SHA-1
// collisions can be made to order, so a signature with it no longer
// proves who signed. Validating as of an earlier time (--at), as in
// audits of old chains and in PKITS, accepts it, as RFC 3279 §2.2 does.
func weakSignatureProblem(algID []byte, in *pathInput) string {
	algo, _ := sigAlgorithm(algID)
	switch algo {
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
	default:
		return ""
	}
	if in.profile == ProfileWebPKI {
		return "is signed with SHA-1, which the Baseline Requirements (§7.1.3.2) forbid; the CA must reissue it with SHA-256 or better"
	}
	if !in.at.Before(sha1Sunset) {
		return "is signed with SHA-1, which has not been safe since " + day(sha1Sunset) + " (chosen-prefix collisions); the CA must reissue it with SHA-256 or better (validating --at an earlier time accepts it)"
	}
	return ""
}

// validityProblem is RFC 5280 §6.1.3 (a)(2): the time asked about is
// within the validity period (both ends included, §4.1.2.5).
func validityProblem(c *Cert, at time.Time, pos string) string {
	switch {
	case at.Before(c.NotBefore):
		return fmt.Sprintf("%s (%s) is not valid before %s; wait, or check the clock and --at", c.Name(), pos, stamp(c.NotBefore))
	case at.After(c.NotAfter):
		return fmt.Sprintf("%s (%s) expired on %s; renew it", c.Name(), pos, day(c.NotAfter))
	}
	return ""
}

func validityStatus(c *Cert, at time.Time) string {
	if at.Before(c.NotBefore) {
		return stNotYetValid
	}
	return stExpired
}

// nameChainingProblem is RFC 5280 §6.1.3 (a)(4): the issuer name is the
// working issuer name, compared as §7.1 says (case-insensitive,
// whitespace folded, whatever the string type).
func nameChainingProblem(issuer, c *Cert) string {
	if c.issuerKey != issuer.subjectKey {
		return fmt.Sprintf("%s names %s as its issuer, not %s (RFC 5280 §6.1.3 (a)(4))", c.Name(), c.issuerText(), issuer.Name())
	}
	return ""
}

// prepareNext is RFC 5280 §6.1.4 for intermediate certificate c.
func prepareNext(st *pathState, c *Cert, i, n, depth int, add func(int, string, string)) {
	pos := position(i, n)
	// (a): anyPolicy may not be mapped.
	for _, m := range c.PolicyMappings {
		if m[0] == anyPolicy || m[1] == anyPolicy {
			add(i, stPolicy, fmt.Sprintf("%s (%s) maps anyPolicy, which RFC 5280 §6.1.4 (a) forbids; the CA must reissue it", c.Name(), pos))
		}
	}
	// (b)
	if err := st.tree.applyMappings(c, depth, st.mapping); err != nil {
		add(i, stPolicy, err.Error())
	}
	// (c)-(f)
	params := c.dsaParams()
	if params == nil {
		if k, err := c.publicKey(); err == nil {
			if _, isDSA := k.(*dsaKey); isDSA {
				params = st.dsaParams
			}
		}
	}
	st.workingIssuer, st.dsaParams = c, params
	// (g)
	st.nc.addConstraints(c)
	// (h)
	if !c.selfIssued() {
		if st.explicit > 0 {
			st.explicit--
		}
		if st.mapping > 0 {
			st.mapping--
		}
		if st.inhibitAny > 0 {
			st.inhibitAny--
		}
	}
	// (i), (j)
	if c.RequireExplicit >= 0 && c.RequireExplicit < st.explicit {
		st.explicit = c.RequireExplicit
	}
	if c.InhibitMapping >= 0 && c.InhibitMapping < st.mapping {
		st.mapping = c.InhibitMapping
	}
	if c.InhibitAny >= 0 && c.InhibitAny < st.inhibitAny {
		st.inhibitAny = c.InhibitAny
	}
	if msg := caProblem(c, pos); msg != "" {
		add(i, stNotCA, msg)
	}
	if msg := pathLenProblem(st, c, pos); msg != "" {
		add(i, stPathLen, msg)
	}
	if msg := keyCertSignProblem(c, pos); msg != "" {
		add(i, stKeyUsage, msg)
	}
	if msg := criticalExtensionProblem(c, pos); msg != "" {
		add(i, stCritical, msg)
	}
}

// caProblem is RFC 5280 §6.1.4 (k): an intermediate must be a CA
// (basicConstraints cA TRUE). trustctl holds version 1 and 2 certificates
// to it too: they cannot say they are CAs.
func caProblem(c *Cert, pos string) string {
	if !c.hasBC {
		return fmt.Sprintf("%s (%s) issued the certificate below it but is not a CA: it has no basicConstraints extension (RFC 5280 §6.1.4 (k)); reissue it with basicConstraints CA:TRUE", c.Name(), pos)
	}
	if !c.IsCA {
		return fmt.Sprintf("%s (%s) issued the certificate below it but is not a CA: its basicConstraints say CA:FALSE (RFC 5280 §6.1.4 (k)); reissue it with CA:TRUE", c.Name(), pos)
	}
	return ""
}

// pathLenProblem is RFC 5280 §6.1.4 (l) and (m): every CA certificate that
// is not self-issued uses up one of the intermediates max_path_length
// allows; pathLenConstraint can only lower it. Self-issued certificates
// (a key rollover, a re-keyed CA) are not counted.
func pathLenProblem(st *pathState, c *Cert, pos string) string {
	var msg string
	if !c.selfIssued() {
		if st.maxPathLen <= 0 {
			msg = fmt.Sprintf("%s (%s) is one intermediate CA too many: a CA above it limits the path with pathLenConstraint (RFC 5280 §6.1.4 (l)); use a shorter chain or a CA whose pathlen allows it", c.Name(), pos)
		}
		st.maxPathLen--
	}
	if c.hasBC && c.PathLen >= 0 && c.PathLen < st.maxPathLen {
		st.maxPathLen = c.PathLen
	}
	return msg
}

// keyCertSignProblem is RFC 5280 §6.1.4 (n): a CA whose key usage is
// present must assert keyCertSign to issue certificates.
func keyCertSignProblem(c *Cert, pos string) string {
	if c.hasKU && c.KeyUsage&keyCertSign == 0 {
		return fmt.Sprintf("%s (%s) may not sign certificates: its key usage lacks keyCertSign (RFC 5280 §6.1.4 (n)); reissue it with keyCertSign", c.Name(), pos)
	}
	return ""
}

// criticalExtensionProblem is RFC 5280 §6.1.4 (o) and §6.1.5 (f): a
// critical extension the validator does not process makes the
// certificate unusable. The message names the extension.
func criticalExtensionProblem(c *Cert, pos string) string {
	if len(c.unhandledCritical) == 0 {
		return ""
	}
	return fmt.Sprintf("%s (%s) has a critical extension trustctl does not process (%s), so it must be rejected (RFC 5280 §6.1.4 (o)); the CA must not mark that extension critical", c.Name(), pos, oidNames(c.unhandledCritical))
}

func oidNames(oids []string) string {
	s := ""
	for i, o := range oids {
		if i > 0 {
			s += ", "
		}
		s += "OID " + o
	}
	return s
}

// wrapUp is RFC 5280 §6.1.5 for the leaf.
func wrapUp(st *pathState, c *Cert, add func(int, string, string)) {
	if st.explicit > 0 {
		st.explicit--
	}
	if c.RequireExplicit == 0 {
		st.explicit = 0
	}
	// (g): the user-initial-policy-set is anyPolicy, so the tree stays.
	if st.explicit == 0 && st.tree.null() {
		add(0, stPolicy, fmt.Sprintf("no certificate policy is valid for the whole path, and a certificate in it requires an explicit policy (RFC 5280 §6.1.5 (g)); %s", policyHint))
	}
	if msg := criticalExtensionProblem(c, "the leaf"); msg != "" {
		add(0, stCritical, msg)
	}
}

// anchorProblems holds the trust anchor's certificate to what a CA that
// signed the next certificate must be: valid now, a CA, allowed to sign
// certificates, no critical extension left unprocessed.
func anchorProblems(a *Cert, n int, in *pathInput) []problem {
	var ps []problem
	i := n - 1
	if msg := validityProblem(a, in.at, "the trust anchor"); msg != "" {
		ps = append(ps, problem{i, validityStatus(a, in.at), msg})
	}
	if a.Version >= 3 {
		if msg := caProblem(a, "the trust anchor"); msg != "" {
			ps = append(ps, problem{i, stNotCA, msg})
		}
	}
	if msg := keyCertSignProblem(a, "the trust anchor"); msg != "" {
		ps = append(ps, problem{i, stKeyUsage, msg})
	}
	if msg := criticalExtensionProblem(a, "the trust anchor"); msg != "" {
		ps = append(ps, problem{i, stCritical, msg})
	}
	for _, r := range certRules(a, i, n, in.profile) {
		ps = append(ps, problem{i, r.status, r.text})
	}
	return ps
}
