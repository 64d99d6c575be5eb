package chain

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Purposes accepted by [ParsePurpose] and [VerifyOptions].Purpose.
var Purposes = []string{"server", "client", "codesign", "any"}

// ErrUnknownPurpose is returned for a purpose not in [Purposes].
var ErrUnknownPurpose = errors.New("unknown purpose (use server, client, codesign or any)")

// ParsePurpose maps a purpose name to the extended key usage it requires.
// The empty string is "any".
func ParsePurpose(s string) (x509.ExtKeyUsage, error) {
	switch strings.ToLower(s) {
	case "server":
		return x509.ExtKeyUsageServerAuth, nil
	case "client":
		return x509.ExtKeyUsageClientAuth, nil
	case "codesign", "code-signing", "codesigning":
		return x509.ExtKeyUsageCodeSigning, nil
	case "any", "":
		return x509.ExtKeyUsageAny, nil
	}
	return 0, fmt.Errorf("%q: %w", s, ErrUnknownPurpose)
}

var ekuNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:             "any",
	x509.ExtKeyUsageServerAuth:      "TLS server authentication",
	x509.ExtKeyUsageClientAuth:      "TLS client authentication",
	x509.ExtKeyUsageCodeSigning:     "code signing",
	x509.ExtKeyUsageEmailProtection: "e-mail protection",
	x509.ExtKeyUsageTimeStamping:    "time stamping",
	x509.ExtKeyUsageOCSPSigning:     "OCSP signing",
	x509.ExtKeyUsageIPSECEndSystem:  "IPsec end system",
	x509.ExtKeyUsageIPSECTunnel:     "IPsec tunnel",
	x509.ExtKeyUsageIPSECUser:       "IPsec user",
}

func ekuList(c *x509.Certificate) string {
	var names []string
	for _, u := range c.ExtKeyUsage {
		if n, ok := ekuNames[u]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("usage %d", u))
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		names = append(names, oid.String())
	}
	return strings.Join(names, ", ")
}

// RevocationFunc asks a revocation service (OCSP) about cert. It returns
// an answer with Status unknown, or an error, when it cannot tell.
type RevocationFunc func(ctx context.Context, cert, issuer *x509.Certificate) (*Revocation, error)

// VerifyOptions says what to verify and against what.
type VerifyOptions struct {
	Context context.Context // for OCSP; nil means context.Background()
	Leaf    *x509.Certificate
	// Intermediates may be found on the way to a root; order and
	// duplicates do not matter.
	Intermediates []*x509.Certificate
	// Roots are the trust anchors. An anchor may be an intermediate CA
	// (a partial chain is then trusted from it, as crypto/x509 does).
	Roots []*x509.Certificate
	// SystemRoots adds the operating system's trusted roots.
	SystemRoots bool
	// Host, when set, must match the leaf: a DNS name or an IP address.
	Host string
	// Purpose is server, client, codesign or any ("" is any).
	Purpose string
	// At is the validation time; zero means now.
	At time.Time
	// CRLs are checked for every certificate below the trust anchor.
	CRLs []*x509.RevocationList
	// OCSP, when set, is asked about every certificate below the anchor.
	OCSP RevocationFunc
	// RequireRevocation fails a chain any of whose certificates below
	// the anchor has no current answer (good or revoked).
	RequireRevocation bool
}

// Link is one certificate of a chain with what was found about it.
type Link struct {
	Cert       *x509.Certificate `json:"-"`
	Subject    string            `json:"subject"`
	Issuer     string            `json:"issuer"`
	Serial     string            `json:"serial"`
	NotBefore  time.Time         `json:"not_before"`
	NotAfter   time.Time         `json:"not_after"`
	SHA256     string            `json:"sha256"`
	Role       string            `json:"role"` // leaf, intermediate or root
	Trusted    bool              `json:"trusted"`
	Status     string            `json:"status"` // "ok", or the first problem in short: expired, not a CA, ...
	Problems   []string          `json:"problems,omitempty"`
	Revocation []*Revocation     `json:"revocation,omitempty"`
}

