package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/jdk"
	"github.com/trustctl/trustctl/internal/trust"
)

// TestTrustPlan: each place's line comes before its steps, the steps of
// all places line up, a place left out says why, and the count ends it.
func TestTrustPlan(t *testing.T) {
	jdkPlace := &trust.Place{Kind: trust.KindJDK, Path: "/jvm/17/cacerts", Real: "/etc/java/cacerts",
		JDKs: []jdk.Install{{Version: "17.0.15"}, {Version: ""}}}
	system := &trust.Place{Kind: trust.KindSystem, Path: "/usr/local/share/ca-certificates", Real: "/usr/local/share/ca-certificates",
		Layout: "Debian/Ubuntu", Refresh: []string{"update-ca-certificates"}}
	nss := &trust.Place{Kind: trust.KindNSS, Path: "/home/dev/.pki/nssdb", Layout: "Chromium"}
	plan := &trust.Plan{Op: trust.OpAdd, Sysroot: "/root", Changes: []*trust.Change{
		{Place: jdkPlace, Steps: []*trust.Step{{Action: trust.ActAdded, Name: "acme-root-ca", Subject: "CN=Acme Root CA"}}, Changed: true},
		{Place: system, Steps: []*trust.Step{{Action: trust.ActAdded, Name: "acme-root-ca.crt", SHA256: "AB:CD"}},
			Refresh: &trust.Refresh{Command: []string{"update-ca-certificates"}}, Changed: true},
		{Place: nss, Error: "certutil not found"},
	}}
	var b bytes.Buffer
	if err := TrustPlan(&b, plan, false); err != nil {
		t.Fatal(err)
	}
	want := `sysroot /root: the paths below are inside it; no refresh tool is run
jdk     /jvm/17/cacerts -> /etc/java/cacerts (JDK 17.0.15, JDK ?)
         added    acme-root-ca            CN=Acme Root CA
system  /usr/local/share/ca-certificates (Debian/Ubuntu; update-ca-certificates)
         added    acme-root-ca.crt        SHA-256 AB:CD
         refresh  update-ca-certificates  not run in a sysroot: run it inside /root
nss     /home/dev/.pki/nssdb (Chromium)
        left out: certutil not found
3 places: 2 changed, 0 already as asked, 1 left out
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// TestTrustJSONListsAreNeverNull: a machine without places gives empty
// lists in JSON, and the text says so in words.
func TestTrustJSONListsAreNeverNull(t *testing.T) {
	var b bytes.Buffer
	if err := TrustPlanJSON(&b, &trust.Plan{Op: trust.OpRemove}, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"places": []`) || !strings.Contains(b.String(), `"dry_run": true`) {
		t.Errorf("plan JSON: %s", b.String())
	}
	b.Reset()
	if err := TrustStatusJSON(&b, &trust.Report{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"certificates": []`) || !strings.Contains(b.String(), `"places": []`) {
		t.Errorf("status JSON: %s", b.String())
	}
	b.Reset()
	if err := TrustStatus(&b, &trust.Report{}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "no place found\n" {
		t.Errorf("status text: %q", b.String())
	}
}
