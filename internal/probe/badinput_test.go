package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func TestProbeBadEndpoints(t *testing.T) {
	// A port nothing listens on: take a free one and close it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed, _ := ParseTarget(ln.Addr().String())
	ln.Close()

	notTLS := serve(t, func(c net.Conn) {
		_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
		_, _ = io.Copy(io.Discard, c)
	})
	midway := serve(t, func(c net.Conn) {
		var b [10]byte
		_, _ = io.ReadFull(c, b[:]) // part of the ClientHello, then hang up
	})
	silent := serve(t, func(c net.Conn) {
		_, _ = io.Copy(io.Discard, c)
	})
	tests := []struct {
		name   string
		target Target
		op     string
		want   error
	}{
		{"refused", closed, "connect", nil},
		{"not TLS", notTLS, "handshake", ErrNotTLS},
		{"closed mid-handshake", midway, "handshake", ErrClosed},
		{"silent", silent, "handshake", ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r, err := Probe(context.Background(), tt.target, Options{Timeout: 700 * time.Millisecond})
			// The bound is the behaviour under test (no hang past the
			// timeout), with room for a loaded machine.
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("took %v with a 700ms timeout", el)
			}
			var pe *Error
			if r != nil || !errors.As(err, &pe) || pe.Op != tt.op {
				t.Fatalf("got %+v, %v; want a %s error", r, err, tt.op)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v is not %v", err, tt.want)
			}
		})
	}
}

func TestProbeAllKeepsOrder(t *testing.T) {
	p := testPKI(t)
	good := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{tlsCert(t, p.leaf, p.inter)}})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	bad, _ := ParseTarget(ln.Addr().String())
	ln.Close()
	good.ServerName = "primary-host"
	var calls int
	out := ProbeAll(context.Background(), []Target{bad, good, bad, good}, Options{Timeout: 2 * time.Second}, 2, func(done, total int) { calls++ })
	if calls != 4 || len(out) != 4 {
		t.Fatalf("progress calls %d, outcomes %d", calls, len(out))
	}
	for i, o := range out {
		if (i%2 == 0) != (o.Err != nil) {
			t.Errorf("outcome %d: %+v", i, o)
		}
		if i%2 == 1 && (o.Result == nil || !o.Result.NameMatch) {
			t.Errorf("outcome %d: server name from the target not used: %+v", i, o.Result)
		}
	}
}

// TestProbeUnparsableCertificate: crypto/tls aborts on a certificate
// crypto/x509 refuses; the chain is still read off the wire.
func TestProbeUnparsableCertificate(t *testing.T) {
	p := testPKI(t)
	bad := append([]byte{}, p.leaf.Cert.Raw...)
	bad = append(bad, 0, 0) // trailing data: crypto/x509 refuses it
	tg := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{bad, p.inter.Cert.Raw}, PrivateKey: p.leaf.Key}}})
	r, err := Probe(context.Background(), tg, Options{ServerName: "primary-host", NoFallbackCheck: true, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Chain) != 2 || r.Chain[0].X509 != nil || string(r.Chain[0].Raw) != string(bad) {
		t.Fatalf("chain %d certificates, first parsed %v", len(r.Chain), r.Leaf() != nil && r.Leaf().X509 != nil)
	}
	if r.HandshakeErr == nil || !r.Legacy {
		t.Errorf("handshake error %v, legacy %v", r.HandshakeErr, r.Legacy)
	}
	found := false
	for _, w := range r.Weak {
		found = found || strings.Contains(w, "refused by Go's parser")
	}
	if !found {
		t.Errorf("weak %v does not mention the parse failure", r.Weak)
	}
}
