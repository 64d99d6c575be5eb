package render

import (
	"bytes"
	"math/big"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestCAInit: each way ca init ends says what it did and what comes next.
func TestCAInit(t *testing.T) {
	cert := &CACertDoc{Subject: "CN=Acme Issuing", Issuer: "CN=Acme Root", NotBefore: "2026-01-01T00:00:00Z",
		NotAfter: "2036-01-01T00:00:00Z", SHA1: "11:22", SHA256: "AA:BB"}
	tests := []struct {
		name string
		doc  CAInitDoc
		want string
	}{
		{"csr", CAInitDoc{Changed: true, Action: "csr", Dir: "issuing", CSR: "issuing/ca.csr"},
			"wrote issuing/ca.key and issuing/ca.csr\n" +
				"next: have the parent sign it (trustctl ca sign PARENT issuing/ca.csr --profile intermediate --out signed.crt),\n" +
				"      then: trustctl ca init issuing --cert signed.crt\n"},
		{"completed", CAInitDoc{Changed: true, Action: "completed", Dir: "issuing", CA: cert, Installed: true,
			Settings: &ca.Config{IssueDays: 30, MaxDays: 60, OCSPURL: "http://ocsp.example/"}},
			"completed CA CN=Acme Issuing in issuing\nissuer   CN=Acme Root\nSHA-256  AA:BB\n" +
				"issues   for 30 days, at most 60 days\nOCSP     http://ocsp.example/\nCRL      none\n"},
		{"completed again", CAInitDoc{Action: "completed", Dir: "issuing", CA: cert},
			"CA CN=Acme Issuing in issuing is complete with that certificate already: nothing changed\n"},
		{"settings changed", CAInitDoc{Changed: true, Action: "completed", Dir: "issuing", CA: cert,
			SettingsChanged: []string{"ocsp_url", "crl_url"}, Settings: &ca.Config{IssueDays: 365, CRLURL: "http://crl.example/c.crl"}},
			"CA CN=Acme Issuing in issuing is complete with that certificate already: changed ocsp_url, crl_url in ca.json\n" +
				"issues   for 365 days, no cap but the CA's own expiry\nOCSP     none\nCRL      http://crl.example/c.crl\n"},
		{"replaced", CAInitDoc{Changed: true, Action: "replaced", Dir: "issuing", Replaced: "CN=Old", CA: cert},
			"created CA CN=Acme Issuing in issuing\nreplaced CN=Old (its serial counter and records are kept)\n" +
				"valid    2026-01-01 to 2036-01-01\nSHA-1    11:22\nSHA-256  AA:BB\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := CAInit(&b, tt.doc, "issuing/ca.key"); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.name, b.String(), tt.want)
		}
	}
}

// TestCAMinSerialRaisesTheCounter: a minimum above the counter says the
// counter moved.
func TestCAMinSerialRaisesTheCounter(t *testing.T) {
	var b bytes.Buffer
	if err := CAMinSerial(&b, &ca.MinSerialChange{Changed: true, Below: 2, CounterRaised: true}, big.NewInt(0x1000)); err != nil {
		t.Fatal(err)
	}
	want := "minimum serial set to 10:00: 2 certificate(s) below it now count as revoked\nthe serial counter moved up to 10:00\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// TestCAMinSerialPreviousCA: certificates of a previous CA below the
// minimum are counted, and said to be a previous CA's.
func TestCAMinSerialPreviousCA(t *testing.T) {
	var b bytes.Buffer
	if err := CAMinSerial(&b, &ca.MinSerialChange{Changed: true, Below: 3, BelowPrevious: 2}, big.NewInt(0x1000)); err != nil {
		t.Fatal(err)
	}
	want := "minimum serial set to 10:00: 3 certificate(s) below it now count as revoked (2 of them signed by a previous CA: ca list shows them revoked; this CA's CRL and OCSP responder do not cover them)\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// TestCAListUnissued: serials spent on certificates never delivered are
// named even when nothing was issued.
func TestCAListUnissued(t *testing.T) {
	root := testpki.Root(t, "CN=Acme Root").Cert
	st := &ca.State{Unissued: []*big.Int{big.NewInt(2), big.NewInt(3)}}
	var b bytes.Buffer
	if err := CAList(&b, root, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	want := "the CA CN=Acme Root has issued nothing yet\nnot issued (signed, never delivered; the serials stay spent): 02, 03\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
