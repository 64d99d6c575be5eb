package render

import (
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/chain"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func invalidResult() *chain.Result {
	return &chain.Result{
		Chain: []*chain.Link{
			{Subject: "CN=leaf", Role: "leaf", Status: "revoked", NotBefore: day("2026-01-01"), NotAfter: day("2027-01-01"),
				Revocation: []*chain.Revocation{{Source: "crl", Status: "revoked", Reason: "keyCompromise"}},
				Problems:   []string{"CN=leaf is revoked"}},
			{Subject: "CN=CA", Role: "intermediate", Status: "ok", NotBefore: day("2025-01-01"), NotAfter: day("2030-01-01")},
			{Subject: "CN=Root", Role: "root", Trusted: true, Status: "ok", NotBefore: day("2020-01-01"), NotAfter: day("2040-01-01")},
		},
		Problems: []string{"CN=leaf is revoked", "second"},
		Notes:    []string{"--roots x: passed over y"},
	}
}

func TestChainTree(t *testing.T) {
	var b strings.Builder
	if err := Chain(&b, invalidResult(), false); err != nil {
		t.Fatal(err)
	}
	want := `CN=Root  (trusted root, 2020-01-01 to 2040-01-01)  ok
└── CN=CA  (intermediate, 2025-01-01 to 2030-01-01)  ok
    └── CN=leaf  (leaf, 2026-01-01 to 2027-01-01)  REVOKED
          revocation (CRL): revoked, keyCompromise
          ! CN=leaf is revoked
note: --roots x: passed over y
invalid:
  - CN=leaf is revoked
  - second
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestVerdictsTable(t *testing.T) {
	valid := &chain.Result{Valid: true, Chain: []*chain.Link{{Subject: "CN=good"}}}
	vs := []*Verdict{
		{File: "good.pem", Result: valid},
		{File: "bad.pem", Result: invalidResult()},
		{File: "gone.pem", Error: "gone.pem: no such file"},
	}
	var b strings.Builder
	if err := Verdicts(&b, vs, false, false); err != nil {
		t.Fatal(err)
	}
	want := `FILE      SUBJECT  VERDICT  REASON
good.pem  CN=good  valid    
bad.pem   CN=leaf  invalid  CN=leaf is revoked (and 1 more)
gone.pem           invalid  gone.pem: no such file
`
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}