// Result is the outcome of [Verify]. Chain is the chain crypto/x509
// accepted or, when none was, the most telling candidate path (one that
// reaches a trust anchor if any does).
type Result struct {
	Valid       bool      `json:"valid"`
	At          time.Time `json:"at"`
	Host        string    `json:"host,omitempty"`
	Purpose     string    `json:"purpose"`
	Chain       []*Link   `json:"chain"`
	Problems    []string  `json:"problems,omitempty"`
	Notes       []string  `json:"notes,omitempty"`
	ValidChains int       `json:"valid_chains"`
}

// Short statuses of a link.
const (
	stOK            = "ok"
	stExpired       = "expired"
	stNotYetValid   = "not yet valid"
	stNotCA         = "not a CA"
	stPathLen       = "path too long"
	stKeyUsage      = "key usage"
	stPurpose       = "wrong purpose"
	stName          = "name mismatch"
	stSignature     = "bad signature"
	stUntrusted     = "untrusted"
	stConstraints   = "name constraints"
	stRevoked       = "revoked"
	stNoRevInfo     = "revocation unknown"
	stRevocationErr = "bad CRL"
	stInvalid       = "invalid"
)

type problem struct {
	idx    int // link index
	status string
	text   string
}

// verifier holds what one Verify call needs.
type verifier struct {
	opts    VerifyOptions
	eku     x509.ExtKeyUsage
	at      time.Time
	roots   map[string]bool
	sysPool *x509.CertPool
	sysMemo map[string]bool // certificates already looked up in sysPool
}

