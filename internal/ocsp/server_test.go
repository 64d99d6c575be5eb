package ocsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"
)

// startServer runs a Server for the test PKI on 127.0.0.1 and returns its
// address; the test stops it.
func startServer(t *testing.T, p *responderTestPKI, s *Server) string {
	t.Helper()
	r, err := NewResponder(ResponderOptions{Issuer: p.ca.Cert, Source: p.src, Signer: p.ca.Key, Now: responderNow})
	if err != nil {
		t.Fatal(err)
	}
	return serveResponder(t, r, s)
}

// serveResponder runs s answering with r on 127.0.0.1 and returns its
// address; the test stops it.
func serveResponder(t *testing.T, r *Responder, s *Server) string {
	t.Helper()
	s.SetResponder(r)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ln.Addr().String()
}

// countingDialer counts the connections an http.Client opens.
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
// with the headers RFC 5019 asks for.
func TestServerAnswersGETAndPOST(t *testing.T) {
	p := newResponderTestPKI(t)
	addr := startServer(t, p, &Server{})
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
		if cc := resp.Header.Get("Cache-Control"); get != strings.HasPrefix(cc, "max-age=1800,") {
			t.Errorf("GET %t: Cache-Control %q", get, cc)
		}
		r, err := xocsp.ParseResponse(body, p.ca.Cert)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != xocsp.Good || r.SerialNumber.Cmp(p.leaf.Cert.SerialNumber) != 0 {
			t.Errorf("status %d for serial %v", r.Status, r.SerialNumber)
		}
	}
	for range 3 {
		resp, err := client.Post("http://"+addr+"/", "application/ocsp-request", bytes.NewReader(req))
		check(resp, err, false)
	}
	for _, enc := range []func([]byte) string{
		func(b []byte) string { return strings.ReplaceAll(base64.StdEncoding.EncodeToString(b), "/", "%2F") },
		base64.RawURLEncoding.EncodeToString,
	} {
		resp, err := client.Get("http://" + addr + "/" + enc(req))
		check(resp, err, true)
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d connections for 5 requests, want 1 kept open", n)
	}
}

// rawExchange writes raw to a fresh connection and returns everything the
// server sends until it closes the connection.
func rawExchange(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading until the server closes: %v (read %q)", err, out)
	}
	return string(out)
}

// TestServerRefusesWhatOCSPDoesNotUse: each malformed or unsupported
// request gets its status and the connection closes.
func TestServerRefusesWhatOCSPDoesNotUse(t *testing.T) {
	p := newResponderTestPKI(t)
	var logged atomic.Int32
	// A short ReadTimeout ends the truncated body quickly.
	addr := startServer(t, p, &Server{ReadTimeout: 300 * time.Millisecond, Log: func(string) { logged.Add(1) }})
	for _, tc := range []struct{ name, raw, status string }{
		{"garbage", "hello\r\n\r\n", "400 Bad Request"},
		{"no target", "GET HTTP/1.1\r\n\r\n", "400 Bad Request"},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "505 HTTP Version Not Supported"},
		{"PUT", "PUT / HTTP/1.1\r\nHost: x\r\n\r\n", "405 Method Not Allowed"},
		{"chunked POST", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "411 Length Required"},
		{"POST without length", "POST / HTTP/1.1\r\nHost: x\r\n\r\n", "411 Length Required"},
		{"body too big", "POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n", "413 Request Entity Too Large"},
		{"two lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "400 Bad Request"},
		{"folded header", "GET /x HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n", "400 Bad Request"},
		{"headers too big", "GET /x HTTP/1.1\r\n" + strings.Repeat("X-Filler: "+strings.Repeat("a", 100)+"\r\n", 90) + "\r\n", "431 Request Header Fields Too Large"},
		{"truncated body", "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", "400 Bad Request"},
	} {
		out := rawExchange(t, addr, tc.raw)
		if !strings.HasPrefix(out, "HTTP/1.1 "+tc.status+"\r\n") || !strings.Contains(out, "\r\nConnection: close\r\n") {
			t.Errorf("%s: got %q, want %s and Connection: close", tc.name, out, tc.status)
		}
		if tc.status == "405 Method Not Allowed" && !strings.Contains(out, "\r\nAllow: GET, POST\r\n") {
			t.Errorf("%s: no Allow header in %q", tc.name, out)
		}
	}
	if logged.Load() == 0 {
		t.Error("refused requests were not logged")
	}
}

