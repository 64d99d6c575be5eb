//go:debug tlssha1=1

package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/testpki"
)

// pki is the hierarchy most tests use, built once.
type pki struct {
	root, inter, leaf, other *testpki.Cert
}

var (
	pkiOnce sync.Once
	thePKI  pki
)

func testPKI(t testing.TB) pki {
	pkiOnce.Do(func() {
		root := testpki.Root(t, "CN=Acme-CA-Root,O=Acme")
		inter := testpki.Intermediate(t, "CN=Acme-CA-Intermediate,O=Acme", root)
		thePKI = pki{
			root:  root,
			inter: inter,
			leaf:  testpki.Leaf(t, "primary-host", inter, "primary-host"),
			other: testpki.Leaf(t, "localhost", nil, "localhost"),
		}
	})
	return thePKI
}

func tlsCert(t testing.TB, c *testpki.Cert, chain ...*testpki.Cert) tls.Certificate {
	t.Helper()
	tc := tls.Certificate{Certificate: [][]byte{c.Cert.Raw}, PrivateKey: c.Key}
	for _, x := range chain {
		tc.Certificate = append(tc.Certificate, x.Cert.Raw)
	}
	return tc
}

// serve runs fn for every connection on a 127.0.0.1 listener until the
// test ends, and returns the target.
func serve(t testing.TB, fn func(net.Conn)) Target {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				fn(c)
			}()
		}
	}()
	tg, err := ParseTarget(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// serveTLS runs a Go TLS server that completes the handshake and waits
// for the client to close.
func serveTLS(t testing.TB, cfg *tls.Config) Target {
	return serve(t, func(c net.Conn) {
		tc := tls.Server(c, cfg)
		if tc.Handshake() == nil {
			_, _ = io.Copy(io.Discard, tc)
		}
	})
}

func TestProbeChainAndName(t *testing.T) {
	p := testPKI(t)
	tg := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{tlsCert(t, p.leaf, p.inter)}})
	r, err := Probe(context.Background(), tg, Options{ServerName: "primary-host", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.HandshakeErr != nil {
		t.Fatalf("handshake: %v", r.HandshakeErr)
	}
	if r.VersionName() != "TLS 1.3" || r.Legacy {
		t.Errorf("version %q legacy %v, want TLS 1.3 without legacy", r.VersionName(), r.Legacy)
	}
	if got := names(r.Chain); got != "primary-host,Acme-CA-Intermediate" {
		t.Errorf("chain %s", got)
	}
	if !r.NameMatch || len(r.Problems) != 0 || len(r.Weak) != 0 {
		t.Errorf("match %v problems %v weak %v", r.NameMatch, r.Problems, r.Weak)
	}
	if r.Fallback == nil || r.Fallback.DefaultPresented || !strings.Contains(r.Fallback.Verdict, "same certificate") {
		t.Errorf("fallback %+v", r.Fallback)
	}
	if r.ClientAuth.Requested {
		t.Error("client certificate reported as requested")
	}

	// The same server asked for another name: the certificate does not
	// match, and it is the one sent to everybody.
	r, err = Probe(context.Background(), tg, Options{ServerName: "api.example.com", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.NameMatch || r.NameErr == nil {
		t.Error("leaf reported as matching api.example.com")
	}
	want := "the server presented its default certificate (CN=primary-host), not one for api.example.com: SNI did not select a certificate"
	if r.Fallback == nil || r.Fallback.Verdict != want {
		t.Errorf("verdict %+v\nwant %q", r.Fallback, want)
	}
}

func TestProbeVerify(t *testing.T) {
	p := testPKI(t)
	tg := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{tlsCert(t, p.leaf, p.inter)}})
	r, err := Probe(context.Background(), tg, Options{ServerName: "primary-host", NoFallbackCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(r, []*x509.Certificate{p.root.Cert}, time.Now())
	if err != nil || !res.Valid {
		t.Fatalf("verify against the right root: %v %+v", err, res)
	}
	res, err = Verify(r, []*x509.Certificate{p.other.Cert}, time.Now())
	if err != nil || res.Valid || len(res.Problems) == 0 {
		t.Fatalf("verify against a wrong root: %v %+v", err, res)
	}
}

func names(cs []*certs.Cert) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.CommonName())
	}
	return strings.Join(s, ",")
}

