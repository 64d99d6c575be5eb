package trust_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/store"
	"github.com/trustctl/trustctl/internal/testpki"
	"github.com/trustctl/trustctl/internal/trust"
)

// The JDKs whose keytool judges the stores trustctl writes.
const (
	keytool17 = "/usr/lib/jvm/java-17-openjdk-amd64/bin/keytool"
	keytool25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/keytool"
)

var (
	pkiOnce             sync.Once
	acmeRoot, oldRoot   *testpki.Cert
	acmeLeaf, otherRoot *testpki.Cert
	acmeCert, oldCert   *certs.Cert
	otherCert, leafCert *certs.Cert
)

// pki makes the certificates of the tests once: the corporate root to
// trust, a root every store already holds, another root and a leaf.
func pki(t testing.TB) {
	t.Helper()
	pkiOnce.Do(func() {
		acmeRoot = testpki.New(t, testpki.Template{Subject: "CN=Acme Root CA,O=Acme Corp", IsCA: true, MaxPathLen: -1}, nil)
		oldRoot = testpki.New(t, testpki.Template{Subject: "CN=Old Root,O=Old", IsCA: true, MaxPathLen: -1}, nil)
		otherRoot = testpki.New(t, testpki.Template{Subject: "CN=Other Root,O=Other", IsCA: true, MaxPathLen: -1}, nil)
		acmeLeaf = testpki.New(t, testpki.Template{Subject: "CN=www.acme.test", DNS: []string{"www.acme.test"}}, acmeRoot)
		acmeCert, oldCert = certs.FromX509(acmeRoot.Cert), certs.FromX509(oldRoot.Cert)
		otherCert, leafCert = certs.FromX509(otherRoot.Cert), certs.FromX509(acmeLeaf.Cert)
	})
}

// fakeMachine is a machine in a temporary directory, seen through a
// sysroot; nothing of the host is touched.
type fakeMachine struct {
	t    *testing.T
	dir  string
	root trust.Root
	env  map[string]string
	// bin holds fake refresh tools, which log their calls to log.
	bin, log string
}

