package render

import (
	"crypto/tls"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/probe"
	"github.com/trustctl/trustctl/internal/testpki"
)

func probeTarget(t *testing.T, s string) probe.Target {
	t.Helper()
	tg, err := probe.ParseTarget(s)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// probeReports are a target that refused the connection and one that
// presented a leaf valid for the name sent.
func probeReports(t *testing.T, now time.Time) []ProbeReport {
	root := testpki.Root(t, "CN=Acme-CA-Root,O=Acme")
	leaf := testpki.Leaf(t, "primary-host", root, "primary-host")
	refused := probe.Outcome{Target: probeTarget(t, "127.0.0.1:1"),
		Err: &probe.Error{Op: "connect", Addr: "127.0.0.1:1", Err: probe.ErrRefused}}
	tg := probeTarget(t, "db.example:5432")
	ok := probe.Outcome{Target: tg, Result: &probe.Result{Target: tg, ServerName: "primary-host", Name: "primary-host",
		StartTLS: "postgres", Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256,
		Chain: []*certs.Cert{certs.FromX509(leaf.Cert)}, NameMatch: true}}
	return []ProbeReport{
		NewProbeReport(refused, probe.Judge(refused, probe.Expect{}), now),
		NewProbeReport(ok, probe.Verdict{OK: true, Verification: &chain.Result{Valid: true},
			Checks: []probe.Check{{What: "verification", OK: true, Detail: "valid"}}}, now),
	}
}

func TestProbeText(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	reps := probeReports(t, now)
	var b strings.Builder
	saved := &ProbeSave{Store: "acme-ca.p12", Added: []string{"acme-ca  CN=Acme-CA-Root,O=Acme"}, Present: []string{}, Changed: true}
	if err := ProbeText(&b, reps, saved, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"127.0.0.1:1\n  error: connect 127.0.0.1:1: connection refused\n\ndb.example:5432 [STARTTLS postgres, SNI primary-host]\n",
		"  TLS 1.3, TLS_AES_128_GCM_SHA256\n  chain as sent (1):\n   #0 CN=primary-host\n      issuer    CN=Acme-CA-Root,O=Acme\n      SANs      DNS:primary-host\n",
		"      valid     2025-06-01 to 2036-06-01 (3795 days left)\n",
		"  name: the leaf is valid for primary-host\n  client certificate: not requested\n  stapled OCSP: none\n",
		"  verification:\n    valid\n  result: ok\n",
		"\nsaved     acme-ca  CN=Acme-CA-Root,O=Acme\nacme-ca.p12: 1 added, 0 already present\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "expect verification") {
		t.Errorf("the verification check is shown twice:\n%s", out)
	}
}

func TestProbeSummary(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	var b strings.Builder
	if err := ProbeSummary(&b, probeReports(t, now), false); err != nil {
		t.Fatal(err)
	}
	// The name sent is shown beside a target whose host it is not.
	want := "\nTARGET                        RESULT  DAYS  SUBJECT          REASON\n" +
		"127.0.0.1:1                   FAILED  -     -                connect 127.0.0.1:1: connection refused\n" +
		"db.example:5432 primary-host  ok      3795  CN=primary-host  \n" +
		"2 targets: 1 ok, 1 failed\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestProbeJSON(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	var b strings.Builder
	saved := &ProbeSave{Store: "acme-ca.p12", Added: []string{}, Present: []string{}, NoneSent: true}
	if err := ProbeJSON(&b, probeReports(t, now), saved, false); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["ok"] != false || doc["changed"] != false {
		t.Errorf("ok %v, changed %v; want false, false", doc["ok"], doc["changed"])
	}
	targets := doc["targets"].([]any)
	refused := targets[0].(map[string]any)
	// Lists are [] even for a target that showed nothing.
	for _, k := range []string{"chain", "chain_problems", "scts", "weak"} {
		if l, ok := refused[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s of an unreachable target is %v, want []", k, refused[k])
		}
	}
	if _, ok := refused["client_auth"]; ok {
		t.Error("an unreachable target has client_auth")
	}
	reached := targets[1].(map[string]any)
	if reached["days_left"] != float64(3795) || reached["subject"] != "CN=primary-host" || reached["starttls"] != "postgres" {
		t.Errorf("reached target: %v", reached)
	}
	if !strings.Contains(b.String(), `"no_ca_certificates": true`) {
		t.Errorf("saved lacks no_ca_certificates:\n%s", b.String())
	}
}
