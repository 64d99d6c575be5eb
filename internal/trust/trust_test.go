package trust_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/store"
	"github.com/trustctl/trustctl/internal/trust"
)

// placeRow is what a reader of trust status sees of a place.
type placeRow struct {
	Kind, Real, Format string
	Versions           string
	Entries            int
}

func rows(places []*trust.Place) []placeRow {
	var out []placeRow
	for _, p := range places {
		var vs []string
		for _, in := range p.JDKs {
			vs = append(vs, in.Version)
		}
		out = append(out, placeRow{string(p.Kind), p.Real, p.Format, strings.Join(vs, " "), p.Entries})
	}
	return out
}

func TestStatusFindsEveryPlaceOnce(t *testing.T) {
	t.Parallel()
	f, nss := debian(t)
	rep, err := trust.Status(ctx, f.machine(false), []trust.Target{trust.TargetOf(acmeCert), trust.TargetOf(oldCert)})
	if err != nil {
		t.Fatal(err)
	}
	want := []placeRow{
		{"jdk", debSDKMAN11, "JKS", "11.0.22", 1},
		{"jdk", debShared, "JKS", "17.0.15 25.0.1", 1},
		{"jdk", debJDK8, "JKS", "1.8.0_402", 1},
		{"jdk", debJDK21, "PKCS12 (no password)", "21.0.5", 1},
		{"jdk", debGradle17, "PKCS12", "17.0.9", 1},
		{"system", debAnchors, "anchors", "", 1},
	}
	if nss {
		want = append(want, placeRow{"nss", debChromium, "NSS sql", "", 0}, placeRow{"nss", debFirefox, "NSS sql", "", 0})
	}
	if d := cmp.Diff(want, rows(rep.Places)); d != "" {
		t.Errorf("places (-want +got):\n%s", d)
	}
	for _, p := range rep.Places {
		wantOld := trust.Trusted
		switch {
		case p.Kind == trust.KindNSS:
			wantOld = trust.Missing
		case p.Kind == trust.KindSystem:
			wantOld = trust.Bundled // shipped by the distribution, not an anchor
		}
		if got := p.State(acmeCert.SHA256()); got != trust.Missing {
			t.Errorf("%s: Acme Root is %q before add, want %q", p.Real, got, trust.Missing)
		}
		if got := p.State(oldCert.SHA256()); got != wantOld {
			t.Errorf("%s: Old Root is %q, want %q", p.Real, got, wantOld)
		}
		if !p.Writable || p.Problem != "" {
			t.Errorf("%s: writable %v, problem %q", p.Real, p.Writable, p.Problem)
		}
	}
	// Acme Root is missing everywhere, Old Root from the NSS databases.
	if want := 2*len(rep.Places) - 6; rep.Missing() != want {
		t.Errorf("Missing = %d, want %d", rep.Missing(), want)
	}
}

