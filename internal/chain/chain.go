// Package chain builds, orders and checks certificate chains.
//
// [Build] completes and orders the chain of a keystore entry from an
// unordered pool (leaf first, up to a self-signed root) and says why it chose
// one issuer over another. [Verify] validates a leaf against trusted roots
// and explains a failure in words, naming the certificate at fault; it uses
// crypto/x509's Verify as the one verifier and only inspects the candidate
// path afterwards to say what is wrong. [CheckCRL] checks revocation against
// CRLs given by the user.
//
// Left out: fetching CRLs or intermediates from the network (AIA, CDP),
// delta CRLs and issuing-distribution-point scoping (RFC 5280 §5.2.4,
// §5.2.5), certificate policies (RFC 5280 §6.1.3 (d)), and e-mail (RFC 822)
// peer names. OCSP is done by internal/ocsp; Verify takes it as a
// [RevocationFunc] so this package does no I/O.
package chain

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"sync"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	dnfmt "github.com/trustctl/trustctl/internal/dn"
)

// Name is how trustctl names a certificate in messages: its subject in
// RFC 4514 form, or its serial number when the subject is empty (as in
// certificates that carry their names only in the SAN extension).
func Name(c *x509.Certificate) string {
	if c == nil {
		return "(none)"
	}
	if s := dnfmt.Subject(c); s != "" {
		return s
	}
	return fmt.Sprintf("(empty subject, serial %s)", serialHex(c))
}

func serialHex(c *x509.Certificate) string {
	if c.SerialNumber == nil {
		return "?"
	}
	return certs.SerialHex(c.SerialNumber)
}

// issuerName names the issuer a certificate asks for.
func issuerName(c *x509.Certificate) string {
	if s := dnfmt.Issuer(c); s != "" {
		return s
	}
	return "(empty issuer name)"
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// selfSigned reports whether c names itself as issuer and its own key
// verifies its signature (RFC 5280 §6.1: a trust anchor is usually one).
func selfSigned(c *x509.Certificate) bool {
	return string(c.RawSubject) == string(c.RawIssuer) && checkSig(c, c) == nil
}

// The signature cache. When one process checks many chains (the
// conformance run, keystore build over a large pool, verify with many
// candidate paths), the same issuer→subject signature comes up again and
// again; an RSA-4096 verification costs far more than a hash. A result is
// keyed by the SHA-256 of the issuer's SubjectPublicKeyInfo and the
// SHA-256 of the subject's whole DER (TBS, algorithm and signature): the
// TBS alone would not do, since a second, forged signature over the same
// TBS must not inherit the cached answer. crypto/x509's own Verify has no
// hook for this and still checks its signatures itself; the cache serves
// Build (every candidate issuer and self-signed test) and the inspection
// of candidate paths when a chain fails. CRL signatures are checked by
// crypto/x509 (RevocationList.CheckSignatureFrom) without it.
type sigKey [2][32]byte

type sigCacheT struct {
	mu sync.Mutex
	m  map[sigKey]error
}

// sigCacheMax bounds the cache; when full it starts over, which is
// simpler than LRU and fine for the access pattern (chains repeat soon).
const sigCacheMax = 8192

var sigCache = &sigCacheT{m: make(map[sigKey]error)}

func (s *sigCacheT) get(k sigKey) (error, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	err, ok := s.m[k]
	return err, ok
}

func (s *sigCacheT) put(k sigKey, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= sigCacheMax {
		s.m = make(map[sigKey]error)
	}
	s.m[k] = err
}

// checkSig verifies that issuer's key signed child, through the cache.
// It does not look at basic constraints or key usage: callers report
// those in their own words.
func checkSig(issuer, child *x509.Certificate) error {
	k := sigKey{sha256.Sum256(issuer.RawSubjectPublicKeyInfo), sha256.Sum256(child.Raw)}
	if err, ok := sigCache.get(k); ok {
		return err
	}
	err := issuer.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	sigCache.put(k, err)
	return err
}

// dedupe drops repeated certificates (same DER), keeping the first.
func dedupe(cs []*x509.Certificate) []*x509.Certificate {
	seen := make(map[[32]byte]bool, len(cs))
	out := make([]*x509.Certificate, 0, len(cs))
	for _, c := range cs {
		if c == nil {
			continue
		}
		h := sha256.Sum256(c.Raw)
		if seen[h] {
			continue
		}
		seen[h] = true
		out = append(out, c)
	}
	return out
}
