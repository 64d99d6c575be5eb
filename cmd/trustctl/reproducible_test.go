package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/cli"
	"github.com/trustctl/trustctl/internal/testpki"
)

// A build is one run of trustctl under conditions of its own: the clock,
// HOME, TZ, the working directory and the umask. Builds of the same
// entries must give the same bytes whatever these are.
type build struct {
	name string
	// run runs trustctl in dir and returns stdout, stderr and the exit
	// code. Arguments that name files in dir start with "./".
	run func(t *testing.T, dir string, args ...string) (string, string, int)
}

// inProcess runs trustctl in this process with a clock five years ahead,
// HOME set to a directory of its own and SOURCE_DATE_EPOCH unset. Paths
// are made absolute, since the working directory is the test's.
func inProcess(t *testing.T) build {
	home := t.TempDir()
	later := time.Now().AddDate(5, 0, 0)
	return build{"in-process, clock five years ahead", func(t *testing.T, dir string, args ...string) (string, string, int) {
		t.Helper()
		var out, errb bytes.Buffer
		env := &cli.Env{Stdout: &out, Stderr: &errb, Now: func() time.Time { return later }, Getenv: func(k string) string {
			switch k {
			case "HOME":
				return home
			case "SOURCE_DATE_EPOCH", "TZ":
				return ""
			}
			return os.Getenv(k)
		}}
		code := cli.Run(append([]string{"trustctl"}, absArgs(dir, args)...), env)
		return out.String(), errb.String(), code
	}}
}

// child runs trustctl as a process of its own, in dir, under umask 077,
// in the time zone tz, with another HOME and the environment's other
// variables (SOURCE_DATE_EPOCH unset unless extra sets it).
func child(t *testing.T, tz string, extra ...string) build {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	return build{"child process, TZ=" + tz + ", umask 077", func(t *testing.T, dir string, args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command("sh", append([]string{"-c", `umask 077 && exec "$0" "$@"`, self}, args...)...)
		cmd.Dir = dir
		for _, kv := range os.Environ() {
			switch strings.SplitN(kv, "=", 2)[0] {
			case "SOURCE_DATE_EPOCH", "TZ", "HOME":
				continue
			}
			cmd.Env = append(cmd.Env, kv)
		}
		cmd.Env = append(cmd.Env, "TZ="+tz, "HOME="+home, "TRUSTCTL_TEST_AS_MAIN=1", "GORACE="+quickExitGORACE())
		cmd.Env = append(cmd.Env, extra...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), code
	}}
}

// absArgs makes the arguments that start with "./" (files in dir)
// absolute.
func absArgs(dir string, args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if strings.HasPrefix(a, "./") {
			out[i] = filepath.Join(dir, a)
		}
	}
	return out
}

func (b build) must(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, errs, code := b.run(t, dir, args...)
	if code != 0 {
		t.Fatalf("%s: trustctl %s: exit %d\n%s%s", b.name, strings.Join(args, " "), code, out, errs)
	}
	return out
}

