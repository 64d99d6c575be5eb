package chain

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// BuildOptions tunes [Build].
type BuildOptions struct {
	// Now is the time validity is judged at when choosing between
	// issuers; zero means time.Now().
	Now time.Time
	// Partial accepts a chain that stops short of a self-signed root.
	Partial bool
	// MaxDepth bounds the chain length (certificates, leaf included);
	// zero means 10.
	MaxDepth int
}

// Built is a chain [Build] found, leaf first.
type Built struct {
	Chain []*x509.Certificate
	// Complete is true when the chain ends at a self-signed certificate.
	Complete bool
	// Notes say which issuer was chosen where several fit, and why.
	Notes []string
}

// IncompleteError is returned by [Build] when the chain stops short of a
// self-signed root: no certificate in the pool both carries the name the
// last certificate's issuer field asks for and verifies its signature.
type IncompleteError struct {
	Chain []*x509.Certificate // the part that was found, leaf first
	Last  *x509.Certificate
	// Missing is the issuer name (RFC 4514) that no pool certificate
	// satisfied.
	Missing string
	// Impostors counts pool certificates with that subject whose key did
	// not verify the signature (a renewed CA with a new key, most often).
	Impostors int
	// Loop is set when the issuer is already in the chain: the pool's
	// certificates certify each other and none is self-signed.
	Loop bool
}

func (e *IncompleteError) Error() string {
	if e.Loop {
		return fmt.Sprintf("the chain stops at %s: its issuer %s is already in the chain (the certificates certify each other in a loop and none is a self-signed root)", Name(e.Last), e.Missing)
	}
	msg := fmt.Sprintf("the chain stops at %s: its issuer %s is not in the pool", Name(e.Last), e.Missing)
	if e.Impostors > 0 {
		msg += fmt.Sprintf(" (%d certificate(s) with that name are, but their key did not sign it)", e.Impostors)
	}
	return msg
}

// ErrNoLeaf is returned when no leaf certificate was given.
var ErrNoLeaf = errors.New("no certificate to build a chain for")

// ErrTooManyIssuers is returned by [Build] when the pool offers more
// candidate issuers than the search may check signatures of: more than a
// few hundred certificates under the names the chain passes through.
var ErrTooManyIssuers = errors.New("too many candidate issuers")

// enumerate lists paths from leaf upwards. issuers gives the candidate
// issuers of a certificate; stop says a certificate ends a path (a trust
// anchor or a self-signed root). A certificate never appears twice in one
// path, so loops in the pool end the path instead of recursing.
func enumerate(leaf *x509.Certificate, issuers func(*x509.Certificate) []*x509.Certificate, stop func(*x509.Certificate) bool, depth int) [][]*x509.Certificate {
	var out [][]*x509.Certificate
	visits := 0
	var walk func(path []*x509.Certificate)
	walk = func(path []*x509.Certificate) {
		visits++
		c := path[len(path)-1]
		if stop(c) || len(path) >= depth || visits > maxVisits || len(out) >= maxPaths {
			out = append(out, append([]*x509.Certificate(nil), path...))
			return
		}
		emitted := false
		for _, p := range issuers(c) {
			if onPath(path, p) {
				continue
			}
			if len(out) >= maxPaths {
				break
			}
			walk(append(path, p))
			emitted = true
		}
		if !emitted {
			out = append(out, append([]*x509.Certificate(nil), path...))
		}
	}
	walk([]*x509.Certificate{leaf})
	return out
}

func onPath(path []*x509.Certificate, c *x509.Certificate) bool {
	for _, p := range path {
		if p == c || string(p.Raw) == string(c.Raw) {
			return true
		}
	}
	return false
}

// bySubject indexes certificates by their subject's DER.
func bySubject(pool []*x509.Certificate) map[string][]*x509.Certificate {
	m := make(map[string][]*x509.Certificate)
	for _, c := range pool {
		m[string(c.RawSubject)] = append(m[string(c.RawSubject)], c)
	}
	return m
}

// buildScore orders candidate chains for Build: valid at Now first, then
// reaching a self-signed root, then the one that stays valid longest (its
// earliest NotAfter is latest), then the shorter.
type buildScore struct {
	valid    bool
	complete bool
	until    time.Time
	length   int
}

func scoreChain(p []*x509.Certificate, now time.Time) buildScore {
	s := buildScore{valid: true, length: len(p)}
	for i, c := range p {
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			s.valid = false
		}
		if i == 0 || c.NotAfter.Before(s.until) {
			s.until = c.NotAfter
		}
	}
	s.complete = selfSigned(p[len(p)-1])
	return s
}

