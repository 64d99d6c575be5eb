package chain

import (
	"crypto/x509"
	"sort"
	"sync"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
)

// Path building follows RFC 4158: from the leaf up, a certificate's
// candidate issuers are those whose subject matches its issuer name (RFC
// 5280 §7.1 comparison), trust anchors first, then those whose subject key
// identifier matches its authority key identifier, then those valid at the
// time asked about. A candidate whose key does not verify the signature is
// tried only when no other is left, so a failure can be explained. A
// certificate whose name and key are already on the path is never added
// again (RFC 4158 §5.2), which ends loops among cross-certificates, and
// the search is bounded so a hostile mesh of certificates cannot make it
// explode: at most maxDepth certificates in a path, maxVisits nodes and
// maxSigChecks signature verifications per leaf.
const (
	defaultMaxDepth = 10
	maxVisits       = 1000
	maxSigChecks    = 300
	maxPaths        = 64
)

// engine holds what one validation needs and what it shares across leaves.
type engine struct {
	in        pathInput
	pool      map[string][]*Cert // intermediates by normalised subject
	anchors   map[string][]*Cert // trust anchors by normalised subject
	anchorSum map[[32]byte]bool
	nameKey   map[string]bool // subject+key of every anchor
	sys       *sysRoots
	rev       *revChecker
	maxDepth  int
	// restrictAnchor, when set, is the only anchor a path may end at (the
	// CRL issuer's path of RFC 5280 §6.3.3 (f)).
	restrictAnchor *Cert
	// For messages: how many roots were given, the ones read, and
	// whether the system roots are used.
	rootsGiven  int
	rootList    []*Cert
	unreadable  []string
	systemRoots bool
}

func nameKeyOf(c *Cert) string { return c.nameKey }

func newEngine(in pathInput, inter, roots []*Cert) *engine {
	e := &engine{in: in, pool: map[string][]*Cert{}, anchors: map[string][]*Cert{},
		anchorSum: map[[32]byte]bool{}, nameKey: map[string]bool{}, maxDepth: defaultMaxDepth}
	for _, r := range roots {
		if e.anchorSum[r.sum] {
			continue
		}
		e.anchorSum[r.sum] = true
		e.nameKey[nameKeyOf(r)] = true
		e.anchors[r.subjectKey] = append(e.anchors[r.subjectKey], r)
	}
	seen := map[[32]byte]bool{}
	for _, c := range inter {
		if seen[c.sum] || e.anchorSum[c.sum] {
			continue
		}
		seen[c.sum] = true
		e.pool[c.subjectKey] = append(e.pool[c.subjectKey], c)
	}
	return e
}

func (e *engine) isAnchor(c *Cert) bool {
	if e.restrictAnchor != nil {
		return c == e.restrictAnchor || c.sum == e.restrictAnchor.sum
	}
	if e.anchorSum[c.sum] {
		return true
	}
	return e.sys != nil && e.sys.contains(c)
}

// search is one path search for a leaf.
type search struct {
	e         *engine
	extra     map[string][]*Cert // the leaf's own bundle
	visits    int
	sigChecks int
	best      *outcome
	found     *outcome
	paths     int
}

// outcome is a candidate path with what is wrong with it.
type outcome struct {
	path     []*Cert
	problems []problem
	revs     [][]*Revocation
	anchored bool
	rank     int
}

// build searches for a valid path from leaf; it returns the valid one, or
// the most telling invalid one.
func (e *engine) build(leaf *Cert, extra []*Cert) *outcome {
	e2 := *e
	e = &e2
	// One budget of name-constraint comparisons for all the paths tried.
	left := maxSearchConstraintChecks
	e.in.ncLeft = &left
	if e.rev != nil && e.rev.depth == 0 {
		// Each search has its own record of the CRL issuers whose paths
		// it is validating, so leaves can be verified at once.
		rc := *e.rev
		rc.inFlight, rc.e, e.rev = map[[32]byte]bool{}, e, &rc
	}
	s := &search{e: e, extra: map[string][]*Cert{}}
	for _, c := range extra {
		if !e.anchorSum[c.sum] && c.sum != leaf.sum {
			s.extra[c.subjectKey] = append(s.extra[c.subjectKey], c)
		}
	}
	s.walk([]*Cert{leaf})
	if s.found != nil {
		return s.found
	}
	return s.best
}

func (s *search) walk(path []*Cert) bool {
	s.visits++
	c := path[len(path)-1]
	if s.e.isAnchor(c) {
		o := s.e.judge(path)
		s.consider(o)
		if len(o.problems) == 0 {
			s.found = o
			return true
		}
		if c.selfIssued() {
			return false
		}
	}
	if len(path) >= s.e.maxDepth || s.visits > maxVisits || s.paths > maxPaths {
		if !s.e.isAnchor(c) {
			s.consider(s.e.deadEnd(path, true))
		}
		return false
	}
	var cands []*Cert
	if !(c.selfIssued() && verifyCert(c, nil, c) == nil) {
		// A self-signed certificate is a root: nothing above it.
		cands = s.issuers(c, path)
	}
	if len(cands) == 0 {
		if !s.e.isAnchor(c) {
			s.consider(s.e.deadEnd(path, false))
		}
		return false
	}
	for _, p := range cands {
		if s.walk(append(path[:len(path):len(path)], p)) {
			return true
		}
	}
	return false
}