// TestServerHTTP10AndPipelining: an HTTP/1.0 request is answered and the
// connection closed, unless the client asks to keep it; requests sent back
// to back on one connection are answered in order; Expect: 100-continue
// is honoured.
func TestServerHTTP10AndPipelining(t *testing.T) {
	p := newResponderTestPKI(t)
	addr := startServer(t, p, &Server{})
	req, _ := xocsp.CreateRequest(p.leaf.Cert, p.ca.Cert, nil)
	post := func(proto, extra string) string {
		return fmt.Sprintf("POST / %s\r\nHost: %s\r\nContent-Type: application/ocsp-request\r\nContent-Length: %d\r\n%s\r\n%s", proto, addr, len(req), extra, req)
	}
	out := rawExchange(t, addr, post("HTTP/1.0", ""))
	if !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || !strings.Contains(out, "Connection: close") {
		t.Errorf("HTTP/1.0: %q", out[:min(len(out), 200)])
	}
	// Two kept-alive requests and a closing one, in one write.
	out = rawExchange(t, addr, post("HTTP/1.1", "")+post("HTTP/1.0", "Connection: keep-alive\r\n")+post("HTTP/1.1", "Connection: close\r\n"))
	if n := strings.Count(out, "HTTP/1.1 200 OK\r\n"); n != 3 {
		t.Errorf("pipelined: %d answers, want 3", n)
	}
	if !strings.Contains(out, "Connection: keep-alive") {
		t.Error("an HTTP/1.0 client that asked to keep the connection was not told it is kept")
	}
	// Expect: 100-continue gets its interim answer before the body is read.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", len(req))
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("before the body: %q, %v", line, err)
	}
	br.ReadString('\n')
	c.Write(req)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the body: %v, %v", resp, err)
	}
}

// TestServerTimeoutsAndShutdown: an idle connection is closed after
// IdleTimeout, one that stops in the middle of its headers after
// ReadTimeout; Shutdown closes idle connections at once.
func TestServerTimeoutsAndShutdown(t *testing.T) {
	p := newResponderTestPKI(t)
	addr := startServer(t, p, &Server{IdleTimeout: 100 * time.Millisecond, ReadTimeout: 100 * time.Millisecond})
	for _, raw := range []string{"", "POST / HTTP/1.1\r\nContent-Le"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, raw)
		if _, err := io.ReadAll(c); err != nil {
			t.Errorf("%q: the server did not close the connection: %v", raw, err)
		}
		c.Close()
	}

	s := &Server{}
	addr = startServer(t, p, s)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	// Let the server see the connection, then shut down.
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(c); err != nil {
		t.Errorf("the idle connection was not closed by Shutdown: %v", err)
	}
}

// FuzzServerRequest feeds arbitrary bytes to the request reader: it must
// return a request or an error status, never panic, and never accept a
// body it did not read whole.
func FuzzServerRequest(f *testing.F) {
	f.Add([]byte("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"))
	f.Add([]byte("GET /MEIwQDA%2BMDwwOjAJBgUrDgMCGgUABBQ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
	f.Add([]byte("POST http://ocsp.example.com/ HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		defer client.Close()
		defer server.Close()
		go io.Copy(io.Discard, client) // takes any 100 Continue
		br := bufio.NewReaderSize(bytes.NewReader(data), 4096)
		req, status := readServerRequest(br, server)
		if status != 0 {
			if http.StatusText(status) == "" {
				t.Fatalf("status %d", status)
			}
			return
		}
		if req.method != http.MethodGet && req.method != http.MethodPost {
			t.Fatalf("method %q accepted", req.method)
		}
		if !strings.HasPrefix(req.path, "/") {
			t.Fatalf("path %q accepted", req.path)
		}
		if len(req.body) > responderMaxRequest {
			t.Fatalf("a body of %d bytes accepted", len(req.body))
		}
	})
}
