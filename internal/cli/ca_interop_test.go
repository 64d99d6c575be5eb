package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/testpki"
)

// caRun runs trustctl in-process and returns the exit code and outputs.
func caRun(t *testing.T, env *Env, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := *env
	e.Stdout, e.Stderr = &out, &errb
	code := Run(append([]string{"trustctl"}, args...), &e)
	return code, out.String(), errb.String()
}

func caMustRun(t *testing.T, env *Env, args ...string) string {
	t.Helper()
	code, out, errs := caRun(t, env, args...)
	if code != 0 {
		t.Fatalf("trustctl %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func caNeedTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skip(name + " not on PATH")
	}
}

func caTool(t *testing.T, dir, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func caMustTool(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	out, err := caTool(t, dir, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// caHashDir digests every file name, mode and content under dir.
func caHashDir(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := d.Info()
		fmt.Fprintf(h, "%s %v\n", p, fi.Mode())
		if d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}

// TestCAProfilesOpenSSL issues each profile from CSRs openssl made and has
// openssl and keytool read and verify the results.
func TestCAProfilesOpenSSL(t *testing.T) {
	caNeedTool(t, "openssl")
	dir := t.TempDir()
	env := &Env{}
	caMustRun(t, env, "ca", "init", filepath.Join(dir, "ca"), "--subject", "/C=US/O=Acme Corp/CN=Acme Root", "--ocsp-url", "http://127.0.0.1:1/", "--crl-url", "http://127.0.0.1:1/ca.crl")
	caFile := filepath.Join(dir, "ca", "ca.crt")
	if out := caMustTool(t, dir, "openssl", "x509", "-in", caFile, "-noout", "-subject", "-ext", "basicConstraints,keyUsage"); !strings.Contains(out, "C=US, O=Acme Corp, CN=Acme Root") && !strings.Contains(out, "C = US, O = Acme Corp, CN = Acme Root") ||
		!strings.Contains(out, "CA:TRUE") || !strings.Contains(out, "Certificate Sign, CRL Sign") {
		t.Errorf("CA certificate:\n%s", out)
	}
	csr := func(name, keyArgs string) string {
		args := append([]string{"req", "-new", "-nodes", "-keyout", name + ".key", "-subj", "/CN=" + name, "-out", name + ".csr"}, strings.Fields(keyArgs)...)
		caMustTool(t, dir, "openssl", args...)
		return filepath.Join(dir, name+".csr")
	}
	cases := []struct {
		name, profile, key string
		ok, refused        string // openssl verify -purpose
	}{
		{"www.example.com", "server", "-newkey rsa:2048", "sslserver", "sslclient"},
		{"alice", "client", "-newkey ec -pkeyopt ec_paramgen_curve:P-256", "sslclient", "sslserver"},
		{"node.example.com", "server-client", "-newkey ed25519", "sslserver", ""},
		{"Release Signing", "codesign", "-newkey ec -pkeyopt ec_paramgen_curve:P-384", "any", "sslserver"},
	}
	for _, tc := range cases {
		t.Run(tc.profile, func(t *testing.T) {
			out := filepath.Join(dir, tc.profile+".crt")
			caMustRun(t, env, "ca", "sign", filepath.Join(dir, "ca"), csr(strings.ReplaceAll(tc.name, " ", "_"), tc.key), "--profile", tc.profile, "--out", out)
			text := caMustTool(t, dir, "openssl", "x509", "-in", out, "-noout", "-text")
			for _, want := range []string{"Subject Key Identifier", "Authority Key Identifier", "OCSP - URI:http://127.0.0.1:1/", "URI:http://127.0.0.1:1/ca.crl"} {
				if !strings.Contains(text, want) {
					t.Errorf("openssl x509 -text lacks %q", want)
				}
			}
			if v := caMustTool(t, dir, "openssl", "verify", "-purpose", tc.ok, "-CAfile", caFile, out); !strings.Contains(v, ": OK") {
				t.Errorf("verify -purpose %s: %s", tc.ok, v)
			}
			if tc.refused != "" {
				if v, err := caTool(t, dir, "openssl", "verify", "-purpose", tc.refused, "-CAfile", caFile, out); err == nil {
					t.Errorf("verify -purpose %s accepted a %s certificate: %s", tc.refused, tc.profile, v)
				}
			}
		})
	}

	// An intermediate: key and CSR first, signed by the root, completed.
	caMustRun(t, env, "ca", "init", filepath.Join(dir, "sub"), "--subject", "CN=Acme Issuing CA,O=Acme Corp", "--csr-only", "--key-password", "sub-pw")
	if code, _, errs := caRun(t, env, "ca", "sign", filepath.Join(dir, "sub"), csr("x", "-newkey ec -pkeyopt ec_paramgen_curve:P-256")); code != 2 || !strings.Contains(errs, "waits for its signed certificate") {
		t.Errorf("signing with an incomplete CA: %d %s", code, errs)
	}
	caMustRun(t, env, "ca", "sign", filepath.Join(dir, "ca"), filepath.Join(dir, "sub", "ca.csr"), "--profile", "intermediate", "--out", filepath.Join(dir, "sub.crt"))
	caMustRun(t, env, "ca", "init", filepath.Join(dir, "sub"), "--cert", filepath.Join(dir, "sub.crt"), "--key-password", "sub-pw")
	leaf := filepath.Join(dir, "leaf.crt")
	caMustRun(t, env, "ca", "sign", filepath.Join(dir, "sub"), csr("leaf.example.com", "-newkey ec -pkeyopt ec_paramgen_curve:P-256"), "--out", leaf, "--key-password", "sub-pw")
	if v := caMustTool(t, dir, "openssl", "verify", "-purpose", "sslserver", "-CAfile", caFile, "-untrusted", filepath.Join(dir, "sub.crt"), leaf); !strings.Contains(v, ": OK") {
		t.Errorf("leaf of the intermediate: %s", v)
	}
	if text := caMustTool(t, dir, "openssl", "x509", "-in", filepath.Join(dir, "sub.crt"), "-noout", "-ext", "basicConstraints"); !strings.Contains(text, "CA:TRUE, pathlen:0") {
		t.Errorf("intermediate basicConstraints: %s", text)
	}

	// keytool reads every certificate (one JVM start for all of them).
	if _, err := exec.LookPath("keytool"); err == nil {
		var bundle []byte
		files := []string{caFile, filepath.Join(dir, "sub.crt"), leaf}
		for _, tc := range cases {
			files = append(files, filepath.Join(dir, tc.profile+".crt"))
		}
		for _, f := range files {
			b, _ := os.ReadFile(f)
			bundle = append(bundle, b...)
		}
		os.WriteFile(filepath.Join(dir, "all.pem"), bundle, 0o644)
		kt := caMustTool(t, dir, "keytool", "-printcert", "-file", "all.pem")
		if n := strings.Count(kt, "Serial number:"); n != len(files) {
			t.Errorf("keytool -printcert read %d of %d certificates:\n%s", n, len(files), kt)
		}
	}
}

// TestCAErrorsLeaveDirectoryUnchanged: each bad input exits 2 with one
// error line and the CA directory byte-identical.
func TestCAErrorsLeaveDirectoryUnchanged(t *testing.T) {
	dir := t.TempDir()
	env := &Env{Now: func() time.Time { return testpki.Now }}
	caDir := filepath.Join(dir, "ca")
	caMustRun(t, env, "ca", "init", caDir, "--subject", "CN=Strict CA", "--days", "100", "--issue-days", "30", "--max-days", "60", "--key-password", "right-pw-7731")
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodCSR := write("good.csr", caTestCSR(t, "good.example.com", false))
	badSig := write("bad.csr", caTestCSR(t, "bad.example.com", true))
	caMustRun(t, env, "ca", "sign", caDir, goodCSR, "--out", filepath.Join(dir, "good.crt"), "--key-password", "right-pw-7731")
	before := caHashDir(t, caDir)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad CSR signature", []string{"ca", "sign", caDir, badSig, "--out", filepath.Join(dir, "x.crt"), "--key-password", "right-pw-7731"}, "signature does not verify"},
		{"days past year 9999", []string{"ca", "sign", caDir, goodCSR, "--days", "9223372036854775807", "--out", filepath.Join(dir, "x.crt"), "--key-password", "right-pw-7731"}, "9999-12-31"},
		{"zero days", []string{"ca", "sign", caDir, goodCSR, "--days", "0h", "--out", filepath.Join(dir, "x.crt"), "--key-password", "right-pw-7731"}, "must be positive"},
		{"out in a missing directory", []string{"ca", "sign", caDir, goodCSR, "--out", filepath.Join(dir, "no", "x.crt"), "--key-password", "right-pw-7731"}, "no such directory"},
		{"serial over 20 octets", []string{"ca", "revoke", caDir, strings.Repeat("7F", 21)}, "at most 20 octets"},
		{"serial zero", []string{"ca", "min-serial", caDir, "00"}, "must be positive"},
		{"crl days past year 9999", []string{"ca", "crl", caDir, "--days", "3000000", "--key-password", "right-pw-7731"}, "9999-12-31"},
		{"beyond max days", []string{"ca", "sign", caDir, goodCSR, "--days", "61", "--out", filepath.Join(dir, "x.crt"), "--key-password", "right-pw-7731"}, "at most 60"},
		{"wrong passphrase", []string{"ca", "sign", caDir, goodCSR, "--out", filepath.Join(dir, "x.crt"), "--key-password", "bad-pw-7731"}, "wrong key password"},
		{"no passphrase, no terminal", []string{"ca", "sign", caDir, goodCSR, "--out", filepath.Join(dir, "x.crt")}, "no terminal"},
		{"unknown serial", []string{"ca", "revoke", caDir, "01:02:03"}, "no certificate with that serial"},
		{"unknown reason", []string{"ca", "revoke", caDir, "01", "--reason", "stolen"}, "unknown revocation reason"},
		{"existing CA", []string{"ca", "init", caDir, "--subject", "CN=Other"}, "already exists"},
		{"unknown profile", []string{"ca", "sign", caDir, goodCSR, "--profile", "email", "--key-password", "right-pw-7731"}, "--profile"},
		{"crl with wrong passphrase", []string{"ca", "crl", caDir, "--out", filepath.Join(dir, "x.crl"), "--key-password", "bad-pw-7731"}, "wrong key password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := caRun(t, env, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2\n%s%s", code, out, errs)
			}
			first, _, _ := strings.Cut(errs, "\n")
			if !strings.HasPrefix(first, "trustctl: error: ") || !strings.Contains(first, tc.want) {
				t.Errorf("stderr %q, want a line with %q", errs, tc.want)
			}
			if strings.Contains(errs, "right-pw-7731") || strings.Contains(errs, "wrong ") && strings.Contains(errs, "--key-password wrong") {
				t.Errorf("a password leaked: %q", errs)
			}
			if got := caHashDir(t, caDir); got != before {
				t.Error("the CA directory changed")
			}
			if _, err := os.Stat(filepath.Join(dir, "x.crt")); err == nil {
				t.Error("an output file was written")
			}
		})
	}
}

