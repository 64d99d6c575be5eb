package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/cli"
	"github.com/trustctl/trustctl/internal/jdk"
	"github.com/trustctl/trustctl/internal/testpki"
)

// run runs trustctl in-process with absolute paths and returns stdout,
// stderr and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(append([]string{"trustctl"}, args...), &cli.Env{Stdout: &out, Stderr: &errb, Getenv: os.Getenv})
	return out.String(), errb.String(), code
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := run(t, args...)
	if code != 0 {
		t.Fatalf("trustctl %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func need(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("%s not on PATH; skipping the interop check that needs it", tool)
	}
}

func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "JAVA_TOOL_OPTIONS=", "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

var (
	keytoolAlias = regexp.MustCompile(`(?m)^Alias name: (.*)$`)
	keytoolType  = regexp.MustCompile(`(?m)^Entry type: (.*)$`)
	keytoolSHA   = regexp.MustCompile(`(?m)^\s*SHA256: ([0-9A-F:]+)$`)
)

// keytoolEntries parses keytool -list -v into alias -> "type sha256...".
func keytoolEntries(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, block := range strings.Split(out, "*******************************************") {
		a := keytoolAlias.FindStringSubmatch(block)
		ty := keytoolType.FindStringSubmatch(block)
		if a == nil || ty == nil {
			continue
		}
		var fps []string
		for _, s := range keytoolSHA.FindAllStringSubmatch(block, -1) {
			fps = append(fps, s[1])
		}
		m[a[1]] = ty[1] + " " + strings.Join(fps, " ")
	}
	return m
}

// TestKeytoolListsWhatTrustctlWrites: every JKS and PKCS#12 truststore
// trustctl writes is listed by keytool with every entry a trustedCertEntry
// and the right SHA-256 fingerprint.
func TestKeytoolListsWhatTrustctlWrites(t *testing.T) {
	jdks(t)
	dir := t.TempDir()
	root := testpki.Root(t, "CN=Acme Root,O=Acme Corp,C=US")
	inter := testpki.Intermediate(t, "CN=Acme Issuing CA,O=Acme Corp", root)
	rootPath, _ := root.Write(t, dir, "root")
	interPath, _ := inter.Write(t, dir, "inter")
	want := map[string]string{
		"acme-root":       "trustedCertEntry " + certs.FromX509(root.Cert).SHA256Hex(),
		"acme-issuing-ca": "trustedCertEntry " + certs.FromX509(inter.Cert).SHA256Hex(),
	}
	for _, tc := range []struct{ name, file, enc, storetype string }{
		{"jks", "ts.jks", "", "JKS"},
		{"p12-modern", "ts.p12", "modern", "PKCS12"},
		{"p12-legacy", "legacy.pfx", "legacy", "PKCS12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.file)
			args := []string{"import", p, rootPath, interPath, "--password", "s3cret!"}
			if tc.enc != "" {
				args = append(args, "--encryption", tc.enc)
			}
			mustRun(t, args...)
			eachJDK(t, func(t *testing.T, j jdkTools) {
				out := tool(t, j.keytool, "-list", "-v", "-keystore", p, "-storepass", "s3cret!", "-storetype", tc.storetype)
				got := keytoolEntries(t, out)
				if len(got) != len(want) {
					t.Fatalf("keytool lists %d entries, want %d:\n%s", len(got), len(want), out)
				}
				for a, w := range want {
					if got[a] != w {
						t.Errorf("keytool: %s = %q, want %q", a, got[a], w)
					}
				}
			})
		})
	}
}

// TestTrustctlReadsKeytoolStores: JKS, PKCS#12 and a password-less PKCS#12
// (made the way JDK 18+ makes cacerts) written by keytool are read, with
// the same aliases and fingerprints keytool reports.
func TestTrustctlReadsKeytoolStores(t *testing.T) {
	eachJDK(t, func(t *testing.T, j jdkTools) { trustctlReadsKeytoolStores(t, j) })
}

func trustctlReadsKeytoolStores(t *testing.T, j jdkTools) {
	dir := t.TempDir()
	root := testpki.Root(t, "CN=Acme Root,O=Acme Corp,C=US")
	rootPath, _ := root.Write(t, dir, "root")
	fp := certs.FromX509(root.Cert).SHA256Hex()
	for _, tc := range []struct {
		name  string
		extra []string
		pw    []string // trustctl's password flags
	}{
		{"jks", []string{"-storetype", "JKS"}, []string{"--password", "changeit"}},
		{"jks-without-password", []string{"-storetype", "JKS"}, nil},
		{"pkcs12", []string{"-storetype", "PKCS12"}, []string{"--password", "changeit"}},
		{"pkcs12-passwordless", []string{"-storetype", "PKCS12",
			"-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE", "-J-Dkeystore.pkcs12.macAlgorithm=NONE"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".store")
			args := append([]string{"-importcert", "-noprompt", "-alias", "Corp-Root", "-file", rootPath,
				"-keystore", p, "-storepass", "changeit"}, tc.extra...)
			tool(t, j.keytool, args...)
			out := mustRun(t, append([]string{"list", p, "--json"}, tc.pw...)...)
			// JKS stores aliases lower-cased; PKCS#12 keeps the
			// friendlyName as written (Java compares aliases without
			// regard to case either way).
			if !strings.Contains(strings.ToLower(out), `"alias": "corp-root"`) || !strings.Contains(out, fp) || !strings.Contains(out, `"kind": "trustedCertEntry"`) {
				t.Errorf("list of keytool's %s store:\n%s", tc.name, out)
			}
		})
	}
}