func (v *verifier) trusted(c *x509.Certificate) bool {
	if v.roots[string(c.Raw)] {
		return true
	}
	if v.sysPool != nil {
		if in, ok := v.sysMemo[string(c.Raw)]; ok {
			return in
		}
		// crypto/x509 has no "contains" for a pool; a certificate that is
		// itself in Roots verifies as the one-element chain.
		t := c.NotBefore.Add(time.Second)
		chains, err := c.Verify(x509.VerifyOptions{Roots: v.sysPool, CurrentTime: t, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		in := err == nil && len(chains) > 0 && len(chains[0]) == 1
		if v.sysMemo == nil {
			v.sysMemo = make(map[string]bool)
		}
		v.sysMemo[string(c.Raw)] = in
		return in
	}
	return false
}

// systemIssuer returns the system root that issued c, or nil. It asks
// crypto/x509 for a chain from c alone to the system pool, at a time c
// is valid, since only the link matters here.
func (v *verifier) systemIssuer(c *x509.Certificate) *x509.Certificate {
	chains, err := c.Verify(x509.VerifyOptions{Roots: v.sysPool, CurrentTime: c.NotBefore.Add(time.Second),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil || len(chains) == 0 || len(chains[0]) < 2 {
		return nil
	}
	return chains[0][1]
}

// Verify validates opts.Leaf as of opts.At with crypto/x509's Verify and,
// when that fails, explains why in words naming the certificate at fault,
// from the error's type and an inspection of the best candidate path
// (validity, CA flag, path length, key usage, EKU, host, signatures,
// trust). On an accepted chain it then applies a few RFC 5280 profile
// rules crypto/x509 leaves out (see profileProblems; key usage of CAs
// among them) and checks revocation (CRLs, OCSP).
//
// Verify returns an error only for unusable input (no leaf, unknown
// purpose, system roots unavailable); an invalid chain is a Result with
// Valid false.
func Verify(opts VerifyOptions) (*Result, error) {
	if opts.Leaf == nil {
		return nil, ErrNoLeaf
	}
	eku, err := ParsePurpose(opts.Purpose)
	if err != nil {
		return nil, err
	}
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	v := &verifier{opts: opts, eku: eku, at: at, roots: make(map[string]bool)}
	roots := x509.NewCertPool()
	if opts.SystemRoots {
		sys, err := x509.SystemCertPool()
		if err != nil {
			return nil, fmt.Errorf("loading the system roots: %w", err)
		}
		v.sysPool = sys.Clone()
		roots = sys
	}
	for _, r := range opts.Roots {
		roots.AddCert(r)
		v.roots[string(r.Raw)] = true
	}
	inter := x509.NewCertPool()
	for _, c := range opts.Intermediates {
		inter.AddCert(c)
	}
	purpose := opts.Purpose
	if purpose == "" {
		purpose = "any"
	}
	res := &Result{At: at, Host: opts.Host, Purpose: purpose}
	chains, verr := opts.Leaf.Verify(x509.VerifyOptions{
		DNSName:       opts.Host,
		Intermediates: inter,
		Roots:         roots,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{eku},
	})
	if verr == nil {
		v.accepted(res, chains)
		return res, nil
	}
	v.explain(res, verr)
	return res, nil
}

// accepted fills res from the chains crypto/x509 accepted: the first
// (shortest) one passing the extra checks is shown, with revocation.
func (v *verifier) accepted(res *Result, chains [][]*x509.Certificate) {
	// Shortest first, as a person reads "the" chain.
	for i := 1; i < len(chains); i++ {
		for j := i; j > 0 && len(chains[j]) < len(chains[j-1]); j-- {
			chains[j], chains[j-1] = chains[j-1], chains[j]
		}
	}
	var best []*x509.Certificate
	var bestProblems []problem
	for _, ch := range chains {
		ps := profileProblems(ch)
		if len(ps) == 0 {
			res.ValidChains++
			if best == nil || bestProblems != nil {
				best, bestProblems = ch, nil
			}
		} else if best == nil {
			best, bestProblems = ch, ps
		}
	}
	links := v.links(best, true)
	ps := bestProblems
	if len(ps) == 0 {
		ps = v.revocation(links)
	}
	v.finish(res, links, ps)
	if res.ValidChains > 1 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d valid chains; the shortest is shown", res.ValidChains))
	}
}

// profileProblems applies RFC 5280 rules crypto/x509 leaves out to a chain
// it accepted. Each is a MUST of the certificate profile that no
// conforming CA breaks, public or private, so refusing costs nothing real:
//   - a CA's key usage without keyCertSign forbids signing certificates
//     (§4.2.1.3, §6.1.4 (n)); crypto/x509 ignores key usage of CAs. The
//     trust anchor is held to it too when it signed the next link;
//   - keyCertSign in a certificate that is not a CA (§4.2.1.9: "If the
//     keyCertSign bit is asserted, then the cA bit ... MUST also be");
//   - name constraints in an end-entity certificate (§4.2.1.10: "MUST be
//     used only in a CA certificate");
//   - an extended key usage extension with no purpose in it (§4.2.1.12:
//     "one or more purposes"), which crypto/x509 reads as no extension.
func profileProblems(ch []*x509.Certificate) []problem {
	var ps []problem
	for i := 1; i < len(ch); i++ {
		c := ch[i]
		if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0 {
			ps = append(ps, problem{i, stKeyUsage, fmt.Sprintf("%s may not sign certificates: its key usage lacks keyCertSign", Name(c))})
		}
	}
	leaf := ch[0]
	// A leaf trusted directly (pinned, len 1) is taken as it is.
	if len(ch) > 1 {
		if leaf.KeyUsage&x509.KeyUsageCertSign != 0 && !(leaf.BasicConstraintsValid && leaf.IsCA) {
			ps = append(ps, problem{0, stKeyUsage, fmt.Sprintf("%s has keyCertSign in its key usage but is not a CA (RFC 5280 §4.2.1.9)", Name(leaf))})
		}
		if !leaf.IsCA && hasExtension(leaf, oidNameConstraints) {
			ps = append(ps, problem{0, stConstraints, fmt.Sprintf("%s is not a CA but carries name constraints (RFC 5280 §4.2.1.10)", Name(leaf))})
		}
	}
	for i, c := range ch {
		if hasExtension(c, oidExtKeyUsage) && len(c.ExtKeyUsage)+len(c.UnknownExtKeyUsage) == 0 {
			ps = append(ps, problem{i, stPurpose, fmt.Sprintf("%s has an empty extended key usage extension (RFC 5280 §4.2.1.12 requires one or more purposes)", Name(c))})
		}
	}
	return ps
}

var (
	oidNameConstraints = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidExtKeyUsage     = asn1.ObjectIdentifier{2, 5, 29, 37}
)

func hasExtension(c *x509.Certificate, oid asn1.ObjectIdentifier) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			return true
		}
	}
	return false
}