// TestCAReinitKeepsSerials: ca init --force in the same directory goes on
// from the old counter.
func TestCAReinitKeepsSerials(t *testing.T) {
	dir := t.TempDir()
	env := &Env{}
	caDir := filepath.Join(dir, "ca")
	csr := filepath.Join(dir, "a.csr")
	os.WriteFile(csr, caTestCSR(t, "a.example.com", false), 0o644)
	serialRE := regexp.MustCompile(`issued serial ([0-9A-F:]+)`)
	var serials []string
	for i := range 2 {
		caMustRun(t, env, "ca", "init", caDir, "--subject", fmt.Sprintf("CN=Cluster CA %d", i), "--force")
		out := caMustRun(t, env, "ca", "sign", caDir, csr, "--out", filepath.Join(dir, fmt.Sprintf("a%d.crt", i)))
		serials = append(serials, serialRE.FindStringSubmatch(out)[1])
	}
	if serials[0] == serials[1] {
		t.Fatalf("serial %s issued twice", serials[0])
	}
	out := caMustRun(t, env, "ca", "list", caDir, "--json")
	var doc render.CAListDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Issued) != 2 || doc.Issued[0].Current || !doc.Issued[1].Current || doc.Issued[1].Serial != serials[1] {
		t.Errorf("ca list after re-init: %+v", doc.Issued)
	}
}

