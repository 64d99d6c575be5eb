package cli

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestCAResponderSourceFollowsRecords: the responder's view of the CA
// follows revocations and the minimum serial without a restart.
func TestCAResponderSourceFollowsRecords(t *testing.T) {
	now := testpki.Now
	a, err := ca.Init(filepath.Join(t.TempDir(), "ca"), ca.InitOptions{Subject: testpki.Name("Source CA"), PathLen: -1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var serials []*big.Int
	for _, cn := range []string{"a.test", "b.test", "c.test"} {
		csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: testpki.Name(cn), DNSNames: []string{cn}}, testpki.ECKey(t))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := x509.ParseCertificateRequest(csr)
		iss, err := a.Sign(req, ca.SignOptions{Profile: "server", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		serials = append(serials, iss.Cert.SerialNumber)
	}
	src := &caResponderSource{ca: a, now: func() time.Time { return now }}
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
	if got := status(serials[0]); got != "good" {
		t.Errorf("before: %s", got)
	}
	if got := status(big.NewInt(7)); got != "unknown" {
		t.Errorf("never issued: %s", got)
	}
	v1, _ := src.ResponderVersion()
	if _, err := a.Revoke(serials[2], "keyCompromise", now); err != nil {
		t.Fatal(err)
	}
	if err := a.SetMinSerial(serials[1], now); err != nil {
		t.Fatal(err)
	}
	if v2, _ := src.ResponderVersion(); v2 == v1 {
		t.Error("the version did not change with the records")
	}
	for i, want := range []string{"revoked/superseded", "good", "revoked/keyCompromise"} {
		if got := status(serials[i]); got != want {
			t.Errorf("serial %d: %s, want %s", i, got, want)
		}
	}
}

// TestCAResponderSourceStatEvery: the responder looks at the index at most
// once per statEvery, and sees a change once that much time has passed.
func TestCAResponderSourceStatEvery(t *testing.T) {
	now := testpki.Now
	a, err := ca.Init(filepath.Join(t.TempDir(), "ca"), ca.InitOptions{Subject: testpki.Name("Stat CA"), PathLen: -1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	src := &caResponderSource{ca: a, now: func() time.Time { return now }, statEvery: time.Hour}
	v1, err := src.ResponderVersion()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetMinSerial(big.NewInt(10), now); err != nil {
		t.Fatal(err)
	}
	if v, _ := src.ResponderVersion(); v != v1 {
		t.Error("looked at the index again within statEvery")
	}
	src.statEvery = time.Millisecond
	time.Sleep(2 * time.Millisecond)
	if v, _ := src.ResponderVersion(); v == v1 {
		t.Error("did not see the changed index after statEvery")
	}
}