func (s *search) consider(o *outcome) {
	s.paths++
	if s.best == nil || o.rank < s.best.rank || o.rank == s.best.rank && len(o.problems) < len(s.best.problems) {
		s.best = o
	}
}

// issuers lists the candidate issuers of c, best first.
func (s *search) issuers(c *Cert, path []*Cert) []*Cert {
	var cands []*Cert
	onPath := func(p *Cert) bool {
		k := nameKeyOf(p)
		for _, q := range path {
			if q == p || q.sum == p.sum || nameKeyOf(q) == k {
				return true
			}
		}
		return false
	}
	seen := map[[32]byte]bool{}
	add := func(list []*Cert) {
		for _, p := range list {
			if seen[p.sum] || onPath(p) {
				continue
			}
			seen[p.sum] = true
			cands = append(cands, p)
		}
	}
	if s.e.restrictAnchor != nil {
		if s.e.restrictAnchor.subjectKey == c.issuerKey {
			add([]*Cert{s.e.restrictAnchor})
		}
	} else {
		add(s.e.anchors[c.issuerKey])
		if s.e.sys != nil {
			add(s.e.sys.issuers(c))
		}
	}
	add(s.e.pool[c.issuerKey])
	add(s.extra[c.issuerKey])
	at := s.e.in.at
	score := func(p *Cert) int {
		r := 0
		if !s.e.isAnchor(p) {
			r += 8
		}
		if c.AKI != nil && p.SKI != nil && string(c.AKI) != string(p.SKI) {
			r += 4
		}
		if at.Before(p.NotBefore) || at.After(p.NotAfter) {
			r += 2
		}
		return r
	}
	sort.SliceStable(cands, func(i, j int) bool { return score(cands[i]) < score(cands[j]) })
	var good, bad []*Cert
	for _, p := range cands {
		if s.sigChecks >= maxSigChecks {
			break
		}
		s.sigChecks++
		if err := verifyCert(p, nil, c); err == nil || err == errDSAInherited {
			good = append(good, p)
		} else {
			bad = append(bad, p)
		}
	}
	if len(good) > 0 || c.selfIssued() {
		return good
	}
	return bad
}

// judge validates a path that ends at a trust anchor, then checks
// revocation when everything else holds.
func (e *engine) judge(path []*Cert) *outcome {
	o := &outcome{path: append([]*Cert(nil), path...), anchored: true}
	o.problems = validatePath(o.path, &e.in)
	if len(o.problems) == 0 && e.rev != nil {
		o.problems, o.revs = e.rev.checkPath(o.path)
	}
	o.rank = rankOf(o)
	return o
}

// deadEnd is a path that stops short of a trust anchor.
func (e *engine) deadEnd(path []*Cert, cut bool) *outcome {
	o := &outcome{path: append([]*Cert(nil), path...)}
	last := o.path[len(o.path)-1]
	o.problems = []problem{{len(o.path) - 1, stUntrusted, e.untrustedWords(last, cut)}}
	// What else is wrong on the way, for the record.
	for i, c := range o.path {
		if msg := validityProblem(c, e.in.at, position(i, len(o.path))); msg != "" {
			o.problems = append(o.problems, problem{i, validityStatus(c, e.in.at), msg})
		}
		if i > 0 {
			if err := verifyCert(c, nil, o.path[i-1]); err != nil && err != errDSAInherited {
				o.problems = append(o.problems, problem{i - 1, stSignature, signatureWords(o.path[i-1], c, position(i-1, len(o.path)), err)})
			}
		}
	}
	o.rank = rankOf(o)
	return o
}

// rankOf orders failed paths by how telling they are: a path that reaches
// an anchor with good signatures first, then one that reaches an anchor,
// then a dead end at a self-signed certificate, then any other.
func rankOf(o *outcome) int {
	r := 0
	for _, p := range o.problems {
		if p.status == stSignature {
			r += 1
			break
		}
	}
	if !o.anchored {
		r += 4
		if !o.path[len(o.path)-1].selfIssued() {
			r += 2
		}
	}
	return r
}

// sysRoots looks certificates up in the operating system's pool, which
// crypto/x509 cannot list: it asks crypto/x509 for a chain from the
// certificate alone, at a time the certificate is valid, and takes the
// root of that chain.
type sysRoots struct {
	mu     sync.Mutex
	pool   *x509.CertPool
	memo   map[[32]byte][]*Cert
	member map[[32]byte]bool
}

func (s *sysRoots) lookup(c *Cert) []*Cert {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookupLocked(c)
}

func (s *sysRoots) lookupLocked(c *Cert) []*Cert {
	if r, ok := s.memo[c.sum]; ok {
		return r
	}
	var out []*Cert
	if x := c.X509(); x != nil {
		chains, err := x.Verify(x509.VerifyOptions{Roots: s.pool, CurrentTime: c.NotBefore.Add(time.Second),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err == nil {
			for _, ch := range chains {
				if len(ch) == 1 {
					s.member[c.sum] = true
				} else if r, err := ParseCert(ch[1].Raw); err == nil {
					s.member[r.sum] = true
					out = append(out, r)
					break
				}
			}
		}
	}
	s.memo[c.sum] = out
	return out
}

func (s *sysRoots) issuers(c *Cert) []*Cert { return s.lookup(c) }

func (s *sysRoots) contains(c *Cert) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.member[c.sum] {
		return true
	}
	s.lookupLocked(c)
	return s.member[c.sum]
}

func fingerprintOf(c *Cert) string {
	return certs.Fingerprint(c.sum[:])
}