// TestOCSPServeOpenSSL runs the responder in-process and asks openssl.
func TestOCSPServeOpenSSL(t *testing.T) {
	caNeedTool(t, "openssl")
	dir := t.TempDir()
	env := &Env{}
	caDir := filepath.Join(dir, "ca")
	caMustRun(t, env, "ca", "init", caDir, "--subject", "CN=OCSP Test CA", "--key-password", "pw")
	csr := filepath.Join(dir, "www.csr")
	os.WriteFile(csr, caTestCSR(t, "www.example.com", false), 0o644)
	caMustRun(t, env, "ca", "sign", caDir, csr, "--out", filepath.Join(dir, "www.crt"), "--key-password", "pw")
	out := caMustRun(t, env, "ca", "list", caDir, "--json")
	var doc render.CAListDoc
	json.Unmarshal([]byte(out), &doc)
	serial := doc.Issued[0].Serial

	for _, signer := range []string{"delegated", "ca"} {
		t.Run(signer, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			pr, pw := io.Pipe()
			senv := &Env{Context: ctx, Stderr: pw, Stdout: io.Discard}
			done := make(chan int, 1)
			go func() {
				code := Run([]string{"trustctl", "ocsp", "serve", "--ca", caDir, "--listen", "127.0.0.1:0", "--signer", signer, "--key-password", "pw"}, senv)
				pw.Close()
				done <- code
			}()
			line, err := bufio.NewReader(pr).ReadString('\n')
			if err != nil {
				t.Fatalf("responder did not start: %v", err)
			}
			go io.Copy(io.Discard, pr)
			url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
			if url == "" {
				t.Fatalf("no address in %q", line)
			}
			ask := func(extra ...string) string {
				args := append([]string{"ocsp", "-issuer", filepath.Join(caDir, "ca.crt"), "-cert", filepath.Join(dir, "www.crt"), "-url", url, "-CAfile", filepath.Join(caDir, "ca.crt")}, extra...)
				return caMustTool(t, dir, "openssl", args...)
			}
			if signer == "delegated" {
				if got := ask(); !strings.Contains(got, "Response verify OK") || !strings.Contains(got, "www.crt: good") {
					t.Errorf("before revocation:\n%s", got)
				}
				caMustRun(t, env, "ca", "revoke", caDir, serial, "--reason", "keyCompromise")
				got := ask("-no_nonce")
				if !strings.Contains(got, "Response verify OK") || !strings.Contains(got, "www.crt: revoked") || !strings.Contains(got, "keyCompromise") {
					t.Errorf("after revocation:\n%s", got)
				}
			} else if got := ask(); !strings.Contains(got, "Response verify OK") || !strings.Contains(got, "www.crt: revoked") {
				t.Errorf("signed by the CA, after revocation:\n%s", got)
			}
			stopServe(t, cancel, done)
		})
	}

	// The CRL carries the revocation and openssl verifies it.
	crl := filepath.Join(dir, "ca.crl")
	caMustRun(t, env, "ca", "crl", caDir, "--out", crl, "--key-password", "pw")
	got := caMustTool(t, dir, "openssl", "crl", "-in", crl, "-CAfile", filepath.Join(caDir, "ca.crt"), "-verify", "-noout", "-text")
	if !strings.Contains(got, "verify OK") || !strings.Contains(got, "Key Compromise") || !strings.Contains(got, "X509v3 CRL Number") {
		t.Errorf("openssl crl:\n%s", got)
	}
	// Writing it again replaces the old CRL with the next number.
	caMustRun(t, env, "ca", "crl", caDir, "--out", crl, "--key-password", "pw", "--der")
	if got := caMustTool(t, dir, "openssl", "crl", "-inform", "DER", "-in", crl, "-noout", "-crlnumber"); !strings.Contains(got, "crlNumber=0x02") {
		t.Errorf("second CRL: %s", got)
	}
}