func (v *verifier) links(ch []*x509.Certificate, valid bool) []*Link {
	links := make([]*Link, len(ch))
	for i, c := range ch {
		role := "intermediate"
		switch {
		case i == 0:
			role = "leaf"
		case i == len(ch)-1 && (valid || selfSigned(c) || v.trusted(c)):
			role = "root"
		}
		links[i] = &Link{
			Cert: c, Subject: Name(c), Issuer: issuerName(c), Serial: serialHex(c),
			NotBefore: c.NotBefore, NotAfter: c.NotAfter, SHA256: fingerprint(c),
			Role: role, Status: stOK,
			Trusted: i == len(ch)-1 && (valid || v.trusted(c)),
		}
	}
	if len(ch) == 1 && links[0].Trusted {
		links[0].Role = "leaf"
	}
	return links
}

func (v *verifier) finish(res *Result, links []*Link, ps []problem) {
	res.Chain = links
	for _, p := range ps {
		l := links[p.idx]
		if l.Status == stOK {
			l.Status = p.status
		}
		l.Problems = append(l.Problems, p.text)
		res.Problems = append(res.Problems, p.text)
	}
	res.Valid = len(ps) == 0
}

// revocation checks every link below the anchor with the CRLs and OCSP.
func (v *verifier) revocation(links []*Link) []problem {
	var ps []problem
	if len(v.opts.CRLs) == 0 && v.opts.OCSP == nil && !v.opts.RequireRevocation {
		return nil
	}
	for i := 0; i+1 < len(links); i++ {
		cert, issuer := links[i].Cert, links[i+1].Cert
		l := links[i]
		if len(v.opts.CRLs) > 0 {
			if r := CheckCRL(cert, issuer, v.opts.CRLs, v.at); r != nil {
				l.Revocation = append(l.Revocation, r)
			}
		}
		if v.opts.OCSP != nil {
			r, err := v.opts.OCSP(v.opts.Context, cert, issuer)
			if err != nil {
				r = &Revocation{Source: "ocsp", Status: StatusUnknown, Detail: err.Error()}
			}
			if r != nil {
				l.Revocation = append(l.Revocation, r)
			}
		}
		var revoked, broken *Revocation
		answered := false
		var unknown []string
		for _, r := range l.Revocation {
			switch r.Status {
			case StatusRevoked:
				if revoked == nil {
					revoked = r
				}
			case StatusGood:
				answered = true
			case StatusError:
				broken = r
			default:
				if r.Detail != "" {
					unknown = append(unknown, r.Detail)
				}
			}
		}
		switch {
		case revoked != nil:
			when := ""
			if revoked.RevokedAt != nil {
				when = " on " + day(*revoked.RevokedAt)
			}
			ps = append(ps, problem{i, stRevoked, fmt.Sprintf("%s was revoked%s (reason: %s, from %s)", Name(cert), when, revoked.Reason, strings.ToUpper(revoked.Source))})
		case broken != nil:
			ps = append(ps, problem{i, stRevocationErr, broken.Detail})
		case v.opts.RequireRevocation && !answered:
			msg := fmt.Sprintf("no current revocation information for %s", Name(cert))
			if len(unknown) > 0 {
				msg += ": " + strings.Join(unknown, "; ")
			} else {
				msg += " (no CRL of " + Name(issuer) + " given"
				if v.opts.OCSP == nil {
					msg += ", OCSP not asked)"
				} else {
					msg += ")"
				}
			}
			ps = append(ps, problem{i, stNoRevInfo, msg})
		}
	}
	return ps
}

