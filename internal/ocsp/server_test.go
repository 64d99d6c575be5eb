package ocsp

import (
	"bytes"
	"context"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"
)

// serveResponder runs r behind a Handler with Serve on 127.0.0.1 and
// returns its address; tune may change the server's settings first. The
// test stops it and checks that Serve returns nil.
func serveResponder(t *testing.T, r *Responder, tune ...func(*http.Server)) string {
	t.Helper()
	srv := NewServer(NewHandler(r, nil), nil)
	for _, f := range tune {
		f(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, srv, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve returned %v", err)
		}
	})
	return ln.Addr().String()
}

func newTestResponder(t testing.TB, p *responderTestPKI, src ResponderSource) *Responder {
	t.Helper()
	r, err := NewResponder(ResponderOptions{Issuer: p.ca.Cert, Source: src, Signer: p.ca.Key, Now: responderNow})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// countingClient counts the connections an http.Client opens.
func countingClient(n *atomic.Int32) *http.Client {
	d := &net.Dialer{}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			n.Add(1)
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// TestServerAnswersGETAndPOST: net/http's client, as Go OCSP clients use
// it, gets good answers by POST and by GET over one kept-open connection,
// with the headers RFC 5019 asks for: a GET answer may be cached for half
// its validity, and says until when it is valid.
func TestServerAnswersGETAndPOST(t *testing.T) {
	p := newResponderTestPKI(t)
	addr := serveResponder(t, newTestResponder(t, p, p.src))
	var dials atomic.Int32
	client := countingClient(&dials)
	req, _ := xocsp.CreateRequest(p.leaf.Cert, p.ca.Cert, nil)
	check := func(resp *http.Response, err error, get bool) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/ocsp-response" {
			t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp.Header.Get("Date") == "" {
			t.Error("no Date header")
		}
		r, err := xocsp.ParseResponse(body, p.ca.Cert)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != xocsp.Good || r.SerialNumber.Cmp(p.leaf.Cert.SerialNumber) != 0 {
			t.Errorf("status %d for serial %v", r.Status, r.SerialNumber)
		}
		cc := resp.Header.Get("Cache-Control")
		if !get {
			if cc != "no-store" {
				t.Errorf("POST: Cache-Control %q", cc)
			}
			return
		}
		if !strings.HasPrefix(cc, "max-age=1800,") {
			t.Errorf("GET: Cache-Control %q", cc)
		}
		lm, err1 := http.ParseTime(resp.Header.Get("Last-Modified"))
		exp, err2 := http.ParseTime(resp.Header.Get("Expires"))
		if err1 != nil || err2 != nil || !lm.Equal(r.ThisUpdate) || !exp.Equal(r.NextUpdate) {
			t.Errorf("GET: Last-Modified %q, Expires %q; thisUpdate %v, nextUpdate %v", resp.Header.Get("Last-Modified"), resp.Header.Get("Expires"), r.ThisUpdate, r.NextUpdate)
		}
	}
	for range 3 {
		resp, err := client.Post("http://"+addr+"/", "application/ocsp-request", bytes.NewReader(req))
		check(resp, err, false)
	}
	for _, enc := range []func([]byte) string{
		func(b []byte) string { return url.PathEscape(base64.StdEncoding.EncodeToString(b)) },
		func(b []byte) string { return strings.ReplaceAll(base64.StdEncoding.EncodeToString(b), "/", "%2F") },
		base64.RawURLEncoding.EncodeToString,
	} {
		resp, err := client.Get("http://" + addr + "/" + enc(req))
		check(resp, err, true)
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d connections for 6 requests, want 1 kept open", n)
	}
}

// TestServerRefusals: what is not an OCSP request gets an HTTP error, and
// what does not parse as one gets the OCSP malformedRequest answer (RFC
// 6960 appendix A.1: OCSP errors travel in a 200), never cached.
func TestServerRefusals(t *testing.T) {
	p := newResponderTestPKI(t)
	var logged atomic.Int32
	h := NewHandler(newTestResponder(t, p, p.src), func(string) { logged.Add(1) })
	nonceReq, err := NewRequest(p.leaf.Cert, p.ca.Cert, bytes.Repeat([]byte{7}, 16))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, target string
		body                 []byte
		status               int
		ocspStatus           int // of a 200: 0 successful, 1 malformedRequest
		cache                string
	}{
		{"PUT", http.MethodPut, "/", nil, http.StatusMethodNotAllowed, 0, ""},
		{"body too big", http.MethodPost, "/", make([]byte, 70000), http.StatusRequestEntityTooLarge, 0, ""},
		{"POST garbage", http.MethodPost, "/", []byte("hello"), 200, 1, "no-store"},
		{"GET not base64", http.MethodGet, "/not*base64", nil, 200, 1, "no-store"},
		{"GET of the root", http.MethodGet, "/", nil, 200, 1, "no-store"},
		{"GET with a nonce", http.MethodGet, "/" + url.PathEscape(base64.StdEncoding.EncodeToString(nonceReq)), nil, 200, 0, "no-store"},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.target, bytes.NewReader(tc.body)))
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, w.Code, tc.status)
			continue
		}
		if tc.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != "GET, POST" {
			t.Errorf("%s: Allow %q", tc.name, w.Header().Get("Allow"))
		}
		if tc.status != 200 {
			continue
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/ocsp-response" {
			t.Errorf("%s: Content-Type %q", tc.name, ct)
		}
		if cc := w.Header().Get("Cache-Control"); cc != tc.cache {
			t.Errorf("%s: Cache-Control %q, want %q", tc.name, cc, tc.cache)
		}
		var resp ocspResponse
		if _, err := asn1.Unmarshal(w.Body.Bytes(), &resp); err != nil || int(resp.Status) != tc.ocspStatus {
			t.Errorf("%s: OCSP status %d (%v), want %d", tc.name, resp.Status, err, tc.ocspStatus)
		}
	}
	if logged.Load() == 0 {
		t.Error("refused requests were not logged")
	}
}

