package ocsp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestOpenSSLOCSPServer runs the long-lived responder people deploy,
// "openssl ocsp -index ... -port N", and checks good, revoked and unknown
// against it. OpenSSL 3.0 takes only a port number and so listens on every
// address; the test talks to it on 127.0.0.1 only. It is never probed with
// an empty TCP connection (after one, OpenSSL 3.0's accept loop spins at
// 100% CPU): readiness is a real OCSP request that gets an answer. The
// server is stopped by its process id.
func TestOpenSSLOCSPServer(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	ca := testpki.Root(t, "CN=Acme Server Test CA")
	good := testpki.Leaf(t, "good.example.com", ca)
	revoked := testpki.Leaf(t, "revoked.example.com", ca)
	unknown := testpki.Leaf(t, "unknown.example.com", ca)
	caPath, caKey := ca.Write(t, dir, "ca")
	revokedAt := time.Date(2026, time.February, 3, 4, 5, 6, 0, time.UTC)
	index := indexLine(good.Cert, "") + indexLine(revoked.Cert, revokedAt.Format("060102150405Z")+",keyCompromise")
	if err := os.WriteFile(filepath.Join(dir, "index.txt"), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command("openssl", "ocsp", "-index", filepath.Join(dir, "index.txt"), "-port", port,
		"-CA", caPath, "-rsigner", caPath, "-rkey", caKey, "-nmin", "5")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	url := "http://127.0.0.1:" + port
	check := func(leaf *testpki.Cert) (*Result, error) {
		return Check(context.Background(), leaf.Cert, ca.Cert, CheckOptions{URL: url, Timeout: 2 * time.Second})
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := check(good)
		var ue *UnreachableError
		if err == nil || !errors.As(err, &ue) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("openssl ocsp -port %s never answered: %v", port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, tc := range []struct {
		leaf *testpki.Cert
		want Status
	}{{good, Good}, {revoked, Revoked}, {unknown, Unknown}} {
		res, err := check(tc.leaf)
		if err != nil {
			t.Fatalf("%s: %v", tc.leaf.Cert.Subject, err)
		}
		if res.Status != tc.want {
			t.Errorf("%s: %s, want %s", tc.leaf.Cert.Subject, res.Status, tc.want)
		}
		if tc.want == Revoked && (res.Reason != "keyCompromise" || !res.RevokedAt.Equal(revokedAt)) {
			t.Errorf("revoked: reason %q at %v", res.Reason, res.RevokedAt)
		}
		if !res.NonceEchoed {
			t.Errorf("%s: the nonce was not echoed", tc.leaf.Cert.Subject)
		}
	}
}

// freePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}
