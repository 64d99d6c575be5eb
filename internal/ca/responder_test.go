package ca

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/trustctl/trustctl/internal/testpki"
)

// responderTestCA is a CA with three certificates issued, at testpki.Now.
func responderTestCA(t *testing.T, name string) (*CA, []*x509.Certificate) {
	t.Helper()
	a, err := Init(filepath.Join(t.TempDir(), "ca"), InitOptions{Subject: testpki.Name(name), PathLen: -1, Now: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	var certs []*x509.Certificate
	for _, cn := range []string{"a.test", "b.test", "c.test"} {
		csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: testpki.Name(cn), DNSNames: []string{cn}}, testpki.ECKey(t))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := x509.ParseCertificateRequest(csr)
		iss, err := a.Sign(req, SignOptions{Profile: "server", Now: testpki.Now})
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, iss.Cert)
	}
	return a, certs
}

// TestResponderSourceFollowsRecords: the responder's view of the CA
// follows revocations and the minimum serial without a restart.
func TestResponderSourceFollowsRecords(t *testing.T) {
	now := testpki.Now
	a, certs := responderTestCA(t, "Source CA")
	src := &responderSource{ca: a, now: func() time.Time { return now }}
	status := func(n *big.Int) string {
		t.Helper()
		v, err := src.ResponderVersion()
		if err != nil {
			t.Fatal(err)
		}
		e, err := src.ResponderLookup(v, n)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case !e.Known:
			return "unknown"
		case e.Revoked:
			return "revoked/" + map[int]string{1: "keyCompromise", 4: "superseded"}[e.Reason]
		}
		return "good"
	}
	if got := status(certs[0].SerialNumber); got != "good" {
		t.Errorf("before: %s", got)
	}
	if got := status(big.NewInt(7)); got != "unknown" {
		t.Errorf("never issued: %s", got)
	}
	v1, _ := src.ResponderVersion()
	if _, err := a.Revoke(certs[2].SerialNumber, "keyCompromise", now); err != nil {
		t.Fatal(err)
	}
	if err := a.SetMinSerial(certs[1].SerialNumber, now); err != nil {
		t.Fatal(err)
	}
	if v2, _ := src.ResponderVersion(); v2 == v1 {
		t.Error("the version did not change with the records")
	}
	for i, want := range []string{"revoked/superseded", "good", "revoked/keyCompromise"} {
		if got := status(certs[i].SerialNumber); got != want {
			t.Errorf("serial %d: %s, want %s", i, got, want)
		}
	}
}

// TestResponderSourceStatEvery: the responder looks at the index at most
// once per statEvery, and sees a change once that much time has passed.
func TestResponderSourceStatEvery(t *testing.T) {
	a, _ := responderTestCA(t, "Stat CA")
	clock := testpki.Now
	src := &responderSource{ca: a, now: func() time.Time { return testpki.Now }, statEvery: time.Hour, clock: func() time.Time { return clock }}
	v1, err := src.ResponderVersion()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetMinSerial(big.NewInt(10), testpki.Now); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(59 * time.Minute)
	if v, _ := src.ResponderVersion(); v != v1 {
		t.Error("looked at the index again within statEvery")
	}
	clock = clock.Add(time.Minute)
	if v, _ := src.ResponderVersion(); v == v1 {
		t.Error("did not see the changed index after statEvery")
	}
}

// ask posts an OCSP request about cert to h and parses the answer.
func ask(t *testing.T, h http.Handler, a *CA, cert *x509.Certificate) *xocsp.Response {
	t.Helper()
	req, err := xocsp.CreateRequest(cert, a.Cert, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(req)))
	resp, err := xocsp.ParseResponse(w.Body.Bytes(), a.Cert)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestResponderRenewsItsCertificate: the delegated certificate is replaced
// once two thirds of its life have passed, not before, and answers are
// signed with the new one from then on.
func TestResponderRenewsItsCertificate(t *testing.T) {
	a, certs := responderTestCA(t, "Renewing CA")
	now := testpki.Now
	r, err := a.NewResponder(ResponderOptions{Delegated: true, CertValidity: 3 * time.Hour, Validity: time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	first := ask(t, r.handler, a, certs[0])
	if first.Status != xocsp.Good || first.Certificate == nil {
		t.Fatalf("status %d, responder certificate %v", first.Status, first.Certificate)
	}
	now = now.Add(time.Hour)
	r.renew()
	if got := ask(t, r.handler, a, certs[1]); got.Certificate == nil || !got.Certificate.Equal(first.Certificate) {
		t.Error("renewed with two thirds of the certificate's life left")
	}
	now = now.Add(time.Hour + time.Minute)
	r.renew()
	second := ask(t, r.handler, a, certs[2])
	if second.Status != xocsp.Good || second.Certificate == nil || second.Certificate.Equal(first.Certificate) {
		t.Fatal("not renewed with a third of the certificate's life left")
	}
	if !second.Certificate.NotBefore.After(first.Certificate.NotBefore) {
		t.Errorf("the new certificate starts %v, the old one %v", second.Certificate.NotBefore, first.Certificate.NotBefore)
	}
}

// TestResponderServesUntilCancelled: Serve answers on a listener on
// 127.0.0.1 and returns nil once its context ends.
func TestResponderServesUntilCancelled(t *testing.T) {
	a, certs := responderTestCA(t, "Serving CA")
	r, err := a.NewResponder(ResponderOptions{Validity: time.Hour, Now: func() time.Time { return testpki.Now }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Serve(ctx, ln) }()
	req, _ := xocsp.CreateRequest(certs[0], a.Cert, nil)
	resp, err := http.Post("http://"+ln.Addr().String()+"/", "application/ocsp-request", bytes.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got, err := xocsp.ParseResponse(body, a.Cert); err != nil || got.Status != xocsp.Good || got.Certificate != nil {
		t.Errorf("answer signed by the CA key: %+v, %v", got, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve returned %v after its context ended", err)
	}
}