// reproPKI writes the certificates of the tests into dir: two roots with
// the same name (two generations of Acme Root), another root and an
// intermediate, as bundle.pem and, in the opposite order, reversed.pem.
// It returns their subjects' count.
func reproPKI(t *testing.T, dir string) int {
	root1 := testpki.Root(t, "CN=Acme Root,O=Acme Corp")
	root2 := testpki.Root(t, "CN=Acme Root,O=Acme Corp")
	other := testpki.Root(t, "CN=Other Root,O=Other")
	inter := testpki.Intermediate(t, "CN=Acme Issuing CA,O=Acme Corp", root1)
	write := func(name string, cs ...*testpki.Cert) {
		if err := os.WriteFile(filepath.Join(dir, name), testpki.Bundle(cs...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("bundle.pem", root1, root2, other, inter)
	write("reversed.pem", inter, other, root2, root1)
	return 4
}

// tree is a directory's regular files: name -> mode and contents.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		m[rel] = fi.Mode().String() + " " + string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sameFile(t *testing.T, what, a, b string) {
	t.Helper()
	da, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(da, db) {
		t.Errorf("%s: the two builds differ (%d and %d bytes)", what, len(da), len(db))
	}
	fa, _ := os.Stat(a)
	fb, _ := os.Stat(b)
	if fa.Mode() != fb.Mode() {
		t.Errorf("%s: modes %v and %v", what, fa.Mode(), fb.Mode())
	}
}

// TestTruststoresAreReproducible builds each kind of truststore twice, once
// in this process with the clock five years ahead and once in a child
// process under another TZ, HOME, working directory and umask, from the
// certificates in the opposite order, and compares the bytes: JKS,
// PKCS#12 (modern and legacy) and PEM by import, sync and convert, and an
// export directory. keytool and openssl then read every result.
func TestTruststoresAreReproducible(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	n := reproPKI(t, dirA)
	for _, f := range []string{"bundle.pem", "reversed.pem"} {
		b, _ := os.ReadFile(filepath.Join(dirA, f))
		os.WriteFile(filepath.Join(dirB, f), b, 0o644)
	}
	a, b := inProcess(t), child(t, "Pacific/Chatham")
	type output struct{ file, storetype string }
	var outs []output
	for _, tc := range []struct {
		file, storetype string
		args            []string
	}{
		{"import.jks", "JKS", []string{"import", "./import.jks", "BUNDLE", "--password", "changeit"}},
		{"import.p12", "PKCS12", []string{"import", "./import.p12", "BUNDLE", "--password", "changeit"}},
		{"legacy.p12", "PKCS12", []string{"import", "./legacy.p12", "BUNDLE", "--password", "changeit", "--encryption", "legacy"}},
		{"import.pem", "PEM", []string{"import", "./import.pem", "BUNDLE"}},
		{"sync.jks", "JKS", []string{"sync", "./sync.jks", "BUNDLE", "--password", "changeit"}},
		{"sync.p12", "PKCS12", []string{"sync", "./sync.p12", "BUNDLE", "--password", "changeit"}},
		{"convert.jks", "JKS", []string{"convert", "BUNDLE", "./convert.jks", "--new-password", "changeit"}},
		{"convert.p12", "PKCS12", []string{"convert", "BUNDLE", "./convert.p12", "--new-password", "changeit"}},
	} {
		argsA := append([]string{}, tc.args...)
		argsB := append([]string{}, tc.args...)
		for i := range tc.args {
			if tc.args[i] == "BUNDLE" {
				argsA[i], argsB[i] = "./bundle.pem", "./reversed.pem"
			}
		}
		a.must(t, dirA, argsA...)
		b.must(t, dirB, argsB...)
		sameFile(t, tc.file, filepath.Join(dirA, tc.file), filepath.Join(dirB, tc.file))
		outs = append(outs, output{tc.file, tc.storetype})
	}
	// An export directory, from the stores each build made.
	for _, x := range []build{a, b} {
		dir := map[bool]string{true: dirA, false: dirB}[x.name == a.name]
		x.must(t, dir, "export", "./import.jks", "--out-dir", "./certs", "--password", "changeit")
		x.must(t, dir, "export", "./import.p12", "--out-dir", "./der", "--der", "--password", "changeit")
	}
	for _, d := range []string{"certs", "der"} {
		ta, tb := tree(t, filepath.Join(dirA, d)), tree(t, filepath.Join(dirB, d))
		if len(ta) != n {
			t.Errorf("export --out-dir %s wrote %d files, want %d", d, len(ta), n)
		}
		for name, v := range ta {
			if tb[name] != v {
				t.Errorf("export --out-dir %s: %s differs between the builds", d, name)
			}
		}
		if len(ta) != len(tb) {
			t.Errorf("export --out-dir %s: %d and %d files", d, len(ta), len(tb))
		}
	}

	t.Run("keytool", func(t *testing.T) {
		tools := keytools(t)
		for _, o := range outs {
			for _, kt := range tools {
				p := filepath.Join(dirB, o.file)
				var out string
				if o.storetype == "PEM" {
					out = tool(t, kt, "-printcert", "-file", p)
					if got := strings.Count(out, "Owner: "); got != n {
						t.Errorf("%s -printcert %s: %d certificates, want %d", kt, o.file, got, n)
					}
					continue
				}
				out = tool(t, kt, "-list", "-keystore", p, "-storepass", "changeit", "-storetype", o.storetype)
				if got := strings.Count(out, "trustedCertEntry"); got != n {
					t.Errorf("%s -list %s: %d trustedCertEntry, want %d:\n%s", kt, o.file, got, n, out)
				}
			}
		}
		for _, kt := range tools {
			for _, d := range []string{"certs", "der"} {
				for name := range tree(t, filepath.Join(dirB, d)) {
					out := tool(t, kt, "-printcert", "-file", filepath.Join(dirB, d, name))
					if !strings.Contains(out, "Owner: ") {
						t.Errorf("%s -printcert %s/%s:\n%s", kt, d, name, out)
					}
				}
			}
		}
	})
	t.Run("openssl", func(t *testing.T) {
		need(t, "openssl")
		for _, o := range outs {
			p := filepath.Join(dirB, o.file)
			switch o.storetype {
			case "PKCS12":
				// openssl 3 reads both profiles without -legacy: the
				// legacy one is 3DES, not RC2.
				out := tool(t, "openssl", "pkcs12", "-in", p, "-passin", "pass:changeit", "-nokeys")
				if got := strings.Count(out, "BEGIN CERTIFICATE"); got != n {
					t.Errorf("openssl pkcs12 %s: %d certificates, want %d", o.file, got, n)
				}
			case "PEM":
				out := tool(t, "openssl", "storeutl", "-noout", "-certs", p)
				if !strings.Contains(out, "Total found: 4") {
					t.Errorf("openssl storeutl %s:\n%s", o.file, out)
				}
			}
		}
		for _, d := range []string{"certs", "der"} {
			for name := range tree(t, filepath.Join(dirB, d)) {
				form := "PEM"
				if d == "der" {
					form = "DER"
				}
				tool(t, "openssl", "x509", "-noout", "-subject", "-inform", form, "-in", filepath.Join(dirB, d, name))
			}
		}
	})
}

// keytools returns the keytool of every JDK on this machine (the one on
// PATH and those under /usr/lib/jvm: JDK 17 and 25 on the image), each
// once, or skips the test when there is none.
func keytools(t *testing.T) []string {
	t.Helper()
	var found []string
	seen := map[string]bool{}
	cands, _ := filepath.Glob("/usr/lib/jvm/*/bin/keytool")
	if p, err := exec.LookPath("keytool"); err == nil {
		cands = append([]string{p}, cands...)
	}
	for _, c := range cands {
		real, err := filepath.EvalSymlinks(c)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		found = append(found, c)
	}
	if len(found) == 0 {
		t.Skip("keytool not on PATH and no JDK in /usr/lib/jvm; skipping the check that the JDK reads these stores")
	}
	return found
}

var creationDate = regexp.MustCompile(`(?m)^Creation date: (.*)$`)

// keytoolDates returns the creation dates keytool -list -v shows, read in
// UTC.
func keytoolDates(t *testing.T, kt, path string) []string {
	t.Helper()
	cmd := exec.Command(kt, "-list", "-v", "-keystore", path, "-storepass", "changeit")
	cmd.Env = append(os.Environ(), "JAVA_TOOL_OPTIONS=-Duser.timezone=UTC", "LC_ALL=C", "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s -list -v %s: %v\n%s", kt, path, err, out)
	}
	var dates []string
	for _, m := range creationDate.FindAllStringSubmatch(string(out), -1) {
		dates = append(dates, m[1])
	}
	return dates
}

// TestJKSEntryDates: keytool shows a new entry dated by SOURCE_DATE_EPOCH
// when it is set, by its certificate's notBefore otherwise, and an entry
// already in the store keeps its date when another is added.
func TestJKSEntryDates(t *testing.T) {
	tools := keytools(t)
	dir := t.TempDir()
	reproPKI(t, dir)
	later := testpki.Root(t, "CN=Later Root")
	os.WriteFile(filepath.Join(dir, "later.pem"), testpki.Bundle(later), 0o644)
	const epoch = "1767268800" // 2026-01-01T12:00:00Z
	withEpoch := child(t, "America/Los_Angeles", "SOURCE_DATE_EPOCH="+epoch)
	withEpoch.must(t, dir, "import", "./epoch.jks", "./bundle.pem", "--password", "changeit")
	child(t, "Asia/Tokyo").must(t, dir, "import", "./plain.jks", "./bundle.pem", "--password", "changeit")
	withEpoch.must(t, dir, "import", "./plain.jks", "./later.pem", "--password", "changeit")
	notBefore := testpki.Now.AddDate(-1, 0, 0).UTC().Format("Jan 2, 2006")
	for _, kt := range tools {
		dates := keytoolDates(t, kt, filepath.Join(dir, "epoch.jks"))
		if len(dates) != 4 {
			t.Fatalf("%s: %d creation dates in epoch.jks, want 4", kt, len(dates))
		}
		for _, d := range dates {
			if d != "Jan 1, 2026" {
				t.Errorf("%s: epoch.jks: Creation date %s, want Jan 1, 2026 (SOURCE_DATE_EPOCH=%s)", kt, d, epoch)
			}
		}
		dates = keytoolDates(t, kt, filepath.Join(dir, "plain.jks"))
		sort.Strings(dates)
		want := []string{"Jan 1, 2026", notBefore, notBefore, notBefore, notBefore}
		sort.Strings(want)
		if strings.Join(dates, "|") != strings.Join(want, "|") {
			t.Errorf("%s: plain.jks: creation dates %q, want the four notBefore dates (%s) and the later entry's SOURCE_DATE_EPOCH", kt, dates, notBefore)
		}
	}
}

// TestMalformedSourceDateEpochWritesNothing: every command that dates new
// entries refuses a SOURCE_DATE_EPOCH that is not decimal seconds up to
// 9999 with one line on stderr and exit 2, and writes nothing.
func TestMalformedSourceDateEpochWritesNothing(t *testing.T) {
	dir := t.TempDir()
	reproPKI(t, dir)
	leaf := testpki.Leaf(t, "app.example", testpki.Root(t, "CN=App Root"), "app.example")
	leaf.Write(t, dir, "app")
	mustRun(t, "import", filepath.Join(dir, "existing.jks"), filepath.Join(dir, "bundle.pem"), "--password", "changeit")
	before := listing(t, dir)
	for _, v := range []string{"abc", "-1", "1.5", " 1700000000", "1700000000 ", "0x10", "253402300800", "99999999999999999999999"} {
		b := child(t, "UTC", "SOURCE_DATE_EPOCH="+v)
		for _, args := range [][]string{
			{"import", "./new.jks", "./bundle.pem", "--password", "changeit"},
			{"import", "./existing.jks", "./reversed.pem", "--password", "changeit"},
			{"sync", "./new.p12", "./bundle.pem", "--password", "changeit"},
			{"convert", "./bundle.pem", "./new.jks", "--new-password", "changeit"},
			{"keystore", "build", "--key", "./app.key", "--cert", "./app.crt", "--partial-chain", "--out", "./new.jks", "--password", "changeit"},
		} {
			out, errs, code := b.run(t, dir, args...)
			if code != 2 || out != "" {
				t.Errorf("SOURCE_DATE_EPOCH=%q trustctl %s: exit %d, stdout %q; want exit 2 and nothing on stdout", v, args[0], code, out)
			}
			if lines := strings.Split(strings.TrimRight(errs, "\n"), "\n"); len(lines) != 1 || !strings.Contains(errs, "SOURCE_DATE_EPOCH") {
				t.Errorf("SOURCE_DATE_EPOCH=%q trustctl %s: stderr %q; want one line naming SOURCE_DATE_EPOCH", v, args[0], errs)
			}
		}
	}
	after := listing(t, dir)
	if len(before) != len(after) {
		t.Errorf("files before %d, after %d", len(before), len(after))
	}
	for name, v := range before {
		if after[name] != v {
			t.Errorf("%s changed", name)
		}
	}
}

// TestKeystoresDifferUnlessReproducible: two keystores built from the same
// key differ (fresh salts), and match with --reproducible even when built
// under other conditions; keytool and openssl read them all.
func TestKeystoresDifferUnlessReproducible(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	root := testpki.Root(t, "CN=Keystore Root")
	inter := testpki.Intermediate(t, "CN=Keystore Issuing CA", root)
	leaf := testpki.Leaf(t, "service.example", inter, "service.example")
	for _, d := range []string{dirA, dirB} {
		root.Write(t, d, "root")
		inter.Write(t, d, "inter")
		leaf.Write(t, d, "leaf")
	}
	a, b := inProcess(t), child(t, "Australia/Eucla")
	buildArgs := func(out string, extra ...string) []string {
		return append([]string{"keystore", "build", "--key", "./leaf.key", "--cert", "./leaf.crt", "--chain", "./inter.crt",
			"--chain", "./root.crt", "--out", "./" + out, "--password", "changeit"}, extra...)
	}
	var stores []string
	for _, ext := range []string{"p12", "jks"} {
		random1, random2, repro := "random1."+ext, "random2."+ext, "repro."+ext
		a.must(t, dirA, buildArgs(random1)...)
		a.must(t, dirA, buildArgs(random2)...)
		ra, _ := os.ReadFile(filepath.Join(dirA, random1))
		rb, _ := os.ReadFile(filepath.Join(dirA, random2))
		if bytes.Equal(ra, rb) {
			t.Errorf("%s: two keystore builds without --reproducible are equal; want fresh salts", ext)
		}
		a.must(t, dirA, buildArgs(repro, "--reproducible")...)
		b.must(t, dirB, buildArgs(repro, "--reproducible")...)
		sameFile(t, "keystore build --reproducible ("+ext+")", filepath.Join(dirA, repro), filepath.Join(dirB, repro))
		if fi, _ := os.Stat(filepath.Join(dirB, repro)); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600 for a keystore", repro, fi.Mode().Perm())
		}
		stores = append(stores, filepath.Join(dirA, random1), filepath.Join(dirB, repro))
	}
	// convert of a keystore: random unless --reproducible.
	a.must(t, dirA, "convert", "./repro.p12", "./conv1.jks", "--password", "changeit")
	a.must(t, dirA, "convert", "./repro.p12", "./conv2.jks", "--password", "changeit")
	c1, _ := os.ReadFile(filepath.Join(dirA, "conv1.jks"))
	c2, _ := os.ReadFile(filepath.Join(dirA, "conv2.jks"))
	if bytes.Equal(c1, c2) {
		t.Error("two conversions of a keystore without --reproducible are equal; want fresh salts")
	}
	for _, ext := range []string{"jks", "p12"} {
		out := "conv-repro." + ext
		src := map[string]string{"jks": "repro.p12", "p12": "repro.jks"}[ext]
		a.must(t, dirA, "convert", "./"+src, "./"+out, "--password", "changeit", "--reproducible")
		b.must(t, dirB, "convert", "./"+src, "./"+out, "--password", "changeit", "--reproducible")
		sameFile(t, "convert --reproducible ("+ext+")", filepath.Join(dirA, out), filepath.Join(dirB, out))
		stores = append(stores, filepath.Join(dirB, out))
	}
	t.Run("keytool", func(t *testing.T) {
		for _, kt := range keytools(t) {
			for _, p := range stores {
				out := tool(t, kt, "-list", "-v", "-keystore", p, "-storepass", "changeit")
				if !strings.Contains(out, "PrivateKeyEntry") || !strings.Contains(out, "Certificate chain length: 3") {
					t.Errorf("%s -list %s: no PrivateKeyEntry with a chain of 3:\n%s", kt, filepath.Base(p), out)
				}
			}
		}
	})
	t.Run("openssl", func(t *testing.T) {
		need(t, "openssl")
		for _, p := range stores {
			if !strings.HasSuffix(p, ".p12") {
				continue
			}
			out := tool(t, "openssl", "pkcs12", "-in", p, "-passin", "pass:changeit", "-nodes")
			var key crypto.Signer
			if i := strings.Index(out, "-----BEGIN PRIVATE KEY-----"); i >= 0 {
				if blk, _ := pem.Decode([]byte(out[i:])); blk != nil {
					k, _ := x509.ParsePKCS8PrivateKey(blk.Bytes)
					key, _ = k.(crypto.Signer)
				}
			}
			if key == nil || !leaf.Cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
				t.Errorf("openssl pkcs12 %s: no private key that belongs to the certificate:\n%s", filepath.Base(p), out)
			}
			if got := strings.Count(out, "BEGIN CERTIFICATE"); got != 3 {
				t.Errorf("openssl pkcs12 %s: %d certificates, want 3", filepath.Base(p), got)
			}
		}
	})
}

