package ocsp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/trustctl/trustctl/internal/testpki"
)

// responderTestSource is an in-memory CA record.
type responderTestSource struct {
	mu      sync.Mutex
	version int
	entries map[string]ResponderEntry
	lookups atomic.Int32
}

func (s *responderTestSource) ResponderVersion() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(rune('a' + s.version)), nil
}

func (s *responderTestSource) ResponderLookup(_ string, n *big.Int) (ResponderEntry, error) {
	s.lookups.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entries[n.String()], nil
}

func (s *responderTestSource) set(n *big.Int, e ResponderEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries[n.String()] = e
	s.version++
}

type responderTestPKI struct {
	ca, leaf, other *testpki.Cert
	src             *responderTestSource
}

func newResponderTestPKI(t testing.TB) *responderTestPKI {
	ca := testpki.Root(t, "Responder Test CA")
	p := &responderTestPKI{
		ca:    ca,
		leaf:  testpki.Leaf(t, "www.example.com", ca, "www.example.com"),
		other: testpki.Leaf(t, "other.example.com", ca, "other.example.com"),
		src:   &responderTestSource{entries: map[string]ResponderEntry{}},
	}
	p.src.set(p.leaf.Cert.SerialNumber, ResponderEntry{Known: true})
	return p
}

func (p *responderTestPKI) delegate(t *testing.T) *testpki.Cert {
	return testpki.New(t, testpki.Template{Subject: "OCSP Responder", EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}, p.ca)
}

func responderNow() time.Time { return testpki.Now }

func TestResponderAnswersCheck(t *testing.T) {
	p := newResponderTestPKI(t)
	for _, delegated := range []bool{false, true} {
		o := ResponderOptions{Issuer: p.ca.Cert, Source: p.src, Signer: p.ca.Key, Now: responderNow}
		if delegated {
			d := p.delegate(t)
			o.Signer, o.SignerCert = d.Key, d.Cert
		}
		r, err := NewResponder(o)
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + serveResponder(t, r)
		check := func(cert *testpki.Cert, opts CheckOptions) *Result {
			t.Helper()
			opts.URL, opts.Now = url, responderNow
			res, err := Check(context.Background(), cert.Cert, p.ca.Cert, opts)
			if err != nil {
				t.Fatalf("delegated=%v: %v", delegated, err)
			}
			if res.Delegated != delegated {
				t.Errorf("delegated = %v, want %v", res.Delegated, delegated)
			}
			return res
		}
		if res := check(p.leaf, CheckOptions{}); res.Status != Good || !res.NonceEchoed {
			t.Errorf("leaf: %s nonce echoed %v", res.Status, res.NonceEchoed)
		}
		if res := check(p.other, CheckOptions{Hash: crypto.SHA256}); res.Status != Unknown {
			t.Errorf("never issued: %s", res.Status)
		}
		revokedAt := responderNow().Add(-time.Hour).Truncate(time.Second)
		p.src.set(p.leaf.Cert.SerialNumber, ResponderEntry{Known: true, Revoked: true, RevokedAt: revokedAt, Reason: 1})
		res := check(p.leaf, CheckOptions{NoNonce: true})
		if res.Status != Revoked || res.Reason != "keyCompromise" || !res.RevokedAt.Equal(revokedAt) {
			t.Errorf("revoked: %s %s %v", res.Status, res.Reason, res.RevokedAt)
		}
		if !res.NextUpdate.After(res.ThisUpdate) || res.ThisUpdate.After(responderNow()) {
			t.Errorf("thisUpdate %v nextUpdate %v", res.ThisUpdate, res.NextUpdate)
		}
		p.src.set(p.leaf.Cert.SerialNumber, ResponderEntry{Known: true})
	}
}

