package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/testpki"
)

func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skip(name + " not on PATH")
	}
	return p
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// startProcess runs a server and kills it (by its pid) when the test ends.
// stdin stays open: openssl s_server exits on end of input.
func startProcess(t testing.TB, name string, args ...string) <-chan struct{} {
	t.Helper()
	cmd := exec.Command(name, args...)
	if _, err := cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
		}
	})
	return exited
}

// waitTLS waits until a TLS handshake gets an answer (a completed
// handshake or an alert), not merely until the port accepts.
func waitTLS(t testing.TB, addr string, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatal("the server exited before it answered")
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, CipherSuites: legacySuites()})
			_ = tc.SetDeadline(time.Now().Add(2 * time.Second))
			err = tc.Handshake()
			c.Close()
			if err == nil || isAlert(err) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no TLS server on %s", addr)
}

func startSServer(t testing.TB, args ...string) Target {
	t.Helper()
	bin := needTool(t, "openssl")
	addr := net.JoinHostPort("127.0.0.1", freePort(t))
	exited := startProcess(t, bin, append([]string{"s_server", "-accept", addr, "-naccept", "1000"}, args...)...)
	waitTLS(t, addr, exited)
	tg, _ := ParseTarget(addr)
	return tg
}

// TestOpenSSLFallbackCertificate is seed 002: s_server with a default
// "localhost" certificate and another for primary-host selected by SNI.
func TestOpenSSLFallbackCertificate(t *testing.T) {
	p := testPKI(t)
	dir := t.TempDir()
	defCrt, defKey := p.other.Write(t, dir, "default")
	sniCrt, sniKey := p.leaf.Write(t, dir, "sni")
	tg := startSServer(t, "-cert", defCrt, "-key", defKey,
		"-servername", "primary-host", "-cert2", sniCrt, "-key2", sniKey, "-www")

	ctx := context.Background()
	r, err := Probe(ctx, tg, Options{ServerName: "primary-host"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.NameMatch || r.Leaf().CommonName() != "primary-host" || r.Fallback.DefaultPresented {
		t.Errorf("primary-host: leaf %s match %v verdict %q", r.Leaf().CommonName(), r.NameMatch, r.Fallback.Verdict)
	}
	if want := "SNI selected CN=primary-host; without it the server presents CN=localhost"; r.Fallback.Verdict != want {
		t.Errorf("verdict %q, want %q", r.Fallback.Verdict, want)
	}

	r, err = Probe(ctx, tg, Options{ServerName: "gateway-host"})
	if err != nil {
		t.Fatal(err)
	}
	want := "the server presented its default certificate (CN=localhost), not one for gateway-host: SNI did not select a certificate"
	if r.NameMatch || !r.Fallback.DefaultPresented || r.Fallback.Verdict != want {
		t.Errorf("wrong name: match %v verdict %q", r.NameMatch, r.Fallback.Verdict)
	}

	r, err = Probe(ctx, tg, Options{NoSNI: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.ServerName != "" || r.Leaf().CommonName() != "localhost" || r.Fallback != nil {
		t.Errorf("no SNI: sent %q, leaf %s", r.ServerName, r.Leaf().CommonName())
	}
}

// TestOpenSSLClientCertificate: a server that requires a client
// certificate names its CA; a PFX made by openssl pkcs12 -export is
// accepted. Run for TLS 1.2 and 1.3, where the rejection comes after the
// client's Finished.
func TestOpenSSLClientCertificate(t *testing.T) {
	openssl := needTool(t, "openssl")
	p := testPKI(t)
	dir := t.TempDir()
	clientCA := testpki.Root(t, "CN=Acme Client CA,O=Acme")
	client := testpki.Leaf(t, "pcclient-host", clientCA)
	caCrt, _ := clientCA.Write(t, dir, "client-ca")
	cCrt, cKey := client.Write(t, dir, "client")
	srvCrt, srvKey := p.leaf.Write(t, dir, "server")
	interCrt, _ := p.inter.Write(t, dir, "inter")
	pfx := filepath.Join(dir, "client.pfx")
	out, err := exec.Command(openssl, "pkcs12", "-export", "-in", cCrt, "-inkey", cKey, "-certfile", caCrt,
		"-out", pfx, "-passout", "pass:changeit").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl pkcs12 -export: %v\n%s", err, out)
	}
	set, err := source.Load(pfx, source.Options{Password: []byte("changeit"), HavePassword: true})
	if err != nil {
		t.Fatal(err)
	}
	cc, err := ClientCertificate(set)
	if err != nil {
		t.Fatal(err)
	}
	for _, proto := range []string{"-tls1_2", "-tls1_3"} {
		t.Run(proto, func(t *testing.T) {
			tg := startSServer(t, "-cert", srvCrt, "-key", srvKey, "-cert_chain", interCrt,
				"-Verify", "1", "-CAfile", caCrt, proto, "-www")
			o := Options{ServerName: "primary-host", NoFallbackCheck: true}
			r, err := Probe(context.Background(), tg, o)
			if err != nil {
				t.Fatal(err)
			}
			if !r.ClientAuth.Requested || strings.Join(r.ClientAuth.AcceptedCAs, ";") != "CN=Acme Client CA,O=Acme" {
				t.Errorf("client auth %+v", r.ClientAuth)
			}
			if r.ClientAuth.Accepted || !errors.Is(r.HandshakeErr, ErrClientCertRequired) {
				t.Errorf("without a certificate: %+v %v", r.ClientAuth, r.HandshakeErr)
			}
			if len(r.Chain) != 2 {
				t.Errorf("chain of %d certificates", len(r.Chain))
			}
			o.ClientCert = cc
			r, err = Probe(context.Background(), tg, o)
			if err != nil {
				t.Fatal(err)
			}
			if !r.ClientAuth.Sent || !r.ClientAuth.Accepted || r.HandshakeErr != nil {
				t.Errorf("with the PFX: %+v %v", r.ClientAuth, r.HandshakeErr)
			}
		})
	}
}

// TestOpenSSLOldServer: TLS 1.0 with RSA key exchange only. Go's defaults
// refuse it; the legacy retry shows the chain and says what is weak.
func TestOpenSSLOldServer(t *testing.T) {
	p := testPKI(t)
	dir := t.TempDir()
	old := testpki.New(t, testpki.Template{Subject: "old-host", DNS: []string{"old-host"}, Key: testpki.RSAKey(t)}, p.inter)
	crt, key := old.Write(t, dir, "old")
	tests := []struct {
		name, version, cipher, suite string
		weak                         []string
	}{
		{"TLS 1.0 RSA kex", "-tls1", "AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", []string{"TLS 1.0 is deprecated", "RSA key exchange", "refused Go's default"}},
		// Debian's OpenSSL 3 is built without 3DES, so no 3DES case here.
		{"TLS 1.1 RSA kex", "-tls1_1", "AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", []string{"TLS 1.1 is deprecated", "RSA key exchange"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := startSServer(t, "-cert", crt, "-key", key, tt.version, "-cipher", tt.cipher+":@SECLEVEL=0", "-www")
			r, err := Probe(context.Background(), tg, Options{ServerName: "old-host", NoFallbackCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			if r.HandshakeErr != nil || !r.Legacy || r.CipherSuiteName() != tt.suite {
				t.Fatalf("err %v legacy %v %s %s", r.HandshakeErr, r.Legacy, r.VersionName(), r.CipherSuiteName())
			}
			if r.Leaf().CommonName() != "old-host" || !r.NameMatch || len(r.Chain) != 1 {
				t.Errorf("leaf %s, %d certificates", r.Leaf().CommonName(), len(r.Chain))
			}
			weak := strings.Join(r.Weak, "\n")
			for _, w := range tt.weak {
				if !strings.Contains(weak, w) {
					t.Errorf("weak list lacks %q:\n%s", w, weak)
				}
			}
		})
	}
}

// TestOpenSSLSHA1Server: TLS 1.2 whose only signature algorithm is
// RSA+SHA1, with a 1024-bit self-signed SHA-1 certificate made by openssl.
// Go 1.25+ refuses SHA-1 handshake signatures unless tlssha1=1 (set for
// this test binary in probe_test.go; trustctl's main needs it too).
func TestOpenSSLSHA1Server(t *testing.T) {
	openssl := needTool(t, "openssl")
	dir := t.TempDir()
	crt, key := filepath.Join(dir, "sha1.crt"), filepath.Join(dir, "sha1.key")
	out, err := exec.Command(openssl, "req", "-x509", "-newkey", "rsa:1024", "-sha1", "-nodes", "-subj", "/CN=sha1-host",
		"-addext", "subjectAltName=DNS:sha1-host", "-keyout", key, "-out", crt, "-days", "30").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl req: %v\n%s", err, out)
	}
	tg := startSServer(t, "-cert", crt, "-key", key, "-tls1_2", "-sigalgs", "RSA+SHA1",
		"-cipher", "ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0", "-www")
	r, err := Probe(context.Background(), tg, Options{ServerName: "sha1-host", NoFallbackCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.HandshakeErr != nil || r.VersionName() != "TLS 1.2" || !r.NameMatch {
		t.Fatalf("err %v version %s match %v", r.HandshakeErr, r.VersionName(), r.NameMatch)
	}
	weak := strings.Join(r.Weak, "\n")
	for _, w := range []string{"signed with SHA1-RSA", "1024-bit RSA key"} {
		if !strings.Contains(weak, w) {
			t.Errorf("weak list lacks %q:\n%s", w, weak)
		}
	}
}