// TestExpiry sorts by days left across a CA directory, a PEM file and a
// TLS endpoint, and --within fails inside the window.
func TestExpiry(t *testing.T) {
	dir := t.TempDir()
	// Whole seconds, as certificates store them, so day counts are exact.
	now := time.Now().Truncate(time.Second)
	env := &Env{Now: func() time.Time { return now }}
	caDir := filepath.Join(dir, "ca")
	caMustRun(t, env, "ca", "init", caDir, "--subject", "CN=Expiry CA", "--days", "400")
	csr := filepath.Join(dir, "a.csr")
	os.WriteFile(csr, caTestCSR(t, "a.example.com", false), 0o644)
	caMustRun(t, env, "ca", "sign", caDir, csr, "--days", "45", "--out", filepath.Join(dir, "a.crt"))
	caMustRun(t, env, "ca", "sign", caDir, csr, "--days", "90", "--out", filepath.Join(dir, "b.crt"))
	caMustRun(t, env, "ca", "revoke", caDir, strings.TrimSpace(caSerialOf(t, env, caDir, 1)))
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("nothing here\n"), 0o644)

	root := testpki.New(t, testpki.Template{Subject: "TLS Root", IsCA: true, MaxPathLen: -1, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 0, 200)}, nil)
	leaf := testpki.New(t, testpki.Template{Subject: "tls.test", DNS: []string{"tls.test"}, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 0, 20)}, root)
	srv := httptest.NewUnstartedServer(nil)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.Cert.Raw, root.Cert.Raw}, PrivateKey: leaf.Key}}}
	srv.StartTLS()
	defer srv.Close()
	endpoint := strings.TrimPrefix(srv.URL, "https://")

	code, out, errs := caRun(t, env, "expiry", caDir, filepath.Join(dir, "a.crt"), filepath.Join(dir, "notes.txt"), endpoint, "--within", "30d")
	if code != 1 || !strings.Contains(errs, "1 certificate(s) expire within 30d") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	var days []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		f := strings.Fields(l)
		days = append(days, f[0]+" "+f[len(f)-1])
	}
	// What the CA signed is valid for the days asked, counted from its
	// notBefore, 5 minutes before the signing (for clock skew): a day
	// less is whole at the signing.
	want := []string{
		"20 " + endpoint,
		"44 " + filepath.Join(dir, "a.crt"),
		"89 " + filepath.Join(caDir, "issued"),
		"200 " + endpoint,
		"399 " + filepath.Join(caDir, "ca.crt"),
	}
	if len(days) != len(want) {
		t.Fatalf("expiry listed:\n%s", out)
	}
	for i := range want {
		if !strings.HasPrefix(days[i], want[i]) {
			t.Errorf("row %d = %q, want %q...", i, days[i], want[i])
		}
	}
	code, out, _ = caRun(t, env, "expiry", caDir, "--within", "60d", "--json")
	var doc render.ExpiryDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if code != 0 || doc.Expiring != 0 || len(doc.Certificates) != 2 {
		t.Errorf("CA directory alone: exit %d %+v", code, doc)
	}
	// A source that cannot be read is a row of its own and exit 1 (the
	// expiry row of the contract), not a usage error.
	if code, _, errs := caRun(t, env, "expiry", filepath.Join(dir, "missing.pem")); code != 1 {
		t.Errorf("missing file: exit %d %s", code, errs)
	}
}

