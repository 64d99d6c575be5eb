package cli

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestVerifyOCSPRejectsForgedResponse: an OCSP response signed by a key
// that is neither the issuer's nor delegated by it fails the chain, while
// a responder that cannot be reached is only a warning.
func TestVerifyOCSPRejectsForgedResponse(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	leaf := testpki.Leaf(t, "www.example.com", root, "www.example.com")
	impostor := testpki.Root(t, "Acme Root") // same name, other key
	dir := t.TempDir()
	rootPath, _ := root.Write(t, dir, "root")
	leafPath, _ := leaf.Write(t, dir, "leaf")

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := xocsp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		now := time.Now()
		resp, err := xocsp.CreateResponse(root.Cert, impostor.Cert, xocsp.Response{
			Status: xocsp.Good, SerialNumber: req.SerialNumber,
			ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour),
		}, impostor.Key)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(resp)
	}))
	defer srv.Close()

	verify := func(url string, extra ...string) (int, string) {
		var out, errb bytes.Buffer
		args := append([]string{"trustctl", "verify", leafPath, "--roots", rootPath, "--at", testpki.Now.Format(time.RFC3339), "--ocsp-url", url}, extra...)
		code := Run(args, &Env{Stdout: &out, Stderr: &errb})
		return code, out.String() + errb.String()
	}
	code, out := verify(srv.URL)
	if code != exitFailed || !strings.Contains(out, "OCSP response for CN=www.example.com was rejected") {
		t.Errorf("forged response: exit %d\n%s", code, out)
	}
	srv.Close()
	code, out = verify(srv.URL)
	if code != exitOK {
		t.Errorf("unreachable responder without --require-revocation: exit %d, want 0 (a warning)\n%s", code, out)
	}
	code, _ = verify(srv.URL, "--require-revocation")
	if code != exitFailed {
		t.Errorf("unreachable responder with --require-revocation: exit %d, want 1", code)
	}
}