func TestAddEveryKindOfPlace(t *testing.T) {
	t.Parallel()
	f, nss := debian(t)
	m := f.machine(true)
	targets := []trust.Target{trust.TargetOf(acmeCert)}
	before := f.snapshot()

	plan, err := trust.NewPlan(ctx, m, trust.OpAdd, targets)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range plan.Changes {
		if len(c.Steps) != 1 || c.Steps[0].Action != trust.ActAdd || c.Error != "" {
			t.Errorf("plan for %s: %+v, error %q; want one add", c.Place.Real, c.Steps, c.Error)
		}
		if c.Place.Kind == trust.KindSystem && (c.Refresh == nil || !c.Refresh.Run || c.Refresh.Command[0] != "update-ca-certificates") {
			t.Errorf("plan for the anchors does not run update-ca-certificates: %+v", c.Refresh)
		}
	}
	if d := cmp.Diff(before, f.snapshot()); d != "" {
		t.Fatalf("planning wrote (-before +after):\n%s", d)
	}

	plan.Apply(ctx, m)
	if plan.LeftOut() != 0 || !plan.Changed() {
		for _, c := range plan.Changes {
			t.Logf("%s: %q", c.Place.Real, c.Error)
		}
		t.Fatalf("Apply: %d places left out, changed %v", plan.LeftOut(), plan.Changed())
	}
	if got := f.refreshed(); len(got) != 1 || got[0] != "update-ca-certificates" {
		t.Errorf("refresh tools run: %q, want update-ca-certificates once", got)
	}
	for real, st := range jdkStores {
		checkStore(t, f, real, st.mode, st.jks, acmeCert, oldCert)
	}
	for _, j := range []string{"/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/temurin-25-jdk-amd64"} {
		if target, err := os.Readlink(f.host(j + "/lib/security/cacerts")); err != nil || target != debShared {
			t.Errorf("%s's cacerts is no longer the link to %s: %q, %v", j, debShared, target, err)
		}
	}
	anchor, err := os.ReadFile(f.host(debAnchors + "/acme-root-ca.crt"))
	if err != nil || !bytes.Equal(anchor, acmeRoot.CertPEM) {
		t.Errorf("anchor file: %v; want the PEM certificate", err)
	}
	if fi, err := os.Stat(f.host(debAnchors + "/acme-root-ca.crt")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("anchor file mode: %v, %v", fi.Mode(), err)
	}
	if nss {
		for _, db := range []string{debChromium, debFirefox} {
			if out := certutilList(t, f.host(db)); !strings.Contains(out, "acme-root-ca") || !strings.Contains(out, "C,,") {
				t.Errorf("certutil -L %s:\n%s", db, out)
			}
		}
	}
	rep, err := trust.Status(ctx, m, targets)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Places {
		if got := p.State(acmeCert.SHA256()); got != trust.Trusted {
			t.Errorf("%s after add: %q, want %q", p.Real, got, trust.Trusted)
		}
	}

	// The second time, nothing is written and no tool runs.
	after := f.snapshot()
	again, err := trust.NewPlan(ctx, m, trust.OpAdd, targets)
	if err != nil {
		t.Fatal(err)
	}
	again.Apply(ctx, m)
	if again.Changed() || again.LeftOut() != 0 {
		t.Errorf("second add: changed %v, left out %d", again.Changed(), again.LeftOut())
	}
	for _, c := range again.Changes {
		if c.Steps[0].Action != trust.ActAlready || c.Refresh != nil {
			t.Errorf("second add at %s: %+v, refresh %+v", c.Place.Real, c.Steps[0], c.Refresh)
		}
	}
	if d := cmp.Diff(after, f.snapshot()); d != "" {
		t.Errorf("second add changed files (-before +after):\n%s", d)
	}
	if got := f.refreshed(); len(got) != 1 {
		t.Errorf("refresh tools run again: %q", got)
	}
}

// checkStore holds a JDK truststore to what trust add promises: the real
// keytool of JDK 17 (and 25, when present) lists the certificates as
// trusted entries, and the file kept its format (JKS or not) and mode.
func checkStore(t *testing.T, f *fakeMachine, real string, mode os.FileMode, jks bool, want ...*certs.Cert) {
	t.Helper()
	host := f.host(real)
	fi, err := os.Lstat(host)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != mode {
		t.Errorf("%s: mode %v, want a regular file with %v", real, fi.Mode(), mode)
	}
	data, _ := os.ReadFile(host)
	if isJKS := bytes.HasPrefix(data, []byte{0xfe, 0xed, 0xfe, 0xed}); isJKS != jks {
		t.Errorf("%s: JKS %v, want %v", real, isJKS, jks)
	}
	for _, kt := range []string{keytool17, keytool25} {
		if !fileExists(kt) {
			t.Logf("%s not present: %s not listed with it", kt, real)
			continue
		}
		keytoolList(t, kt, host, want...)
	}
}

func certutilList(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("certutil", "-L", "-d", "sql:"+dir).CombinedOutput()
	if err != nil {
		t.Fatalf("certutil -L: %v\n%s", err, out)
	}
	return string(out)
}