func TestResponderCachesUntilRecordsChange(t *testing.T) {
	p := newResponderTestPKI(t)
	clock := responderNow()
	r, err := NewResponder(ResponderOptions{Issuer: p.ca.Cert, Source: p.src, Signer: p.ca.Key, Validity: time.Hour, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	req, err := xocsp.CreateRequest(p.leaf.Cert, p.ca.Cert, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, err := r.Respond(req)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := r.Respond(req)
	if !bytes.Equal(first, again) || p.src.lookups.Load() != 1 {
		t.Errorf("second request was signed again (lookups %d)", p.src.lookups.Load())
	}
	// A revocation changes the version: the next answer is fresh.
	p.src.set(p.leaf.Cert.SerialNumber, ResponderEntry{Known: true, Revoked: true, RevokedAt: clock})
	resp, _ := r.Respond(req)
	parsed, err := xocsp.ParseResponse(resp, p.ca.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Status != xocsp.Revoked {
		t.Errorf("after revocation: status %d", parsed.Status)
	}
	// Past half the validity the cached response is renewed.
	clock = clock.Add(31 * time.Minute)
	n := p.src.lookups.Load()
	later, _ := r.Respond(req)
	if p.src.lookups.Load() != n+1 || bytes.Equal(later, resp) {
		t.Error("a response past half its validity was served from the cache")
	}
}

func TestResponderRefusesAndMalformed(t *testing.T) {
	p := newResponderTestPKI(t)
	r, err := NewResponder(ResponderOptions{Issuer: p.ca.Cert, Source: p.src, Signer: p.ca.Key, Now: responderNow})
	if err != nil {
		t.Fatal(err)
	}
	otherCA := testpki.Root(t, "Other CA")
	stranger := testpki.Leaf(t, "stranger", otherCA, "stranger.test")
	req, _ := xocsp.CreateRequest(stranger.Cert, otherCA.Cert, nil)
	der, err := r.Respond(req)
	if !errors.Is(err, ErrResponderNotOurs) {
		t.Errorf("other issuer: %v", err)
	}
	if _, perr := xocsp.ParseResponse(der, nil); !errors.As(perr, new(xocsp.ResponseError)) || perr.(xocsp.ResponseError).Status != xocsp.Unauthorized {
		t.Errorf("other issuer response: %v", perr)
	}
	for _, bad := range [][]byte{nil, {0x30, 0x00}, []byte("hello"), req[:len(req)-2]} {
		der, err := r.Respond(bad)
		if !errors.Is(err, ErrResponderMalformed) {
			t.Errorf("Respond(%x) err = %v", bad, err)
		}
		if _, perr := xocsp.ParseResponse(der, nil); !errors.As(perr, new(xocsp.ResponseError)) {
			t.Errorf("malformed response: %v", perr)
		}
	}
	// The wrong key for the responder certificate is caught at once.
	if _, err := NewResponder(ResponderOptions{Issuer: p.ca.Cert, Source: p.src, Signer: p.leaf.Key}); err == nil {
		t.Error("a signer that does not match its certificate was accepted")
	}
}

func TestResponderSignsWithEd25519(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	ca := testpki.New(t, testpki.Template{Subject: "Ed CA", IsCA: true, MaxPathLen: -1, Key: key}, nil)
	leaf := testpki.Leaf(t, "ed.test", ca, "ed.test")
	src := &responderTestSource{entries: map[string]ResponderEntry{}}
	src.set(leaf.Cert.SerialNumber, ResponderEntry{Known: true})
	r, err := NewResponder(ResponderOptions{Issuer: ca.Cert, Source: src, Signer: key, Now: responderNow})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := xocsp.CreateRequest(leaf.Cert, ca.Cert, nil)
	der, err := r.Respond(req)
	if err != nil {
		t.Fatal(err)
	}
	// golang.org/x/crypto/ocsp does not know the Ed25519 signature OID
	// (RFC 8410), so check the signature by hand; OpenSSL 3 verifies it.
	resp, err := xocsp.ParseResponse(der, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != xocsp.Good {
		t.Errorf("status %d", resp.Status)
	}
	if !ed25519.Verify(key.Public().(ed25519.PublicKey), resp.TBSResponseData, resp.Signature) {
		t.Error("Ed25519 signature does not verify")
	}
}

// BenchmarkResponderCached shows what the cache buys: a cached answer is
// a map lookup and a stat, not a signature.
func BenchmarkResponderCached(b *testing.B) {
	ca := testpki.Root(b, "Bench CA")
	leaf := testpki.Leaf(b, "bench.test", ca, "bench.test")
	src := &responderTestSource{entries: map[string]ResponderEntry{}}
	src.set(leaf.Cert.SerialNumber, ResponderEntry{Known: true})
	r, _ := NewResponder(ResponderOptions{Issuer: ca.Cert, Source: src, Signer: ca.Key})
	req, _ := xocsp.CreateRequest(leaf.Cert, ca.Cert, nil)
	for b.Loop() {
		if _, err := r.Respond(req); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzResponderRespond(f *testing.F) {
	ca := testpki.Root(f, "Fuzz CA")
	leaf := testpki.Leaf(f, "fuzz.test", ca, "fuzz.test")
	src := &responderTestSource{entries: map[string]ResponderEntry{}}
	src.set(leaf.Cert.SerialNumber, ResponderEntry{Known: true})
	r, err := NewResponder(ResponderOptions{Issuer: ca.Cert, Source: src, Signer: ca.Key, Now: responderNow})
	if err != nil {
		f.Fatal(err)
	}
	req, _ := xocsp.CreateRequest(leaf.Cert, ca.Cert, nil)
	withNonce, _ := NewRequest(leaf.Cert, ca.Cert, bytes.Repeat([]byte{7}, 16))
	f.Add(req)
	f.Add(withNonce)
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		der, err := r.Respond(data)
		if err != nil && !errors.Is(err, ErrResponderMalformed) && !errors.Is(err, ErrResponderNotOurs) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if len(der) == 0 {
			t.Fatal("no response bytes")
		}
	})
}

// TestResponderConcurrent answers from many goroutines while the records
// change underneath (run with -race).
func TestResponderConcurrent(t *testing.T) {
	p := newResponderTestPKI(t)
	r, err := NewResponder(ResponderOptions{Issuer: p.ca.Cert, Source: p.src, Signer: p.ca.Key, Now: responderNow})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := xocsp.CreateRequest(p.leaf.Cert, p.ca.Cert, nil)
	withNonce, _ := NewRequest(p.leaf.Cert, p.ca.Cert, bytes.Repeat([]byte{1}, 16))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				body := req
				if (g+i)%3 == 0 {
					body = withNonce
				}
				der, err := r.Respond(body)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := xocsp.ParseResponse(der, p.ca.Cert); err != nil {
					t.Error(err)
					return
				}
				if g == 0 && i%10 == 0 {
					p.src.set(p.leaf.Cert.SerialNumber, ResponderEntry{Known: true, Revoked: i%20 == 0, RevokedAt: responderNow()})
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkResponderNonce is the uncached path: a request with a nonce is
// answered with a fresh signature every time.
func BenchmarkResponderNonce(b *testing.B) {
	ca := testpki.Root(b, "Bench CA")
	leaf := testpki.Leaf(b, "bench.test", ca, "bench.test")
	src := &responderTestSource{entries: map[string]ResponderEntry{}}
	src.set(leaf.Cert.SerialNumber, ResponderEntry{Known: true})
	r, _ := NewResponder(ResponderOptions{Issuer: ca.Cert, Source: src, Signer: ca.Key})
	req, _ := NewRequest(leaf.Cert, ca.Cert, bytes.Repeat([]byte{7}, 16))
	for b.Loop() {
		if _, err := r.Respond(req); err != nil {
			b.Fatal(err)
		}
	}
}

// TestResponderCachesOnlyIssuedSerials: answers about serials the CA
// never issued are signed each time and not kept, so clients asking
// about ever new serials cannot grow the responder's memory.
func TestResponderCachesOnlyIssuedSerials(t *testing.T) {
	p := newResponderTestPKI(t)
	r, err := NewResponder(ResponderOptions{Issuer: p.ca.Cert, Source: p.src, Signer: p.ca.Key, Now: responderNow})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		tmpl := *p.other.Cert
		tmpl.SerialNumber = big.NewInt(int64(1_000_000 + i))
		req, err := xocsp.CreateRequest(&tmpl, p.ca.Cert, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Respond(req); err != nil {
			t.Fatal(err)
		}
	}
	req, err := xocsp.CreateRequest(p.leaf.Cert, p.ca.Cert, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Respond(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cache) != 1 {
		t.Errorf("the cache holds %d answers after 100 never-issued serials and one issued; want 1", len(r.cache))
	}
}
