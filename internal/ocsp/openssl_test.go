package ocsp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/trustctl/trustctl/internal/testpki"
)

// The interop tests put the real OpenSSL responder behind a 127.0.0.1
// httptest server: each request is answered by one run of
//
//	openssl ocsp -index index.txt -CA ca.crt -rsigner R -rkey K -reqin req.der -respout resp.der
//
// rather than a long-running "openssl ocsp -port N". OpenSSL 3.0 takes
// only a number for -port ("Can't parse "127.0.0.1:N" as a number") and
// then listens on every address, and its accept loop spins at 100% CPU
// after a connection that closes without a request. Running it once per
// request answers with exactly the bytes its responder would send, from
// 127.0.0.1 only, with nothing to stop afterwards.

type opensslResponder struct {
	dir          string
	ca           string // -CA
	signer, key  string // -rsigner, -rkey
	extra        []string
	mu           sync.Mutex
	sawNonce     bool
	lastResponse []byte
}

func needOpenSSL(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not on PATH")
	}
}

func (o *opensslResponder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if RequestNonce(body) != nil {
		o.sawNonce = true
	}
	reqPath := filepath.Join(o.dir, "req.der")
	respPath := filepath.Join(o.dir, "resp.der")
	os.Remove(respPath)
	if err := os.WriteFile(reqPath, body, 0o600); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	args := append([]string{"ocsp", "-index", filepath.Join(o.dir, "index.txt"), "-CA", o.ca,
		"-rsigner", o.signer, "-rkey", o.key, "-reqin", reqPath, "-respout", respPath}, o.extra...)
	cmd := exec.Command("openssl", args...)
	cmd.Dir = o.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		http.Error(w, fmt.Sprintf("openssl: %v: %s", err, out), http.StatusInternalServerError)
		return
	}
	resp, err := os.ReadFile(respPath)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	o.lastResponse = resp
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(resp)
}

// indexLine is one line of an openssl ca index: V (valid) or R (revoked,
// with "time,reason"), the expiry, the serial in hex and the subject.
func indexLine(c *x509.Certificate, revoked string) string {
	exp := c.NotAfter.UTC().Format("060102150405Z")
	status := "V"
	if revoked != "" {
		status = "R"
	}
	serial := fmt.Sprintf("%X", c.SerialNumber)
	if len(serial)%2 == 1 {
		serial = "0" + serial
	}
	return strings.Join([]string{status, exp, revoked, serial, "unknown", "/CN=" + c.Subject.CommonName}, "\t") + "\n"
}