func TestRemoveByFingerprint(t *testing.T) {
	t.Parallel()
	f, nss := debian(t)
	m := f.machine(true)
	add, err := trust.NewPlan(ctx, m, trust.OpAdd, []trust.Target{trust.TargetOf(acmeCert)})
	if err != nil {
		t.Fatal(err)
	}
	add.Apply(ctx, m)
	if add.LeftOut() != 0 {
		t.Fatalf("add left %d places out", add.LeftOut())
	}
	fp := strings.ToLower(acmeCert.SHA256Hex())
	targets, err := trust.ParseTargets([]string{fp})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := trust.NewPlan(ctx, m, trust.OpRemove, targets)
	if err != nil {
		t.Fatal(err)
	}
	plan.Apply(ctx, m)
	if plan.LeftOut() != 0 || !plan.Changed() {
		t.Fatalf("remove: %d left out, changed %v", plan.LeftOut(), plan.Changed())
	}
	for _, c := range plan.Changes {
		if len(c.Steps) != 1 || c.Steps[0].Action != trust.ActRemoved {
			t.Errorf("%s: %+v", c.Place.Real, c.Steps)
		}
	}
	for real, st := range jdkStores {
		checkStore(t, f, real, st.mode, st.jks, oldCert)
		if out := keytoolListAny(t, f.host(real)); strings.Contains(out, acmeCert.SHA256Hex()) {
			t.Errorf("%s still holds Acme Root:\n%s", real, out)
		}
	}
	if fileExists(f.host(debAnchors + "/acme-root-ca.crt")) {
		t.Errorf("the anchor file is still there")
	}
	if !fileExists(f.host(debAnchors + "/other-root.crt")) {
		t.Errorf("another anchor was removed")
	}
	if nss {
		if out := certutilList(t, f.host(debChromium)); strings.Contains(out, "acme-root-ca") {
			t.Errorf("certutil -L still lists it:\n%s", out)
		}
	}
	if got := f.refreshed(); len(got) != 2 {
		t.Errorf("refresh tools run: %q, want once for add and once for remove", got)
	}
	rep, err := trust.Status(ctx, m, targets)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Places {
		if got := p.State(acmeCert.SHA256()); got != trust.Missing {
			t.Errorf("%s after remove: %q", p.Real, got)
		}
	}
}

// keytoolListAny lists a store with whichever keytool is present.
func keytoolListAny(t *testing.T, path string) string {
	t.Helper()
	if !fileExists(keytool17) {
		t.Skipf("%s not present", keytool17)
	}
	return keytoolList(t, keytool17, path)
}