// explain fills res for a chain crypto/x509 refused.
func (v *verifier) explain(res *Result, verr error) {
	pool := dedupe(append(append([]*x509.Certificate(nil), v.opts.Intermediates...), v.opts.Roots...))
	index := bySubject(pool)
	issuers := func(c *x509.Certificate) []*x509.Certificate {
		cands := index[string(c.RawIssuer)]
		if len(cands) == 0 && v.sysPool != nil {
			// The system roots cannot be listed; ask crypto/x509 for the
			// one that issued c, if any.
			if r := v.systemIssuer(c); r != nil {
				cands = []*x509.Certificate{r}
			}
		}
		// Those whose key verifies the signature first.
		var good, bad []*x509.Certificate
		for _, p := range cands {
			if checkSig(p, c) == nil {
				good = append(good, p)
			} else {
				bad = append(bad, p)
			}
		}
		return append(good, bad...)
	}
	stop := func(c *x509.Certificate) bool { return v.trusted(c) || selfSigned(c) }
	paths := enumerate(v.opts.Leaf, issuers, stop, defaultMaxDepth)
	// The most telling path: one whose signatures all verify (a
	// same-named certificate with another key is not the issuer) and
	// that reaches an anchor; then the fewest problems; then one ending
	// at a self-signed root rather than a dead end.
	rank := func(p []*x509.Certificate, ps []problem) int {
		r := 0
		for _, q := range ps {
			if q.status == stSignature {
				r += 4
				break
			}
		}
		if !v.trusted(p[len(p)-1]) {
			r += 2
		}
		if !selfSigned(p[len(p)-1]) {
			r++
		}
		return r
	}
	var best []*x509.Certificate
	var bestPs []problem
	bestRank := 0
	for _, p := range paths {
		ps := v.inspect(p)
		r := rank(p, ps)
		if best == nil || r>>1 < bestRank>>1 || (r>>1 == bestRank>>1 && (len(ps) < len(bestPs) || len(ps) == len(bestPs) && r < bestRank)) {
			best, bestPs, bestRank = p, ps, r
		}
	}
	links := v.links(best, false)
	// What crypto/x509 said, unless the inspection already said it.
	if gp, ok := v.fromX509(verr, best); ok {
		covered := false
		for _, p := range bestPs {
			if p.status == gp.status || (gp.status == stExpired && p.status == stNotYetValid) {
				covered = true
			}
		}
		if !covered {
			bestPs = append(bestPs, gp)
		}
	}
	v.finish(res, links, bestPs)
	res.Valid = false
}

