package render

import (
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/store"
	"github.com/trustctl/trustctl/internal/testpki"
)

func trusted(t *testing.T, alias, subject string) *store.Entry {
	t.Helper()
	c := certs.FromX509(testpki.Root(t, subject).Cert)
	return &store.Entry{Alias: alias, Kind: store.TrustedCert, Certs: []*certs.Cert{c}}
}

// TestImportReport: a line per certificate, leaves passed over named by
// subject, and a summary that counts them apart from those present.
func TestImportReport(t *testing.T) {
	added, present := trusted(t, "acme-root", "Acme Root"), trusted(t, "old-root", "Old Root")
	leaf := certs.FromX509(testpki.New(t, testpki.Template{Subject: "www.example.com"}, testpki.Root(t, "Issuer")).Cert)
	res := &store.ImportResult{Added: []*store.Entry{added}, Skipped: []store.Skipped{
		{Cert: present.Cert(), Alias: "old-root", Reason: store.ReasonPresent},
		{Cert: leaf, Reason: store.ReasonLeaf},
	}}
	var b strings.Builder
	if err := Import(&b, "ts.p12", res, true); err != nil {
		t.Fatal(err)
	}
	want := "added     acme-root  CN=Acme Root\n" +
		"skipped   old-root  CN=Old Root (already present)\n" +
		"skipped   CN=www.example.com (not a CA certificate)\n" +
		"ts.p12: 1 added, 0 replaced, 1 already present, 1 leaf passed over\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// TestSyncPlanSummary: a dry run says what would change; a sync with
// nothing to add or remove says so, and never that it changed the store.
func TestSyncPlanSummary(t *testing.T) {
	plan := &store.SyncPlan{Add: []*store.Entry{trusted(t, "new-root", "New Root")}, Keep: []*store.Entry{trusted(t, "kept", "Kept Root")}}
	for _, tc := range []struct {
		plan         *store.SyncPlan
		dry, changed bool
		want         string
	}{
		{plan, true, false, "add  new-root  CN=New Root\nts.jks: would change: 1 added, 0 removed, 1 kept\n"},
		{plan, false, true, "add  new-root  CN=New Root\nts.jks: changed: 1 added, 0 removed, 1 kept\n"},
		{&store.SyncPlan{Keep: plan.Keep}, false, false, "ts.jks: nothing to add or remove: 0 added, 0 removed, 1 kept (unchanged)\n"},
		{&store.SyncPlan{Keep: plan.Keep}, true, false, "ts.jks: nothing to add or remove: 0 added, 0 removed, 1 kept\n"},
		// A sync that only re-encrypts the store (--encryption) changed it.
		{&store.SyncPlan{Keep: plan.Keep}, false, true, "ts.jks: changed: 0 added, 0 removed, 1 kept\n"},
	} {
		var b strings.Builder
		if err := SyncPlan(&b, "ts.jks", tc.plan, tc.dry, tc.changed); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("dry %v, changed %v: got %q, want %q", tc.dry, tc.changed, b.String(), tc.want)
		}
	}
}