// TestServerClosesStalledRequest: a client that stops in the middle of its
// headers is disconnected after ReadHeaderTimeout.
func TestServerClosesStalledRequest(t *testing.T) {
	p := newResponderTestPKI(t)
	addr := serveResponder(t, newTestResponder(t, p, p.src), func(s *http.Server) { s.ReadHeaderTimeout = 100 * time.Millisecond })
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Le")
	if _, err := io.ReadAll(c); err != nil {
		t.Errorf("the server did not close the stalled connection: %v", err)
	}
}

// blockingSource holds every lookup until release is closed.
type blockingSource struct {
	*responderTestSource
	entered chan struct{}
	release chan struct{}
}

func (s *blockingSource) ResponderLookup(v string, n *big.Int) (ResponderEntry, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.responderTestSource.ResponderLookup(v, n)
}

// TestServeShutsDownGracefully: once its context ends, Serve accepts no
// more connections but finishes the request it is answering, then
// returns nil.
func TestServeShutsDownGracefully(t *testing.T) {
	p := newResponderTestPKI(t)
	src := &blockingSource{responderTestSource: p.src, entered: make(chan struct{}, 1), release: make(chan struct{})}
	srv := NewServer(NewHandler(newTestResponder(t, p, src), nil), nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, srv, ln) }()

	req, _ := xocsp.CreateRequest(p.leaf.Cert, p.ca.Cert, nil)
	type result struct {
		body []byte
		err  error
	}
	answered := make(chan result, 1)
	go func() {
		resp, err := http.Post("http://"+addr+"/", "application/ocsp-request", bytes.NewReader(req))
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		answered <- result{body, err}
	}()
	<-src.entered // the request is being answered
	cancel()
	// Wait until the listener is closed: a new connection is refused.
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if errors.Is(err, syscall.ECONNREFUSED) {
			break
		}
		if err == nil {
			c.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("still accepting connections after shutdown began: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	close(src.release)
	res := <-answered
	if res.err != nil {
		t.Fatalf("the request being answered at shutdown failed: %v", res.err)
	}
	if r, err := xocsp.ParseResponse(res.body, p.ca.Cert); err != nil || r.Status != xocsp.Good {
		t.Errorf("answer at shutdown: %v, %v", r, err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve returned %v", err)
	}
}

// FuzzHandler sends arbitrary GET paths and POST bodies: every one gets a
// 200 carrying an OCSP response (a signed one or an error status), never
// a panic.
func FuzzHandler(f *testing.F) {
	f.Add([]byte("MEIwQDA+MDwwOjAJBgUrDgMCGgUABBQ"), true)
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01}, false)
	f.Add([]byte("%zz"), true)
	p := newResponderTestPKI(f)
	req, _ := xocsp.CreateRequest(p.leaf.Cert, p.ca.Cert, nil)
	f.Add(req, false)
	f.Add([]byte(base64.StdEncoding.EncodeToString(req)), true)
	h := NewHandler(newTestResponder(f, p, p.src), nil)
	f.Fuzz(func(t *testing.T, data []byte, get bool) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(data))
		if get {
			r = httptest.NewRequest(http.MethodGet, "/", nil)
			r.URL = &url.URL{Path: "/" + string(data)}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 || w.Header().Get("Content-Type") != "application/ocsp-response" {
			t.Fatalf("status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
		}
		var resp ocspResponse
		if _, err := asn1.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatalf("not an OCSP response: %v", err)
		}
	})
}