// inspect lists what is wrong with a candidate path, leaf first, mirroring
// the checks of crypto/x509's isValid so the words match its verdict.
func (v *verifier) inspect(p []*x509.Certificate) []problem {
	var ps []problem
	last := len(p) - 1
	anchor := v.trusted(p[last])
	for i, c := range p {
		switch {
		case v.at.Before(c.NotBefore):
			ps = append(ps, problem{i, stNotYetValid, fmt.Sprintf("%s is not valid before %s", Name(c), day(c.NotBefore))})
		case v.at.After(c.NotAfter):
			ps = append(ps, problem{i, stExpired, fmt.Sprintf("%s expired on %s", Name(c), day(c.NotAfter))})
		}
		if i > 0 {
			child := p[i-1]
			if err := checkSig(c, child); err != nil {
				ps = append(ps, problem{i - 1, stSignature, fmt.Sprintf("the signature on %s does not verify with the key of %s (%v)", Name(child), Name(c), err)})
			}
			if !(i == last && anchor) {
				// crypto/x509 checks CA:TRUE on intermediates, not on anchors.
				if !c.BasicConstraintsValid || !c.IsCA {
					ps = append(ps, problem{i, stNotCA, fmt.Sprintf("%s is not allowed to sign certificates: it is not a CA (no basicConstraints CA:TRUE)", Name(c))})
				} else if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0 {
					ps = append(ps, problem{i, stKeyUsage, fmt.Sprintf("%s may not sign certificates: its key usage lacks keyCertSign", Name(c))})
				}
			}
			// RFC 5280 §4.2.1.9: pathLenConstraint counts the
			// intermediate CAs below this one (the leaf excluded).
			if c.BasicConstraintsValid && c.MaxPathLen >= 0 && i-1 > c.MaxPathLen {
				ps = append(ps, problem{i, stPathLen, fmt.Sprintf("%s allows %d intermediate CA(s) below it (pathlen:%d), this chain has %d", Name(c), c.MaxPathLen, c.MaxPathLen, i-1)})
			}
		}
		if v.eku != x509.ExtKeyUsageAny && !(i == last && anchor) && len(c.ExtKeyUsage)+len(c.UnknownExtKeyUsage) > 0 && !hasEKU(c, v.eku) {
			if i == 0 {
				ps = append(ps, problem{i, stPurpose, fmt.Sprintf("%s is not for %s: its extended key usage is %s", Name(c), ekuNames[v.eku], ekuList(c))})
			} else {
				ps = append(ps, problem{i, stPurpose, fmt.Sprintf("%s restricts what it issues to %s, not %s", Name(c), ekuList(c), ekuNames[v.eku])})
			}
		}
		if i == 0 && v.opts.Host != "" {
			if err := c.VerifyHostname(v.opts.Host); err != nil {
				ps = append(ps, problem{i, stName, hostWords(c, v.opts.Host)})
			}
		}
	}
	if !anchor {
		ps = append(ps, problem{last, stUntrusted, v.untrustedWords(p[last])})
	}
	return ps
}