func TestOpenSSLResponder(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	// An intermediate, as in real PKIs: x/crypto/ocsp's trap below only
	// shows with an issuer that is not self-signed.
	root := testpki.Root(t, "Acme Root")
	ca := testpki.Intermediate(t, "CN=Acme Issuing CA,O=Acme Corp", root)
	good := testpki.Leaf(t, "good.example.com", ca)
	revoked := testpki.Leaf(t, "revoked.example.com", ca)
	unknown := testpki.Leaf(t, "unknown.example.com", ca)
	delegated := testpki.New(t, testpki.Template{Subject: "Acme OCSP", EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}, ca)
	noEKU := testpki.New(t, testpki.Template{Subject: "Acme Web", EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca)
	evilCA := testpki.Root(t, "Evil CA")
	evil := testpki.New(t, testpki.Template{Subject: "Evil OCSP", EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}, evilCA)

	caPath, caKey := ca.Write(t, dir, "ca")
	delPath, delKey := delegated.Write(t, dir, "delegated")
	noPath, noKey := noEKU.Write(t, dir, "noeku")
	evilPath, evilKey := evil.Write(t, dir, "evil")

	revokedAt := time.Date(2026, time.March, 4, 5, 6, 7, 0, time.UTC)
	index := indexLine(good.Cert, "") + indexLine(revoked.Cert, revokedAt.Format("060102150405Z")+",keyCompromise")
	if err := os.WriteFile(filepath.Join(dir, "index.txt"), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}

	start := func(t *testing.T, signer, key string, extra ...string) (string, *opensslResponder) {
		o := &opensslResponder{dir: dir, ca: caPath, signer: signer, key: key, extra: extra}
		srv := httptest.NewServer(o)
		t.Cleanup(srv.Close)
		return srv.URL, o
	}
	check := func(url string, leaf *testpki.Cert, opts CheckOptions) (*Result, error) {
		opts.URL = url
		return Check(context.Background(), leaf.Cert, ca.Cert, opts)
	}

	t.Run("good, nonce echoed", func(t *testing.T) {
		url, o := start(t, caPath, caKey, "-nmin", "10")
		res, err := check(url, good, CheckOptions{})
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		if res.Status != Good || res.Delegated || res.Responder != "CN=Acme Issuing CA,O=Acme Corp" {
			t.Errorf("got %s from %q (delegated %v), want good from the CA", res.Status, res.Responder, res.Delegated)
		}
		if !o.sawNonce || !res.NonceEchoed {
			t.Errorf("nonce sent %v, echoed %v; want both", o.sawNonce, res.NonceEchoed)
		}
		if len(res.Notes) != 0 {
			t.Errorf("notes %q, want none", res.Notes)
		}
		// The trap this package avoids: openssl embeds the issuer's own
		// certificate, and x/crypto/ocsp given the issuer rejects that.
		basic, err := parseBasic(o.lastResponse)
		if err != nil || len(basic.Certificates) != 1 || !bytes.Equal(basic.Certificates[0].FullBytes, ca.Cert.Raw) {
			t.Fatalf("openssl's response does not embed just the CA certificate (%v)", err)
		}
		if _, err := xocsp.ParseResponseForCert(o.lastResponse, good.Cert, ca.Cert); err == nil {
			t.Log("x/crypto/ocsp now accepts an issuer-signed response embedding the issuer")
		} else {
			t.Logf("x/crypto/ocsp with the issuer: %v", err)
		}
		if d := res.NextUpdate.Sub(res.ThisUpdate); d != 10*time.Minute {
			t.Errorf("nextUpdate - thisUpdate = %v, want -nmin 10", d)
		}
	})
	t.Run("revoked, with reason and time", func(t *testing.T) {
		url, _ := start(t, caPath, caKey, "-ndays", "1")
		res, err := check(url, revoked, CheckOptions{})
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		if res.Status != Revoked || res.Reason != "keyCompromise" || !res.RevokedAt.Equal(revokedAt) {
			t.Errorf("got %s, %s at %v; want revoked, keyCompromise at %v", res.Status, res.Reason, res.RevokedAt, revokedAt)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		url, _ := start(t, caPath, caKey, "-ndays", "1")
		res, err := check(url, unknown, CheckOptions{})
		if err != nil || res.Status != Unknown {
			t.Fatalf("Check = %v, %v; want unknown", res, err)
		}
	})
	t.Run("no nextUpdate", func(t *testing.T) {
		url, _ := start(t, caPath, caKey)
		res, err := check(url, good, CheckOptions{})
		if err != nil || res.Status != Good || !res.NextUpdate.IsZero() {
			t.Fatalf("Check = %+v, %v; want good without nextUpdate", res, err)
		}
		if !strings.Contains(strings.Join(res.Notes, " "), "no nextUpdate") {
			t.Errorf("notes %q do not mention the missing nextUpdate", res.Notes)
		}
	})
	t.Run("stale", func(t *testing.T) {
		url, _ := start(t, caPath, caKey, "-nmin", "1")
		later := func() time.Time { return time.Now().Add(time.Hour) }
		_, err := check(url, good, CheckOptions{Now: later})
		if !errors.Is(err, ErrStale) {
			t.Fatalf("got %v, want ErrStale", err)
		}
	})
	t.Run("delegated responder with OCSP signing", func(t *testing.T) {
		url, _ := start(t, delPath, delKey, "-ndays", "1")
		res, err := check(url, revoked, CheckOptions{})
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		if res.Status != Revoked || !res.Delegated || res.Responder != "CN=Acme OCSP" {
			t.Errorf("got %s from %q (delegated %v); want revoked from CN=Acme OCSP", res.Status, res.Responder, res.Delegated)
		}
	})
	t.Run("delegated responder by key ID", func(t *testing.T) {
		url, _ := start(t, delPath, delKey, "-ndays", "1", "-resp_key_id")
		res, err := check(url, good, CheckOptions{})
		if err != nil || !res.Delegated || len(res.Notes) != 0 {
			t.Fatalf("Check = %+v, %v; want a delegated answer without notes", res, err)
		}
	})
	t.Run("responder without OCSP signing", func(t *testing.T) {
		url, _ := start(t, noPath, noKey, "-ndays", "1")
		_, err := check(url, good, CheckOptions{})
		if !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "OCSP signing") {
			t.Fatalf("got %v, want ErrBadSignature naming the missing EKU", err)
		}
	})
	t.Run("signed by another CA's responder", func(t *testing.T) {
		url, _ := start(t, evilPath, evilKey, "-ndays", "1")
		_, err := check(url, good, CheckOptions{})
		if !errors.Is(err, ErrBadSignature) {
			t.Fatalf("got %v, want ErrBadSignature", err)
		}
	})
	t.Run("no certificates in the response", func(t *testing.T) {
		url, _ := start(t, delPath, delKey, "-ndays", "1", "-resp_no_certs")
		_, err := check(url, good, CheckOptions{})
		if !errors.Is(err, ErrBadSignature) {
			t.Fatalf("got %v, want ErrBadSignature (the delegated certificate is not sent)", err)
		}
		url, _ = start(t, caPath, caKey, "-ndays", "1", "-resp_no_certs")
		if res, err := check(url, good, CheckOptions{}); err != nil || res.Status != Good {
			t.Fatalf("issuer-signed without certificates: %v, %v; want good", res, err)
		}
	})
	t.Run("SHA-256 certificate ID", func(t *testing.T) {
		url, _ := start(t, caPath, caKey, "-ndays", "1")
		res, err := check(url, revoked, CheckOptions{Hash: crypto.SHA256})
		if err != nil || res.Status != Revoked || len(res.Notes) != 0 {
			t.Fatalf("Check = %+v, %v; want revoked without notes", res, err)
		}
	})
}