// TestAddThenDeleteGivesBackTheStore: a truststore's bytes depend only on
// its entries, so importing a certificate and deleting it again gives back
// the first file; an import or sync that changes nothing does not even
// rewrite it.
func TestAddThenDeleteGivesBackTheStore(t *testing.T) {
	dir := t.TempDir()
	reproPKI(t, dir)
	extra := testpki.Root(t, "CN=Extra Root")
	extraPath, _ := extra.Write(t, dir, "extra")
	bundle := filepath.Join(dir, "bundle.pem")
	for _, name := range []string{"ts.jks", "ts.p12", "ts.pem"} {
		p := filepath.Join(dir, name)
		mustRun(t, "import", p, bundle, "--password", "changeit")
		first, _ := os.ReadFile(p)
		fi1, _ := os.Stat(p)
		mustRun(t, "import", p, filepath.Join(dir, "reversed.pem"), "--password", "changeit")
		mustRun(t, "sync", p, bundle, "--password", "changeit")
		if fi2, _ := os.Stat(p); !os.SameFile(fi1, fi2) || !fi2.ModTime().Equal(fi1.ModTime()) {
			t.Errorf("%s: an import and a sync that changed nothing rewrote the file", name)
		}
		mustRun(t, "import", p, extraPath, "--password", "changeit")
		if mid, _ := os.ReadFile(p); bytes.Equal(mid, first) {
			t.Fatalf("%s: importing another certificate did not change the file", name)
		}
		mustRun(t, "delete", p, "extra-root", "--password", "changeit")
		if back, _ := os.ReadFile(p); !bytes.Equal(back, first) {
			t.Errorf("%s: importing a certificate and deleting it did not give back the first file", name)
		}
	}
}