func hasEKU(c *x509.Certificate, want x509.ExtKeyUsage) bool {
	for _, u := range c.ExtKeyUsage {
		if u == want || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

// hostWords says which names a certificate is valid for.
func hostWords(c *x509.Certificate, host string) string {
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		// Go, like browsers, ignores the CN for host names (RFC 6125
		// §6.4.4 allows the fallback; CA/B Forum requires SANs).
		return fmt.Sprintf("%s has no DNS names or IP addresses in its subject alternative names, so it is valid for no host (not %s)", Name(c), host)
	}
	const max = 8
	more := ""
	if len(names) > max {
		more = fmt.Sprintf(" and %d more", len(names)-max)
		names = names[:max]
	}
	return fmt.Sprintf("%s is valid for %s%s, not %s", Name(c), strings.Join(names, ", "), more, host)
}

// untrustedWords explains a path that does not reach a trust anchor.
func (v *verifier) untrustedWords(last *x509.Certificate) string {
	var msg, want string
	if selfSigned(last) {
		msg = fmt.Sprintf("no trusted root: the chain ends at %s, which is not in the truststore", Name(last))
		want = string(last.RawSubject)
	} else {
		msg = fmt.Sprintf("no trusted root: %s was issued by %s, which is neither among the intermediates nor in the truststore", Name(last), issuerName(last))
		want = string(last.RawIssuer)
	}
	if len(v.opts.Roots) == 0 {
		if v.opts.SystemRoots {
			return msg + " (the system roots were used)"
		}
		return msg + " (the truststore is empty)"
	}
	for _, r := range v.opts.Roots {
		if string(r.RawSubject) == want {
			return msg + fmt.Sprintf(" (closest: the truststore has a certificate named %s with another key, SHA-256 %s)", Name(r), fingerprint(r))
		}
	}
	cn := last.Issuer.CommonName
	if selfSigned(last) {
		cn = last.Subject.CommonName
	}
	if cn != "" {
		for _, r := range v.opts.Roots {
			if r.Subject.CommonName == cn {
				return msg + fmt.Sprintf(" (closest: %s has the same common name)", Name(r))
			}
		}
	}
	if len(v.opts.Roots) == 1 {
		return msg + fmt.Sprintf(" (the truststore holds only %s)", Name(v.opts.Roots[0]))
	}
	return msg + fmt.Sprintf(" (none of its %d certificates has that name)", len(v.opts.Roots))
}

// fromX509 words crypto/x509's error from its type, naming the
// certificate it names; the problem is placed on that link of the path.
func (v *verifier) fromX509(err error, path []*x509.Certificate) (problem, bool) {
	idxOf := func(c *x509.Certificate) int {
		for i, p := range path {
			if c != nil && string(p.Raw) == string(c.Raw) {
				return i
			}
		}
		return 0
	}
	var (
		cie *x509.CertificateInvalidError
		he  x509.HostnameError
		hep *x509.HostnameError
		uae x509.UnknownAuthorityError
		uap *x509.UnknownAuthorityError
		sre x509.SystemRootsError
		uce x509.UnhandledCriticalExtension
	)
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ci):
		cie = &ci
	case errors.As(err, &cie):
	}
	if cie != nil {
		c := cie.Cert
		i := idxOf(c)
		switch cie.Reason {
		case x509.Expired:
			if c != nil && v.at.Before(c.NotBefore) {
				return problem{i, stNotYetValid, fmt.Sprintf("%s is not valid before %s", Name(c), day(c.NotBefore))}, true
			}
			if c != nil {
				return problem{i, stExpired, fmt.Sprintf("%s expired on %s", Name(c), day(c.NotAfter))}, true
			}
		case x509.NotAuthorizedToSign:
			return problem{i, stNotCA, fmt.Sprintf("%s is not allowed to sign certificates", Name(c))}, true
		case x509.CANotAuthorizedForThisName, x509.NameConstraintsWithoutSANs, x509.UnconstrainedName, x509.TooManyConstraints:
			d := cie.Detail
			if d == "" {
				d = cie.Error()
			}
			// crypto/x509 names the certificate whose names broke the
			// constraints; name the CA that set them instead.
			for j := len(path) - 1; j > 0; j-- {
				if hasNameConstraints(path[j]) {
					c, i = path[j], j
					break
				}
			}
			return problem{i, stConstraints, fmt.Sprintf("the name constraints of %s do not allow the names of the leaf: %s", Name(c), d)}, true
		case x509.TooManyIntermediates:
			return problem{i, stPathLen, fmt.Sprintf("%s limits the number of intermediate CAs below it (pathlen) and this chain has more", Name(c))}, true
		case x509.IncompatibleUsage, x509.CANotAuthorizedForExtKeyUsage:
			return problem{i, stPurpose, fmt.Sprintf("%s is not valid for %s (extended key usage)", Name(c), ekuNames[v.eku])}, true
		}
		return problem{i, stInvalid, fmt.Sprintf("%s: %s", Name(c), cie.Error())}, true
	}
	switch {
	case errors.As(err, &he):
		return problem{0, stName, hostWords(he.Certificate, he.Host)}, true
	case errors.As(err, &hep):
		return problem{0, stName, hostWords(hep.Certificate, hep.Host)}, true
	case errors.As(err, &uae), errors.As(err, &uap):
		last := path[len(path)-1]
		if v.trusted(last) {
			return problem{len(path) - 1, stUntrusted, fmt.Sprintf("no trusted root: no path from %s reaches the truststore with valid signatures", Name(path[0]))}, true
		}
		return problem{len(path) - 1, stUntrusted, v.untrustedWords(last)}, true
	case errors.As(err, &sre):
		return problem{len(path) - 1, stUntrusted, "no trusted root: the system roots could not be loaded"}, true
	case errors.As(err, &uce):
		return problem{0, stInvalid, "a certificate in the chain has a critical extension that crypto/x509 does not handle"}, true
	}
	return problem{0, stInvalid, err.Error()}, true
}

func hasNameConstraints(c *x509.Certificate) bool {
	return len(c.PermittedDNSDomains)+len(c.ExcludedDNSDomains)+len(c.PermittedIPRanges)+len(c.ExcludedIPRanges)+
		len(c.PermittedEmailAddresses)+len(c.ExcludedEmailAddresses)+len(c.PermittedURIDomains)+len(c.ExcludedURIDomains) > 0
}