// why returns the reason a beats b, or "" when it does not.
func (a buildScore) why(b buildScore, now time.Time) string {
	switch {
	case a.valid != b.valid:
		if a.valid {
			return "it is valid on " + day(now) + " and the other path is not"
		}
		return ""
	case a.complete != b.complete:
		if a.complete {
			return "its path reaches a self-signed root"
		}
		return ""
	case !a.until.Equal(b.until):
		if a.until.After(b.until) {
			return "its path stays valid longer (until " + day(a.until) + ")"
		}
		return ""
	case a.length != b.length:
		if a.length < b.length {
			return "its path is shorter"
		}
		return ""
	}
	return "the two are equally good; the first found was kept"
}

// Build completes and orders the chain of leaf from an unordered pool:
// the pool may be shuffled, hold duplicates, unrelated certificates and
// loops. A certificate issues another when its subject is the other's
// issuer name and its key verifies the other's signature. Where several
// issuers fit (a cross-signed intermediate, a renewed CA keeping its
// name), Build prefers the path valid at opts.Now, then the one reaching a
// self-signed root, then the one valid longest, and says so in
// Built.Notes. Build does not decide trust: use [Verify] for that.
//
// A chain that stops short of a self-signed root is an *IncompleteError
// unless opts.Partial.
func Build(leaf *x509.Certificate, pool []*x509.Certificate, opts BuildOptions) (*Built, error) {
	if leaf == nil {
		return nil, ErrNoLeaf
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	depth := opts.MaxDepth
	if depth <= 0 {
		depth = defaultMaxDepth
	}
	index := bySubject(dedupe(pool))
	// Each certificate's issuers are looked for once, within one budget
	// of signature checks for the whole search: a pool with thousands of
	// certificates under one name (each with its own key) would
	// otherwise cost thousands of checks at every step of every path.
	found := map[*x509.Certificate][]*x509.Certificate{}
	checks := 0
	var gaveUp *x509.Certificate // whose issuers the budget ran out on
	issuers := func(c *x509.Certificate) []*x509.Certificate {
		if out, ok := found[c]; ok {
			return out
		}
		var out []*x509.Certificate
		for _, p := range index[string(c.RawIssuer)] {
			if checks >= maxSigChecks {
				if gaveUp == nil {
					gaveUp = c
				}
				break
			}
			checks++
			if checkSig(p, c) == nil {
				out = append(out, p)
			}
		}
		found[c] = out
		return out
	}
	paths := enumerate(leaf, issuers, selfSigned, depth)
	if gaveUp != nil {
		return nil, fmt.Errorf("%w: gave up on the chain of %s after %d signature checks; the pool holds %d certificates named %s, and each could be the issuer of %s: leave out the ones that do not belong to this chain",
			ErrTooManyIssuers, Name(leaf), maxSigChecks, len(index[string(gaveUp.RawIssuer)]), issuerName(gaveUp), Name(gaveUp))
	}
	scores := make([]buildScore, len(paths))
	best := 0
	for i, p := range paths {
		scores[i] = scoreChain(p, now)
		if i > 0 && scores[i].why(scores[best], now) != "" && scores[best].why(scores[i], now) == "" {
			best = i
		}
	}
	chosen := paths[best]
	b := &Built{Chain: chosen, Complete: scores[best].complete}
	// Explain every fork on the chosen path: which issuer, over which.
	for i := 0; i+1 < len(chosen); i++ {
		alt, altIdx := -1, -1
		for j, p := range paths {
			if j == best || len(p) <= i+1 || !samePrefix(p, chosen, i+1) || p[i+1] == chosen[i+1] {
				continue
			}
			if alt < 0 || scores[j].why(scores[alt], now) != "" && scores[alt].why(scores[j], now) == "" {
				alt, altIdx = j, i+1
			}
		}
		if alt < 0 {
			continue
		}
		other := paths[alt][altIdx]
		reason := scores[best].why(scores[alt], now)
		b.Notes = append(b.Notes, fmt.Sprintf("%s has more than one possible issuer: chose %s (serial %s, valid until %s) over %s (serial %s, valid until %s): %s",
			Name(chosen[i]), Name(chosen[i+1]), serialHex(chosen[i+1]), day(chosen[i+1].NotAfter),
			Name(other), serialHex(other), day(other.NotAfter), reason))
	}
	if !b.Complete {
		last := chosen[len(chosen)-1]
		if !opts.Partial {
			imp, loop := 0, false
			for _, p := range index[string(last.RawIssuer)] {
				if onPath(chosen, p) {
					loop = loop || checkSig(p, last) == nil
				} else {
					imp++
				}
			}
			return b, &IncompleteError{Chain: chosen, Last: last, Missing: issuerName(last), Impostors: imp, Loop: loop}
		}
		b.Notes = append(b.Notes, fmt.Sprintf("the chain stops at %s: its issuer %s is not in the pool (partial chain accepted)", Name(last), issuerName(last)))
	}
	return b, nil
}

func samePrefix(a, b []*x509.Certificate, n int) bool {
	if len(a) < n || len(b) < n {
		return false
	}
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