func TestSysrootRunsNoRefreshTool(t *testing.T) {
	t.Parallel()
	f, _ := debian(t)
	m := f.machine(false)
	plan, err := trust.NewPlan(ctx, m, trust.OpAdd, []trust.Target{trust.TargetOf(acmeCert)})
	if err != nil {
		t.Fatal(err)
	}
	var sys *trust.Change
	for _, c := range plan.Changes {
		if c.Place.Kind == trust.KindSystem {
			sys = c
		}
	}
	if sys == nil || sys.Refresh == nil || sys.Refresh.Run || strings.Join(sys.Refresh.Command, " ") != "update-ca-certificates" {
		t.Fatalf("the plan should name update-ca-certificates and not run it: %+v", sys)
	}
	if plan.Sysroot != f.root.Dir() {
		t.Errorf("plan.Sysroot = %q, want %q", plan.Sysroot, f.root.Dir())
	}
	plan.Apply(ctx, m)
	if plan.LeftOut() != 0 || sys.Refresh.Ran {
		t.Fatalf("left out %d, refresh ran %v", plan.LeftOut(), sys.Refresh.Ran)
	}
	if got := f.refreshed(); len(got) != 0 {
		t.Errorf("a refresh tool ran in a sysroot: %q", got)
	}
	rep, err := trust.Status(ctx, m, []trust.Target{trust.TargetOf(acmeCert)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Places {
		if p.Kind == trust.KindSystem && p.State(acmeCert.SHA256()) != trust.Pending {
			t.Errorf("the anchor without a rebuilt bundle is %q, want %q", p.State(acmeCert.SHA256()), trust.Pending)
		}
	}
}

func TestRHEL(t *testing.T) {
	t.Parallel()
	f := newMachine(t)
	const extracted = "/etc/pki/ca-trust/extracted/java/cacerts"
	const bundle = "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"
	f.file(extracted, encodeStore(t, store.FormatJKS, store.Modern, "changeit", oldCert), 0o444)
	f.jdk("/usr/lib/jvm/java-17-openjdk-17.0.9.0.9-2.el9.x86_64", "17.0.9")
	f.link("/usr/lib/jvm/java-17-openjdk-17.0.9.0.9-2.el9.x86_64/lib/security/cacerts", extracted)
	f.link("/usr/lib/jvm/jre-17-openjdk", "java-17-openjdk-17.0.9.0.9-2.el9.x86_64")
	f.file("/usr/share/pki/ca-trust-source/anchors/old.pem", oldRoot.CertPEM, 0o644)
	f.file(bundle, oldRoot.CertPEM, 0o644)
	if err := os.MkdirAll(f.host("/etc/pki/ca-trust/source/anchors"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.tool("update-ca-trust")
	f.rebuildWith("update-ca-trust", bundle, "/usr/share/pki/ca-trust-source/anchors", "/etc/pki/ca-trust/source/anchors")
	m := f.machine(true)
	plan, err := trust.NewPlan(ctx, m, trust.OpAdd, []trust.Target{trust.TargetOf(acmeCert)})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(placesOf(plan)); !cmp.Equal(got, []placeRow{
		{"jdk", extracted, "JKS", "17.0.9", 1},
		{"system", "/etc/pki/ca-trust/source/anchors", "anchors", "", 0},
	}) {
		t.Fatalf("places: %+v", got)
	}
	if !strings.Contains(plan.Changes[0].Place.Note, "update-ca-trust") {
		t.Errorf("the JDK place does not say update-ca-trust rebuilds it: %q", plan.Changes[0].Place.Note)
	}
	plan.Apply(ctx, m)
	if plan.LeftOut() != 0 {
		t.Fatalf("left out %d: %q %q", plan.LeftOut(), plan.Changes[0].Error, plan.Changes[1].Error)
	}
	if got := f.refreshed(); len(got) != 1 || got[0] != "update-ca-trust extract" {
		t.Errorf("refresh: %q", got)
	}
	if !fileExists(f.host("/etc/pki/ca-trust/source/anchors/acme-root-ca.pem")) {
		t.Errorf("no anchor written")
	}
	checkStore(t, f, extracted, 0o444, true, acmeCert, oldCert)
}

func placesOf(p *trust.Plan) []*trust.Place {
	var out []*trust.Place
	for _, c := range p.Changes {
		out = append(out, c.Place)
	}
	return out
}

func TestOtherPasswordIsReportedNotGuessed(t *testing.T) {
	f := newMachine(t)
	f.jdk("/opt/jdk-17", "17.0.2")
	f.file("/opt/jdk-17/lib/security/cacerts", encodeStore(t, store.FormatJKS, store.Modern, "s3cret", oldCert), 0o644)
	f.jdk("/opt/jdk-21", "21.0.1")
	f.file("/opt/jdk-21/lib/security/cacerts", encodeStore(t, store.FormatPKCS12, store.Modern, "changeit", oldCert), 0o644)
	m := f.machine(false)
	m.Only = []trust.Kind{trust.KindJDK}
	before := f.snapshot()
	plan, err := trust.NewPlan(ctx, m, trust.OpAdd, []trust.Target{trust.TargetOf(acmeCert)})
	if err != nil {
		t.Fatal(err)
	}
	plan.Apply(ctx, m)
	locked, open := plan.Changes[0], plan.Changes[1]
	if plan.LeftOut() != 1 || !strings.Contains(locked.Error, "password is not changeit") {
		t.Fatalf("left out %d, error %q; want the JDK 17 store reported", plan.LeftOut(), locked.Error)
	}
	if locked.Place.Entries != 1 || !strings.Contains(locked.Place.Note, "without its password") {
		t.Errorf("a JKS store is still listed without its password: %d entries, note %q", locked.Place.Entries, locked.Place.Note)
	}
	if !open.Changed {
		t.Errorf("the other JDK was not changed: %q", open.Error)
	}
	if after := f.snapshot(); after["opt/jdk-17/lib/security/cacerts"] != before["opt/jdk-17/lib/security/cacerts"] {
		t.Errorf("the store with another password was written")
	}
	m.Password = []byte("s3cret")
	m.Only = nil
	f.file("/opt/jdk-21/lib/security/cacerts", encodeStore(t, store.FormatJKS, store.Modern, "s3cret", oldCert), 0o644)
	plan, err = trust.NewPlan(ctx, m, trust.OpAdd, []trust.Target{trust.TargetOf(acmeCert)})
	if err != nil {
		t.Fatal(err)
	}
	plan.Apply(ctx, m)
	if plan.LeftOut() != 0 {
		t.Fatalf("with --password: left out %d (%q)", plan.LeftOut(), plan.Changes[0].Error)
	}
}

func TestApplyGoesOnPastAFailure(t *testing.T) {
	f := newMachine(t)
	for _, v := range []string{"11.0.2", "17.0.2", "21.0.1"} {
		f.jdk("/opt/jdk-"+v, v)
		f.file("/opt/jdk-"+v+"/lib/security/cacerts", encodeStore(t, store.FormatJKS, store.Modern, "changeit", oldCert), 0o644)
	}
	m := f.machine(false)
	plan, err := trust.NewPlan(ctx, m, trust.OpAdd, []trust.Target{trust.TargetOf(acmeCert)})
	if err != nil {
		t.Fatal(err)
	}
	// Between the plan and its execution the middle store goes bad.
	f.file("/opt/jdk-17.0.2/lib/security/cacerts", []byte("not a keystore"), 0o644)
	plan.Apply(ctx, m)
	var got []string
	for _, c := range plan.Changes {
		got = append(got, filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(c.Place.Real))))+" "+trustOrFail(c))
	}
	want := []string{"jdk-11.0.2 added", "jdk-17.0.2 failed", "jdk-21.0.1 added"}
	if d := cmp.Diff(want, got); d != "" || plan.LeftOut() != 1 {
		t.Errorf("left out %d; (-want +got):\n%s", plan.LeftOut(), d)
	}
	if data, _ := os.ReadFile(f.host("/opt/jdk-17.0.2/lib/security/cacerts")); string(data) != "not a keystore" {
		t.Errorf("the bad store was written")
	}
}

func trustOrFail(c *trust.Change) string {
	if c.Error != "" {
		return "failed"
	}
	return string(c.Steps[0].Action)
}

func TestNSSWithoutCertutilIsSkipped(t *testing.T) {
	f := newMachine(t)
	f.file(debChromium+"/cert9.db", []byte("sqlite"), 0o600)
	f.file(debFirefox+"/cert9.db", []byte("sqlite"), 0o600)
	m := f.machine(false)
	m.Tools.LookPath = func(string) (string, error) { return "", exec.ErrNotFound }
	rep, err := trust.Status(ctx, m, []trust.Target{trust.TargetOf(acmeCert)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Places) != 2 {
		t.Fatalf("places: %+v", rows(rep.Places))
	}
	for _, p := range rep.Places {
		if !strings.Contains(p.Problem, "certutil not found") || p.State(acmeCert.SHA256()) != trust.Unknown {
			t.Errorf("%s: problem %q, state %q", p.Real, p.Problem, p.State(acmeCert.SHA256()))
		}
	}
	plan, err := trust.NewPlan(ctx, m, trust.OpAdd, []trust.Target{trust.TargetOf(acmeCert)})
	if err != nil {
		t.Fatal(err)
	}
	plan.Apply(ctx, m)
	if plan.LeftOut() != 2 {
		t.Errorf("left out %d, want both NSS databases", plan.LeftOut())
	}
}

func TestRemoveRewritesASharedAnchorFile(t *testing.T) {
	f := newMachine(t)
	f.file(debAnchors+"/corp.crt", append(append([]byte{}, acmeRoot.CertPEM...), otherRoot.CertPEM...), 0o644)
	m := f.machine(false)
	plan, err := trust.NewPlan(ctx, m, trust.OpRemove, []trust.Target{trust.TargetOf(acmeCert)})
	if err != nil {
		t.Fatal(err)
	}
	plan.Apply(ctx, m)
	if plan.LeftOut() != 0 || plan.Changes[0].Steps[0].Action != trust.ActRemoved {
		t.Fatalf("remove: %+v, %q", plan.Changes[0].Steps[0], plan.Changes[0].Error)
	}
	data, err := os.ReadFile(f.host(debAnchors + "/corp.crt"))
	if err != nil || !bytes.Equal(data, otherRoot.CertPEM) {
		t.Errorf("corp.crt holds:\n%s\nwant only Other Root", data)
	}
}

func TestLoadCertsRefusesBadInput(t *testing.T) {
	pki(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	root := write("root.pem", acmeRoot.CertPEM)
	key := write("root.key", acmeRoot.KeyPEM)
	both := write("both.pem", append(append([]byte{}, acmeRoot.CertPEM...), acmeRoot.KeyPEM...))
	garbage := write("garbage.crt", []byte("hello"))
	leaf := write("leaf.pem", acmeLeaf.CertPEM)
	if ts, err := trust.LoadCerts([]string{root, root}, false); err != nil || len(ts) != 1 {
		t.Errorf("a root twice: %d targets, %v", len(ts), err)
	}
	for _, p := range []string{key, both, garbage, filepath.Join(dir, "missing.pem")} {
		if _, err := trust.LoadCerts([]string{root, p}, false); err == nil {
			t.Errorf("LoadCerts accepts %s", filepath.Base(p))
		}
	}
	var nca *store.NotCAError
	if _, err := trust.LoadCerts([]string{leaf}, false); !errors.As(err, &nca) {
		t.Errorf("a leaf without allowLeaf: %v, want a NotCAError", err)
	}
	if ts, err := trust.LoadCerts([]string{leaf}, true); err != nil || len(ts) != 1 {
		t.Errorf("a leaf with allowLeaf: %v", err)
	}
}

func TestParseTargets(t *testing.T) {
	pki(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(p, acmeRoot.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	hex := acmeCert.SHA256Hex()
	for _, arg := range []string{p, hex, strings.ToLower(hex), strings.ReplaceAll(hex, ":", ""), strings.ToLower(strings.ReplaceAll(hex, ":", ""))} {
		ts, err := trust.ParseTargets([]string{arg})
		if err != nil || len(ts) != 1 || ts[0].SHA256 != acmeCert.SHA256() {
			t.Errorf("ParseTargets(%q) = %v, %v", arg, ts, err)
		}
	}
	for _, arg := range []string{acmeCert.SHA1Hex(), "zz", "", filepath.Join(dir, "nope.pem")} {
		if _, err := trust.ParseTargets([]string{arg}); err == nil {
			t.Errorf("ParseTargets(%q) accepted", arg)
		}
	}
}

func TestParseCertutilList(t *testing.T) {
	out := "\nCertificate Nickname                                         Trust Attributes\n" +
		"                                                             SSL,S/MIME,JAR/XPI\n\n" +
		"acme-root-ca                                                 C,,  \n" +
		"Acme Corp Issuing CA - G2                                    CT,C,C\n" +
		"old                                                          ,,   \n"
	got := trust.ParseCertutilList([]byte(out))
	want := []trust.NSSEntry{{"acme-root-ca", "C,,"}, {"Acme Corp Issuing CA - G2", "CT,C,C"}, {"old", ",,"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ParseCertutilList (-want +got):\n%s", d)
	}
}

func FuzzParseCertutilList(f *testing.F) {
	f.Add([]byte("Certificate Nickname    Trust Attributes\n                    SSL,S/MIME,JAR/XPI\n\nacme  C,,\n"))
	f.Add([]byte("a b c\tCT,C,C\r\n,,\n x ,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range trust.ParseCertutilList(data) {
			if e.Nickname == "" || strings.TrimSpace(e.Nickname) != e.Nickname || strings.ContainsAny(e.Nickname, "\n") {
				t.Fatalf("nickname %q", e.Nickname)
			}
			if strings.Count(e.Trust, ",") != 2 || !bytes.Contains(data, []byte(e.Trust)) {
				t.Fatalf("trust %q", e.Trust)
			}
		}
	})
}