// TestTrustctlReadsOpenSSLStores reads PKCS#12 made by openssl pkcs12,
// modern and -legacy, with certificates only and with a key and its chain.
func TestTrustctlReadsOpenSSLStores(t *testing.T) {
	need(t, "openssl")
	dir := t.TempDir()
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	leaf := testpki.Leaf(t, "primary-host", inter, "primary-host")
	rootPath, _ := root.Write(t, dir, "root")
	interPath, _ := inter.Write(t, dir, "inter")
	leafPath, keyPath := leaf.Write(t, dir, "leaf")
	for _, legacy := range []bool{false, true} {
		name := map[bool]string{false: "modern", true: "legacy"}[legacy]
		t.Run(name, func(t *testing.T) {
			cas := filepath.Join(dir, name+"-cas.p12")
			args := []string{"pkcs12", "-export", "-nokeys", "-in", rootPath, "-certfile", interPath, "-out", cas, "-passout", "pass:pw"}
			if legacy {
				args = append(args, "-legacy")
			}
			tool(t, "openssl", args...)
			out := mustRun(t, "list", cas, "--password", "pw")
			if !strings.Contains(out, "CN=Acme Root") || !strings.Contains(out, "CN=Acme Issuing CA") {
				t.Errorf("certificates-only PKCS#12:\n%s", out)
			}
			ks := filepath.Join(dir, name+"-key.p12")
			args = []string{"pkcs12", "-export", "-inkey", keyPath, "-in", leafPath, "-certfile", interPath,
				"-name", "primary-host", "-out", ks, "-passout", "pass:"}
			if legacy {
				args = append(args, "-legacy")
			}
			tool(t, "openssl", args...)
			out = mustRun(t, "list", ks, "--password", "")
			if !regexp.MustCompile(`(?m)^primary-host +PrivateKeyEntry \(chain 2\)`).MatchString(out) {
				t.Errorf("key PKCS#12 with an empty password:\n%s", out)
			}
		})
	}
}

// TestImportIntoCopyOfRealCacerts: a corporate root goes into a copy of this
// machine's JDK cacerts; keytool then lists every original entry plus the
// new one.
func TestImportIntoCopyOfRealCacerts(t *testing.T) {
	need(t, "keytool")
	src, err := jdk.Cacerts(jdk.Env{})
	if err != nil {
		t.Skipf("no JDK cacerts on this machine: %v", err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Skipf("cannot read %s: %v", src, err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "cacerts")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	before := keytoolAliases(t, tool(t, "keytool", "-list", "-keystore", p, "-storepass", "changeit"))
	root := testpki.Root(t, "CN=Acme Corporate Root,O=Acme Corp,C=US")
	rootPath, _ := root.Write(t, dir, "corp")
	mustRun(t, "import", p, rootPath, "--password", "changeit")
	after := keytoolAliases(t, tool(t, "keytool", "-list", "-keystore", p, "-storepass", "changeit"))
	if len(after) != len(before)+1 {
		t.Fatalf("keytool lists %d entries after the import, want %d+1", len(after), len(before))
	}
	have := map[string]bool{}
	for _, a := range after {
		have[a] = true
	}
	for _, a := range before {
		if !have[a] {
			t.Errorf("entry %q of the original cacerts is gone", a)
		}
	}
	if !have["acme-corporate-root"] {
		t.Errorf("the new root is not listed: %v", after)
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v after the import, want the original 0644", fi.Mode().Perm())
	}
}

var keytoolShortEntry = regexp.MustCompile(`(?m)^([^,\n]+), [^,]+, [^,]+, (trustedCertEntry|PrivateKeyEntry),\s*$`)

func keytoolAliases(t *testing.T, out string) []string {
	var as []string
	for _, m := range keytoolShortEntry.FindAllStringSubmatch(out, -1) {
		as = append(as, m[1])
	}
	sort.Strings(as)
	if len(as) == 0 {
		t.Fatalf("keytool listed no entries:\n%s", out)
	}
	return as
}
