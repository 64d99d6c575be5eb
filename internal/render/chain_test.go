package render

import (
	"encoding/json"
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
	want := `FILE      SUBJECT  VERDICT     REASON
good.pem  CN=good  valid       
bad.pem   CN=leaf  invalid     CN=leaf is revoked (and 1 more)
gone.pem           unreadable  gone.pem: no such file
`
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestVerdictsJSONSaysUnreadable(t *testing.T) {
	vs := []*Verdict{
		{File: "good.pem", Result: &chain.Result{Valid: true}},
		{File: "bad.pem", Result: invalidResult()},
		{File: "gone.pem", Error: "gone.pem: no such file"},
	}
	var b strings.Builder
	if err := Verdicts(&b, vs, true, false); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("%v in\n%s", err, b.String())
	}
	want := []struct{ file, verdict, err string }{
		{"good.pem", "valid", ""},
		{"bad.pem", "invalid", ""},
		{"gone.pem", "unreadable", "gone.pem: no such file"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d verdicts, want %d:\n%s", len(got), len(want), b.String())
	}
	for i, w := range want {
		if got[i]["file"] != w.file || got[i]["verdict"] != w.verdict {
			t.Errorf("verdict %d: file %v, verdict %v; want %s, %s", i, got[i]["file"], got[i]["verdict"], w.file, w.verdict)
		}
		if e, _ := got[i]["error"].(string); e != w.err {
			t.Errorf("verdict %d: error %q, want %q", i, e, w.err)
		}
	}
	if _, ok := got[2]["valid"]; ok {
		t.Errorf("an unreadable file has a \"valid\" field:\n%s", b.String())
	}
}