func caSerialOf(t *testing.T, env *Env, caDir string, i int) string {
	t.Helper()
	var doc render.CAListDoc
	if err := json.Unmarshal([]byte(caMustRun(t, env, "ca", "list", caDir, "--json")), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Issued[i-1].Serial
}

// caTestCSR makes a CSR for a fresh P-256 key; corrupt spoils its signature.
func caTestCSR(t *testing.T, cn string, corrupt bool) []byte {
	t.Helper()
	key := testpki.ECKey(t)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}}, key)
	if err != nil {
		t.Fatal(err)
	}
	if corrupt {
		der[len(der)-5] ^= 0x55
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// TestOCSPServeJava has the JDK's own PKIX validator check a certificate
// with OCSP against ocsp serve, as a Java gateway does: good, then revoked
// with its reason once the CA revokes it. Java asks by GET when the
// request is short, so this covers the responder's GET path.
func TestOCSPServeJava(t *testing.T) {
	caNeedTool(t, "java")
	dir := t.TempDir()
	env := &Env{}
	// The responder's address goes into the certificates, so pick a port
	// before issuing them.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	caDir := filepath.Join(dir, "ca")
	caMustRun(t, env, "ca", "init", caDir, "--subject", "CN=Java OCSP Test CA", "--ocsp-url", "http://"+addr+"/")
	csr := filepath.Join(dir, "www.csr")
	os.WriteFile(csr, caTestCSR(t, "www.example.com", false), 0o644)
	leaf := filepath.Join(dir, "www.crt")
	caMustRun(t, env, "ca", "sign", caDir, csr, "--out", leaf)
	out := caMustRun(t, env, "ca", "list", caDir, "--json")
	var doc render.CAListDoc
	json.Unmarshal([]byte(out), &doc)

	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := Run([]string{"trustctl", "ocsp", "serve", "--ca", caDir, "--listen", addr}, &Env{Context: ctx, Stderr: pw, Stdout: io.Discard})
		pw.Close()
		done <- code
	}()
	defer stopServe(t, cancel, done)
	if _, err := bufio.NewReader(pr).ReadString('\n'); err != nil {
		t.Fatalf("responder did not start: %v", err)
	}
	go io.Copy(io.Discard, pr)

	check := func() string {
		t.Helper()
		out, err := caTool(t, ".", "java", "testdata/java/OCSPCheck.java", leaf, filepath.Join(caDir, "ca.crt"))
		if err != nil {
			t.Fatalf("java OCSPCheck: %v\n%s", err, out)
		}
		return strings.TrimSpace(out)
	}
	if got := check(); got != "good" {
		t.Errorf("before revocation Java says %q, want good", got)
	}
	caMustRun(t, env, "ca", "revoke", caDir, doc.Issued[0].Serial, "--reason", "keyCompromise")
	if got := check(); got != "revoked KEY_COMPROMISE" {
		t.Errorf("after revocation Java says %q, want revoked KEY_COMPROMISE", got)
	}
}

// stopServe cancels a running ocsp serve and checks that it exits 0 soon.
func stopServe(t *testing.T, cancel context.CancelFunc, done <-chan int) {
	t.Helper()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("ocsp serve exited %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Error("ocsp serve did not stop")
	}
}