func newMachine(t *testing.T) *fakeMachine {
	t.Helper()
	pki(t)
	dir := t.TempDir()
	f := &fakeMachine{t: t, dir: filepath.Join(dir, "root"), bin: filepath.Join(dir, "bin"), log: filepath.Join(dir, "refresh.log"),
		env: map[string]string{"HOME": "/home/dev", "PATH": "/usr/local/bin:/usr/bin:/bin"}}
	for _, d := range []string{f.dir, f.bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r, err := trust.NewRoot(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	f.root = r
	return f
}

// host is where a machine path is on this host (symlinks not followed).
func (f *fakeMachine) host(name string) string { return filepath.Join(f.root.Dir(), name) }

func (f *fakeMachine) file(name string, data []byte, mode fs.FileMode) {
	f.t.Helper()
	p := f.host(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, mode); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fakeMachine) link(name, target string) {
	f.t.Helper()
	p := f.host(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		f.t.Fatal(err)
	}
}

// jdk lays out a Java home with its release file; cacerts is left to the
// caller (JDK 8 keeps it under jre/).
func (f *fakeMachine) jdk(home, version string) {
	f.file(home+"/bin/java", []byte("#!/bin/sh\n"), 0o755)
	f.file(home+"/release", []byte("JAVA_VERSION=\""+version+"\"\n"), 0o644)
}

// tool puts a fake refresh tool in bin that logs its name and arguments.
func (f *fakeMachine) tool(name string) {
	f.t.Helper()
	script := "#!/bin/sh\necho \"" + name + " $*\" >> " + f.log + "\n"
	if err := os.WriteFile(filepath.Join(f.bin, name), []byte(script), 0o755); err != nil {
		f.t.Fatal(err)
	}
}

// refreshed returns the calls the fake refresh tools logged.
func (f *fakeMachine) refreshed() []string {
	data, err := os.ReadFile(f.log)
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// machine is the trust.Machine for the fake: a sysroot at f.dir. With
// refresh, the refresh tools run, found only in f.bin; certutil is the
// host's.
func (f *fakeMachine) machine(refresh bool) *trust.Machine {
	return &trust.Machine{
		Root:    f.root,
		Getenv:  func(k string) string { return f.env[k] },
		Refresh: refresh,
		Tools: trust.Tools{LookPath: func(name string) (string, error) {
			if p := filepath.Join(f.bin, name); fileExists(p) {
				return p, nil
			}
			if name == "certutil" {
				return exec.LookPath("certutil")
			}
			return "", exec.ErrNotFound
		}},
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// encodeStore makes a truststore with trustctl's own code.
func encodeStore(t testing.TB, f store.Format, prot store.Protection, pw string, cs ...*certs.Cert) []byte {
	t.Helper()
	st := store.New(f)
	st.Protection = prot
	if _, err := st.Import(cs, store.ImportOptions{Epoch: testpki.Now}); err != nil {
		t.Fatal(err)
	}
	data, err := st.Encode(store.EncodeOptions{Password: []byte(pw)})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// keytoolStore makes a JKS truststore with the real keytool, or with
// trustctl's code when keytool is absent.
func keytoolStore(t *testing.T, c *testpki.Cert) []byte {
	t.Helper()
	if !fileExists(keytool17) {
		t.Logf("%s not present: the JDK 11 store is made by trustctl", keytool17)
		return encodeStore(t, store.FormatJKS, store.Modern, "changeit", certs.FromX509(c.Cert))
	}
	dir := t.TempDir()
	pem := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(pem, c.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	ks := filepath.Join(dir, "cacerts")
	out, err := exec.Command(keytool17, "-J-Duser.language=en", "-importcert", "-noprompt", "-alias", "old-root",
		"-file", pem, "-keystore", ks, "-storepass", "changeit", "-storetype", "JKS").CombinedOutput()
	if err != nil {
		t.Fatalf("keytool -importcert: %v\n%s", err, out)
	}
	data, err := os.ReadFile(ks)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// nssdb creates an empty NSS database with the real certutil; it reports
// false when certutil is absent.
func (f *fakeMachine) nssdb(dir string) bool {
	f.t.Helper()
	certutil, err := exec.LookPath("certutil")
	if err != nil {
		return false
	}
	p := f.host(dir)
	if err := os.MkdirAll(p, 0o700); err != nil {
		f.t.Fatal(err)
	}
	if out, err := exec.Command(certutil, "-N", "-d", "sql:"+p, "--empty-password").CombinedOutput(); err != nil {
		f.t.Fatalf("certutil -N: %v\n%s", err, out)
	}
	return true
}

// snapshot hashes every file under the machine, and says what each
// symlink points to, to prove a run changed nothing.
func (f *fakeMachine) snapshot() map[string]string {
	f.t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(f.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(f.dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "-> " + target
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fi, _ := d.Info()
			out[rel] = fmt.Sprintf("%v %x", fi.Mode(), sha256.Sum256(data))
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// keytoolList lists a store with a real keytool and checks that it holds
// each certificate as a trustedCertEntry; it returns the listing.
func keytoolList(t *testing.T, keytool, path string, want ...*certs.Cert) string {
	t.Helper()
	out, err := exec.Command(keytool, "-J-Duser.language=en", "-list", "-keystore", path, "-storepass", "changeit").CombinedOutput()
	if err != nil {
		t.Fatalf("%s -list %s: %v\n%s", keytool, path, err, out)
	}
	for _, c := range want {
		if !strings.Contains(string(out), c.SHA256Hex()) {
			t.Errorf("keytool -list %s does not show %s (%s):\n%s", path, c.Subject(), c.SHA256Hex(), out)
		}
	}
	if len(want) > 0 && !strings.Contains(string(out), "trustedCertEntry") {
		t.Errorf("keytool -list %s shows no trustedCertEntry:\n%s", path, out)
	}
	return string(out)
}

var ctx = context.Background()

// A Debian developer machine with every kind of place.
const (
	debShared   = "/etc/ssl/certs/java/cacerts" // JDK 17 and 25 link to it
	debJDK8     = "/usr/lib/jvm/java-8-openjdk-amd64/jre/lib/security/cacerts"
	debSDKMAN11 = "/home/dev/.sdkman/candidates/java/11.0.22-tem/lib/security/cacerts"
	debJDK21    = "/home/dev/.jdks/temurin-21.0.5/lib/security/cacerts" // password-less PKCS#12
	debGradle17 = "/home/dev/.gradle/jdks/eclipse_adoptium-17-amd64-linux/jdk-17.0.9+9/lib/security/cacerts"
	debAnchors  = "/usr/local/share/ca-certificates"
	debBundle   = "/etc/ssl/certs/ca-certificates.crt"
	debChromium = "/home/dev/.pki/nssdb"
	debFirefox  = "/home/dev/.mozilla/firefox/abcd1234.default-release"
)

// jdkStores are the real files of the Debian machine's JDK truststores,
// with their mode and whether they are JKS.
var jdkStores = map[string]struct {
	mode fs.FileMode
	jks  bool
}{debShared: {0o644, true}, debJDK8: {0o644, true}, debSDKMAN11: {0o664, true}, debJDK21: {0o644, false}, debGradle17: {0o640, false}}

// debian builds the machine: JDK 17 and 25 sharing Debian's JKS cacerts
// through absolute symlinks, JDK 8 (jre/), SDKMAN's JDK 11 (a JKS made by
// keytool) as JAVA_HOME through "current", IntelliJ's JDK 21 with JDK 18+'s
// password-less PKCS#12, a Gradle JDK 17 with a PKCS#12 under changeit, the
// Debian anchors and bundle, Chromium's and Firefox's NSS databases (when
// certutil is present), and a fake update-ca-certificates that rebuilds the
// bundle from the distribution's certificates and the anchors.
func debian(t *testing.T) (f *fakeMachine, nss bool) {
	f = newMachine(t)
	f.file(debShared, encodeStore(t, store.FormatJKS, store.Modern, "changeit", oldCert), 0o644)
	for _, j := range []struct{ home, version string }{
		{"/usr/lib/jvm/java-17-openjdk-amd64", "17.0.15"}, {"/usr/lib/jvm/temurin-25-jdk-amd64", "25.0.1"}} {
		f.jdk(j.home, j.version)
		f.link(j.home+"/lib/security/cacerts", debShared)
	}
	f.link("/usr/lib/jvm/java-1.17.0-openjdk-amd64", "java-17-openjdk-amd64")
	f.link("/etc/alternatives/java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java")
	f.link("/usr/bin/java", "/etc/alternatives/java")
	f.jdk("/usr/lib/jvm/java-8-openjdk-amd64", "1.8.0_402")
	f.file(debJDK8, encodeStore(t, store.FormatJKS, store.Modern, "changeit", oldCert), 0o644)
	f.jdk("/home/dev/.sdkman/candidates/java/11.0.22-tem", "11.0.22")
	f.file(debSDKMAN11, keytoolStore(t, oldRoot), 0o664)
	f.link("/home/dev/.sdkman/candidates/java/current", "11.0.22-tem")
	f.env["JAVA_HOME"] = "/home/dev/.sdkman/candidates/java/current"
	f.jdk("/home/dev/.jdks/temurin-21.0.5", "21.0.5")
	f.file(debJDK21, encodeStore(t, store.FormatPKCS12, store.Passwordless, "", oldCert), 0o644)
	f.jdk("/home/dev/.gradle/jdks/eclipse_adoptium-17-amd64-linux/jdk-17.0.9+9", "17.0.9")
	f.file(debGradle17, encodeStore(t, store.FormatPKCS12, store.Modern, "changeit", oldCert), 0o640)

	f.file("/usr/share/ca-certificates/mozilla/Old_Root.crt", oldRoot.CertPEM, 0o644)
	f.file(debAnchors+"/other-root.crt", otherRoot.CertPEM, 0o644)
	f.file(debBundle, append(append([]byte{}, oldRoot.CertPEM...), otherRoot.CertPEM...), 0o644)
	f.file("/usr/sbin/update-ca-certificates", []byte("#!/bin/sh\n"), 0o755)
	f.tool("update-ca-certificates")
	f.rebuildWith("update-ca-certificates", debBundle, "/usr/share/ca-certificates/mozilla", debAnchors)

	nss = f.nssdb(debChromium) && f.nssdb(debFirefox)
	return f, nss
}

// rebuildWith makes the fake refresh tool also rebuild the bundle from
// the certificates in dirs, as the real one does.
func (f *fakeMachine) rebuildWith(tool, bundle string, dirs ...string) {
	f.t.Helper()
	p := filepath.Join(f.bin, tool)
	script, err := os.ReadFile(p)
	if err != nil {
		f.t.Fatal(err)
	}
	cat := "cat"
	for _, d := range dirs {
		cat += " " + f.host(d) + "/*"
	}
	script = append(script, []byte(cat+" > "+f.host(bundle)+" 2>/dev/null\n")...)
	if err := os.WriteFile(p, script, 0o755); err != nil {
		f.t.Fatal(err)
	}
}