func TestProbeSNISelection(t *testing.T) {
	p := testPKI(t)
	def, sni := tlsCert(t, p.other), tlsCert(t, p.leaf, p.inter)
	tg := serveTLS(t, &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if h.ServerName == "primary-host" {
			return &sni, nil
		}
		return &def, nil
	}})
	r, err := Probe(context.Background(), tg, Options{ServerName: "primary-host"})
	if err != nil {
		t.Fatal(err)
	}
	want := "SNI selected CN=primary-host; without it the server presents CN=localhost"
	if !r.NameMatch || r.Fallback.Verdict != want {
		t.Errorf("match %v verdict %q, want %q", r.NameMatch, r.Fallback.Verdict, want)
	}
	r, err = Probe(context.Background(), tg, Options{NoSNI: true, ServerName: "primary-host"})
	if err != nil {
		t.Fatal(err)
	}
	// Without SNI no name is asked for, so none is checked.
	if r.ServerName != "" || r.Name != "" || r.NameErr != nil || r.Leaf().CommonName() != "localhost" || r.NameMatch || r.Fallback != nil {
		t.Errorf("no SNI: sent %q, leaf %s, match %v", r.ServerName, r.Leaf().CommonName(), r.NameMatch)
	}
}

func TestProbeClientCertRequest(t *testing.T) {
	p := testPKI(t)
	pool := x509.NewCertPool()
	pool.AddCert(p.root.Cert)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			tg := serveTLS(t, &tls.Config{
				Certificates: []tls.Certificate{tlsCert(t, p.leaf, p.inter)},
				ClientAuth:   tls.RequireAndVerifyClientCert,
				ClientCAs:    pool,
				MaxVersion:   v,
			})
			r, err := Probe(context.Background(), tg, Options{ServerName: "primary-host", NoFallbackCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			ca := r.ClientAuth
			if !ca.Requested || len(ca.AcceptedCAs) != 1 || ca.AcceptedCAs[0] != "CN=Acme-CA-Root,O=Acme" {
				t.Errorf("client auth %+v", ca)
			}
			if ca.Accepted || !errors.Is(r.HandshakeErr, ErrClientCertRequired) {
				t.Errorf("without a certificate: accepted %v, err %v", ca.Accepted, r.HandshakeErr)
			}
			client := testpki.Leaf(t, "client", p.inter)
			cc := tlsCert(t, client, p.inter)
			r, err = Probe(context.Background(), tg, Options{ServerName: "primary-host", NoFallbackCheck: true, ClientCert: &cc})
			if err != nil {
				t.Fatal(err)
			}
			if !r.ClientAuth.Sent || !r.ClientAuth.Accepted || r.HandshakeErr != nil {
				t.Errorf("with a certificate: %+v, err %v", r.ClientAuth, r.HandshakeErr)
			}
		})
	}
}

func TestProbeIPv6(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback: " + err.Error())
	}
	ln.Close()
	p := testPKI(t)
	ip := testpki.New(t, testpki.Template{Subject: "ipv6", IPs: []net.IP{net.IPv6loopback}}, p.inter)
	cfg := &tls.Config{Certificates: []tls.Certificate{tlsCert(t, ip, p.inter)}}
	ln, err = tls.Listen("tcp", "[::1]:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { c.(*tls.Conn).Handshake(); io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	tg, err := ParseTarget(ln.Addr().String())
	if err != nil || tg.Host != "::1" {
		t.Fatalf("%q: %+v %v", ln.Addr().String(), tg, err)
	}
	r, err := Probe(context.Background(), tg, Options{Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// An IP is never sent in SNI (RFC 6066 section 3) but is matched
	// against the IP SANs.
	if r.ServerName != "" || r.Name != "::1" || !r.NameMatch || r.Fallback != nil {
		t.Errorf("sni %q name %q match %v fallback %v", r.ServerName, r.Name, r.NameMatch, r.Fallback)
	}
}

// TestProbeUnrecognizedName: a server that aborts on a name it does not
// serve; the error says what it serves without SNI.
func TestProbeUnrecognizedName(t *testing.T) {
	p := testPKI(t)
	def := tlsCert(t, p.other)
	tg := serveTLS(t, &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if h.ServerName != "" {
			return nil, errors.New("unknown name")
		}
		return &def, nil
	}})
	_, err := Probe(context.Background(), tg, Options{ServerName: "primary-host"})
	if err == nil || !strings.Contains(err.Error(), "without SNI the server presents CN=localhost") {
		t.Errorf("got %v", err)
	}
}
