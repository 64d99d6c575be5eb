package ocsp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/trustctl/trustctl/internal/testpki"
)

// BenchmarkServerCached is what a client of a busy responder sees: POSTs
// of one request without a nonce over one kept-open connection, answered
// from the cache through net/http. BenchmarkServerConstant is the same
// server answering constant bytes: the difference is what the cached path
// costs of its own.
func BenchmarkServerCached(b *testing.B) {
	ca := testpki.Root(b, "Bench CA")
	leaf := testpki.Leaf(b, "bench.test", ca, "bench.test")
	src := &responderTestSource{entries: map[string]ResponderEntry{}}
	src.set(leaf.Cert.SerialNumber, ResponderEntry{Known: true})
	r, err := NewResponder(ResponderOptions{Issuer: ca.Cert, Source: src, Signer: ca.Key})
	if err != nil {
		b.Fatal(err)
	}
	req, err := xocsp.CreateRequest(leaf.Cert, ca.Cert, nil)
	if err != nil {
		b.Fatal(err)
	}
	benchServer(b, NewHandler(r, nil), req)
}

func BenchmarkServerConstant(b *testing.B) {
	body := make([]byte, 600)
	benchServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header()["Content-Type"] = headerOCSPResponse
		w.Write(body)
	}), make([]byte, 80))
}

func benchServer(b *testing.B, h http.Handler, req []byte) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := NewServer(h, nil)
	go srv.Serve(ln)
	defer srv.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	out := fmt.Appendf(nil, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/ocsp-request\r\nContent-Length: %d\r\n\r\n%s", ln.Addr(), len(req), req)
	br := bufio.NewReader(conn)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conn.Write(out); err != nil {
			b.Fatal(err)
		}
		n := -1
		for {
			l, err := br.ReadSlice('\n')
			if err != nil {
				b.Fatal(err)
			}
			if len(l) <= 2 {
				break
			}
			if len(l) > 16 && string(l[:16]) == "Content-Length: " {
				n, _ = strconv.Atoi(string(l[16 : len(l)-2]))
			}
		}
		if _, err := br.Discard(n); err != nil {
			b.Fatal(err)
		}
	}
}
