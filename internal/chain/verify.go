package chain

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
)

// Purposes accepted by [ParsePurpose] and [VerifyOptions].Purpose.
var Purposes = []string{"server", "client", "codesign", "any"}

// ErrUnknownPurpose is returned for a purpose not in [Purposes].
var ErrUnknownPurpose = errors.New("unknown purpose (use server, client, codesign or any)")

// ErrUnknownProfile is returned for a profile other than rfc5280 and webpki.
var ErrUnknownProfile = errors.New("unknown profile (use rfc5280 or webpki)")

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

// ParseProfile checks a profile name; "" is rfc5280.
func ParseProfile(s string) (string, error) {
	switch strings.ToLower(s) {
	case "", ProfileRFC5280:
		return ProfileRFC5280, nil
	case ProfileWebPKI:
		return ProfileWebPKI, nil
	}
	return "", fmt.Errorf("%q: %w", s, ErrUnknownProfile)
}

// RevocationFunc asks a revocation service (OCSP) about cert. It returns
// an answer with Status unknown, or an error, when it cannot tell.
type RevocationFunc func(ctx context.Context, cert, issuer *x509.Certificate) (*Revocation, error)

// VerifyOptions says what to verify and against what. Certificates may be
// given parsed by crypto/x509 or as DER (the *DER fields), which also
// takes certificates crypto/x509 refuses.
type VerifyOptions struct {
	Context context.Context // for OCSP; nil means context.Background()
	Leaf    *x509.Certificate
	// LeafDER is used when Leaf is nil.
	LeafDER []byte
	// Intermediates may be found on the way to a root; order and
	// duplicates do not matter.
	Intermediates    []*x509.Certificate
	IntermediatesDER [][]byte
	// Roots are the trust anchors. An anchor may be an intermediate CA
	// (a partial chain is then trusted from it, as crypto/x509 does).
	Roots    []*x509.Certificate
	RootsDER [][]byte
	// UnreadableRoots names certificates given as roots that could not be
	// read, for the message when no path remains.
	UnreadableRoots []string
	// SystemRoots adds the operating system's trusted roots.
	SystemRoots bool
	// Host, when set, must match the leaf: a DNS name or an IP address.
	Host string
	// Purpose is server, client, codesign or any ("" is any).
	Purpose string
	// Profile is rfc5280 ("" too) or webpki: the CA/Browser Forum
	// Baseline Requirements for server certificates on top.
	Profile string
	// At is the validation time; zero means now.
	At time.Time
	// CRLs are checked for every certificate below the trust anchor.
	CRLs []*x509.RevocationList
	// OCSP, when set, is asked about every certificate below the anchor.
	OCSP RevocationFunc
	// RequireRevocation fails a chain any of whose certificates below
	// the anchor has no current answer (good or revoked).
	RequireRevocation bool
	// MaxDepth bounds the certificates in a path, leaf and anchor
	// included; zero means 10.
	MaxDepth int
}

// Link is one certificate of a chain with what was found about it.
type Link struct {
	Subject    string        `json:"subject"`
	Issuer     string        `json:"issuer"`
	Serial     string        `json:"serial"`
	NotBefore  time.Time     `json:"not_before"`
	NotAfter   time.Time     `json:"not_after"`
	SHA256     string        `json:"sha256"`
	Role       string        `json:"role"` // leaf, intermediate or root
	Trusted    bool          `json:"trusted"`
	Status     string        `json:"status"` // "ok", or the first problem in short: expired, not a CA, ...
	Problems   []string      `json:"problems,omitempty"`
	Revocation []*Revocation `json:"revocation,omitempty"`
}

// Result is the outcome of [Verify]. Chain is the valid path found or,
// when none is, the most telling candidate path (one that reaches a trust
// anchor if any does).
type Result struct {
	Valid       bool      `json:"valid"`
	At          time.Time `json:"at"`
	Host        string    `json:"host,omitempty"`
	Purpose     string    `json:"purpose"`
	Profile     string    `json:"profile"`
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
	stOCSPErr       = "bad OCSP response"
	stChaining      = "name chaining"
	stPolicy        = "policy"
	stCritical      = "critical extension"
	stProfile       = "profile"
	stWeakKey       = "weak key"
)

type problem struct {
	idx    int // link index
	status string
	text   string
}

// Verifier validates many leaves against the same roots, intermediates
// and CRLs: they are parsed once, and each issuer's signature on each
// certificate is checked once, however many leaves share it.
type Verifier struct {
	opts    VerifyOptions
	eng     *engine
	purpose string
	// Notes say what was passed over while preparing (a root or an
	// intermediate that cannot be read).
	Notes []string
}

// NewVerifier prepares a [Verifier]. It fails only for unusable options
// (unknown purpose or profile, system roots unavailable).
func NewVerifier(opts VerifyOptions) (*Verifier, error) {
	eku, err := ParsePurpose(opts.Purpose)
	if err != nil {
		return nil, err
	}
	profile, err := ParseProfile(opts.Profile)
	if err != nil {
		return nil, err
	}
	if opts.At.IsZero() {
		opts.At = time.Now()
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	v := &Verifier{opts: opts, purpose: opts.Purpose}
	if v.purpose == "" {
		v.purpose = "any"
	}
	// RFC 5280 §4.1.2.5: validity is to the second; a time asked about
	// with a fraction is compared in whole seconds.
	in := pathInput{at: opts.At.Truncate(time.Second), host: opts.Host, profile: profile}
	if eku != x509.ExtKeyUsageAny {
		in.eku = certs.ExtKeyUsageOID(eku)
		in.ekuName = certs.ExtKeyUsagePurpose(in.eku)
	}
	roots := v.parseAll(opts.Roots, opts.RootsDER, "root")
	inter := v.parseAll(opts.Intermediates, opts.IntermediatesDER, "intermediate")
	v.eng = newEngine(in, inter, roots)
	if opts.MaxDepth > 0 {
		v.eng.maxDepth = opts.MaxDepth
	}
	v.eng.rootsGiven, v.eng.systemRoots = len(opts.Roots)+len(opts.RootsDER), opts.SystemRoots
	v.eng.rootList = roots
	v.eng.unreadable = opts.UnreadableRoots
	if opts.SystemRoots {
		sys, err := x509.SystemCertPool()
		if err != nil {
			return nil, fmt.Errorf("loading the system roots: %w", err)
		}
		v.eng.sys = &sysRoots{pool: sys, memo: map[[32]byte][]*Cert{}, member: map[[32]byte]bool{}}
	}
	if len(opts.CRLs) > 0 || opts.OCSP != nil || opts.RequireRevocation {
		rc := &revChecker{ctx: opts.Context, ocsp: opts.OCSP, require: opts.RequireRevocation, e: v.eng,
			signers: &signerCache{m: map[string]string{}}}
		for _, rl := range opts.CRLs {
			rc.crls = append(rc.crls, newCRLInfo(rl))
		}
		v.eng.rev = rc
	}
	return v, nil
}

func (v *Verifier) parseAll(xs []*x509.Certificate, ders [][]byte, what string) []*Cert {
	var out []*Cert
	for _, x := range xs {
		ders = append(ders, x.Raw)
	}
	for _, d := range ders {
		c, err := ParseCert(d)
		if err != nil {
			v.Notes = append(v.Notes, fmt.Sprintf("a certificate given as %s cannot be read (%v) and was passed over", what, err))
			continue
		}
		out = append(out, c)
	}
	return out
}

// Leaf is one certificate to verify with [Verifier.VerifyAll].
type Leaf struct {
	DER []byte
	// Extra are the other certificates of its bundle: intermediates for
	// this leaf only.
	Extra [][]byte
}

// Verdict is the outcome for one [Leaf]: a Result, or the error that
// kept the leaf from being verified (it cannot be read).
type Verdict struct {
	Result *Result
	Err    error
}

// VerifyAll verifies many leaves on all CPUs and returns their verdicts in
// order; all work is done when it returns. Shared intermediates and roots
// are checked once: their signatures come from the cache after the first
// leaf.
func (v *Verifier) VerifyAll(leaves []Leaf) []Verdict {
	out := make([]Verdict, len(leaves))
	workers := min(runtime.GOMAXPROCS(0), len(leaves))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i].Result, out[i].Err = v.Verify(leaves[i].DER, leaves[i].Extra)
			}
		}()
	}
	for i := range leaves {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// Verify validates leaf (DER), with extra the other certificates of its
// own bundle, which count as intermediates for this leaf only. It may be
// called from several goroutines at once.
func (v *Verifier) Verify(leafDER []byte, extra [][]byte) (*Result, error) {
	leaf, err := ParseCert(leafDER)
	if err != nil {
		return nil, fmt.Errorf("reading the certificate: %w", err)
	}
	var more []*Cert
	for _, d := range extra {
		if c, err := ParseCert(d); err == nil {
			more = append(more, c)
		}
	}
	o := v.eng.build(leaf, more)
	res := &Result{At: v.opts.At, Host: v.opts.Host, Purpose: v.purpose, Profile: v.eng.in.profile}
	res.Chain = links(o, v.eng)
	res.Valid = len(o.problems) == 0
	if res.Valid {
		res.ValidChains = 1
	}
	for _, p := range o.problems {
		l := res.Chain[p.idx]
		if l.Status == stOK {
			l.Status = p.status
		}
		l.Problems = append(l.Problems, p.text)
		res.Problems = append(res.Problems, p.text)
	}
	res.Notes = append(res.Notes, v.Notes...)
	return res, nil
}

// Verify validates opts.Leaf (or opts.LeafDER) as of opts.At: it builds
// the paths from the leaf to the trust anchors (RFC 4158) and validates
// each as RFC 5280 §6.1 says, with revocation as §6.3 says, until one
// holds. When none does, the result explains the most telling path in
// words, naming each certificate at fault, the rule and the fix.
//
// Verify returns an error only for unusable input (no leaf, a leaf that
// cannot be read, unknown purpose or profile, system roots unavailable);
// an invalid chain is a Result with Valid false.
func Verify(opts VerifyOptions) (*Result, error) {
	der := opts.LeafDER
	if opts.Leaf != nil {
		der = opts.Leaf.Raw
	}
	if der == nil {
		return nil, ErrNoLeaf
	}
	v, err := NewVerifier(opts)
	if err != nil {
		return nil, err
	}
	return v.Verify(der, nil)
}

func links(o *outcome, e *engine) []*Link {
	n := len(o.path)
	out := make([]*Link, n)
	for i, c := range o.path {
		role := "intermediate"
		switch {
		case i == 0:
			role = "leaf"
		case i == n-1 && (o.anchored || c.selfIssued()):
			role = "root"
		}
		out[i] = &Link{
			Subject: c.Name(), Issuer: c.issuerText(), Serial: certs.SerialHex(c.Serial),
			NotBefore: c.NotBefore, NotAfter: c.NotAfter, SHA256: fingerprintOf(c),
			Role: role, Status: stOK, Trusted: i == n-1 && o.anchored,
		}
		if o.revs != nil {
			out[i].Revocation = o.revs[i]
		}
	}
	return out
}

// signatureWords says that child's signature does not verify with
// issuer's key.
func signatureWords(child, issuer *Cert, pos string, err error) string {
	return fmt.Sprintf("the signature on %s (%s) does not verify with the key of %s (%v); the certificate was altered or was not issued by that CA",
		child.Name(), pos, issuer.Name(), err)
}

// untrustedWords explains a path that does not reach a trust anchor; cut
// says the search stopped at its bounds.
func (e *engine) untrustedWords(last *Cert, cut bool) string {
	var msg, want string
	if cut {
		return fmt.Sprintf("no trusted root: the search for a path from %s stopped at its bounds (%d certificates deep, %d candidates) without reaching the truststore",
			last.Name(), e.maxDepth, maxVisits)
	}
	if last.selfIssued() && verifyCert(last, nil, last) == nil {
		msg = fmt.Sprintf("no trusted root: the chain ends at %s, which is not in the truststore; add it to --roots if you trust it", last.Name())
		want = last.subjectKey
	} else {
		msg = fmt.Sprintf("no trusted root: %s was issued by %s, which is neither among the intermediates nor in the truststore; give it with --intermediates, or its root with --roots", last.Name(), last.issuerText())
		want = last.issuerKey
	}
	if e.rootsGiven == 0 && len(e.unreadable) > 0 {
		return msg + fmt.Sprintf(" (the truststore is empty; what was given could not be read: %s)", strings.Join(e.unreadable, "; "))
	}
	if e.rootsGiven == 0 {
		if e.systemRoots {
			return msg + " (the system roots were used)"
		}
		return msg + " (the truststore is empty)"
	}
	if len(e.rootList) == 0 {
		return msg + " (none of the certificates given as roots could be read)"
	}
	for _, r := range e.rootList {
		if r.subjectKey == want {
			return msg + fmt.Sprintf(" (closest: the truststore has a certificate named %s with another key, SHA-256 %s)", r.Name(), fingerprintOf(r))
		}
	}
	if len(e.rootList) == 1 {
		return msg + fmt.Sprintf(" (the truststore holds only %s)", e.rootList[0].Name())
	}
	return msg + fmt.Sprintf(" (none of its %d certificates has that name)", len(e.rootList))
}
