package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
)

// caBin is the trustctl the crash test kills: built once, without the race
// detector, whose start-up of about a second a process would stretch
// hundreds of kills over many minutes.
var caBin string

func buildCABin(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH to build trustctl")
	}
	caBin = filepath.Join(t.TempDir(), "trustctl")
	cmd := exec.Command("go", "build", "-o", caBin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}

// caKillRun starts trustctl with args, kills it at a random moment within
// whole, and reports whether the kill landed before it finished.
func caKillRun(t *testing.T, whole time.Duration, args ...string) bool {
	t.Helper()
	cmd := exec.Command(caBin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Duration(mrand.Int64N(int64(whole))))
	cmd.Process.Kill()
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	return ok && !ee.Exited()
}

// caRunCode runs trustctl to the end and returns its exit code and stdout.
func caRunCode(t *testing.T, args ...string) (int, []byte) {
	t.Helper()
	cmd := exec.Command(caBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), append(out.Bytes(), errb.Bytes()...)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.Bytes()
}

// caTimeRun times one whole run, so that kills land all over it.
func caTimeRun(t *testing.T, args ...string) time.Duration {
	t.Helper()
	start := time.Now()
	if code, out := caRunCode(t, args...); code != 0 {
		t.Fatalf("trustctl %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return time.Since(start)
}

// caLitter lists hidden files (temporary, staged, lock) under the dirs.
func caLitter(dirs ...string) []string {
	var out []string
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && p != dir && strings.HasPrefix(d.Name(), ".") {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}

// caFirstCert reads the first certificate of a PEM file (nil if none).
func caFirstCert(path string) *x509.Certificate {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	b, _ := pem.Decode(data)
	if b == nil {
		return nil
	}
	c, _ := x509.ParseCertificate(b.Bytes)
	return c
}

type caListed struct {
	CASHA256 string `json:"ca_sha256"`
	Issued   []struct {
		Serial  string `json:"serial"`
		Status  string `json:"status"`
		Current bool   `json:"current_ca"`
		SHA256  string `json:"sha256"`
	} `json:"issued"`
	Unissued []string `json:"unissued"`
}

// TestKilledCACommandsKeepTheRecord kills ca sign and ca init --force at
// random moments, many times, and after each kill checks what the CA's
// record promises: the next command succeeds; every certificate that
// reached its --out file is listed; ca check passes; no temporary or lock
// file is left; the CA key matches its certificate; and over the whole run
// no serial is given to two certificates.
func TestKilledCACommandsKeepTheRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("kills many processes; skipped with -short")
	}
	buildCABin(t)
	dir := t.TempDir()
	caDir, outDir := filepath.Join(dir, "ca"), filepath.Join(dir, "out")
	os.Mkdir(outDir, 0o755)
	if code, out := caRunCode(t, "ca", "init", caDir, "--subject", "CN=Crash CA 0"); code != 0 {
		t.Fatalf("ca init: %s", out)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "node.crash.test"}, DNSNames: []string{"node.crash.test"}}, key)
	csr := filepath.Join(dir, "node.csr")
	os.WriteFile(csr, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644)

	sign := func(out string) []string {
		return []string{"ca", "sign", caDir, csr, "--profile", "server", "--out", out}
	}
	wholeSign := caTimeRun(t, sign(filepath.Join(outDir, "timing.crt"))...)
	wholeInit := caTimeRun(t, "ca", "init", caDir, "--subject", "CN=Crash CA timing", "--force")

	const wantSignKills, wantInitKills, maxRuns = 100, 50, 600
	var signKills, initKills, leftToRecover, recordsChecked, delivered, collisions, litter int
	bySerial := map[string]string{} // serial -> SHA-256 of every certificate seen with it
	note := func(c *x509.Certificate, where string) {
		if c == nil {
			return
		}
		s, fp := certs.SerialHex(c.SerialNumber), fmt.Sprintf("%X", sha256.Sum256(c.Raw))
		if old, ok := bySerial[s]; ok && old != fp {
			collisions++
			t.Errorf("serial %s given to two certificates (seen again in %s)", s, where)
		}
		bySerial[s] = fp
	}
	for run := 0; run < maxRuns && (signKills < wantSignKills || initKills < wantInitKills); run++ {
		out := filepath.Join(outDir, fmt.Sprintf("c%03d.crt", run))
		doInit := initKills < wantInitKills && (signKills >= wantSignKills || run%3 == 2)
		counterBefore, _ := os.ReadFile(filepath.Join(caDir, "serial"))
		if doInit {
			if caKillRun(t, wholeInit, "ca", "init", caDir, "--subject", fmt.Sprintf("CN=Crash CA %d", run), "--force") {
				initKills++
			}
		} else if caKillRun(t, wholeSign, sign(out)...) {
			signKills++
		}
		// A temporary file may hold a complete certificate: its serial
		// must never be given to another one either.
		for _, p := range caLitter(caDir, outDir) {
			note(caFirstCert(p), p)
		}
		if code, _ := caRunCode(t, "ca", "check", caDir); code != 0 {
			leftToRecover++
		}

		// The next command recovers silently.
		code, listOut := caRunCode(t, "ca", "list", caDir, "--json")
		if code != 0 {
			t.Fatalf("run %d: ca list after a kill: exit %d\n%s", run, code, listOut)
		}
		var list caListed
		if err := json.Unmarshal(listOut, &list); err != nil {
			t.Fatal(err)
		}
		if code, msg := caRunCode(t, "ca", "check", caDir); code != 0 {
			t.Fatalf("run %d: ca check after the next command: exit %d\n%s", run, code, msg)
		}
		if got := caLitter(caDir, outDir); len(got) > 0 {
			litter += len(got)
			t.Errorf("run %d: left behind %v", run, got)
		}
		// ca init --force keeps the counter and always leaves a key that
		// matches its certificate.
		if counterAfter, _ := os.ReadFile(filepath.Join(caDir, "serial")); doInit && !bytes.Equal(counterBefore, counterAfter) {
			t.Errorf("run %d: ca init --force changed the counter from %s to %s", run, counterBefore, counterAfter)
		}
		if code, msg := caRunCode(t, "key", "match", filepath.Join(caDir, "ca.key"), filepath.Join(caDir, "ca.crt")); code != 0 {
			t.Fatalf("run %d: the CA key does not match its certificate: %s", run, msg)
		}

		listed := map[string]string{}
		for _, e := range list.Issued {
			listed[e.Serial] = e.SHA256
			recordsChecked++
		}
		issuedFiles, _ := filepath.Glob(filepath.Join(caDir, "issued", "*.pem"))
		for _, p := range issuedFiles {
			note(caFirstCert(p), p)
		}
		outs, _ := filepath.Glob(filepath.Join(outDir, "c*.crt"))
		for _, p := range outs {
			c := caFirstCert(p)
			if c == nil {
				t.Errorf("run %d: %s holds no certificate", run, p)
				continue
			}
			note(c, p)
			if fp := certs.FromX509(c).SHA256Hex(); listed[certs.SerialHex(c.SerialNumber)] != fp {
				t.Errorf("run %d: delivered %s (serial %s) is not in the record", run, p, certs.SerialHex(c.SerialNumber))
			}
		}
		// One list entry per delivered file (and the timing certificate).
		if len(list.Issued) != len(outs)+1 {
			t.Errorf("run %d: %d certificates listed, %d delivered", run, len(list.Issued), len(outs)+1)
		}
		// What this run delivered can be revoked by its serial.
		if c := caFirstCert(out); c != nil {
			delivered++
			if code, msg := caRunCode(t, "ca", "revoke", caDir, certs.SerialHex(c.SerialNumber)); code != 0 {
				t.Errorf("run %d: revoking the delivered %s: exit %d: %s", run, out, code, msg)
			}
		}
	}
	if code, msg := caRunCode(t, "ca", "check", caDir); code != 0 {
		t.Errorf("ca check at the end: %s", msg)
	}
	if signKills < wantSignKills || initKills < wantInitKills {
		t.Errorf("only %d ca sign and %d ca init --force runs were killed before they finished", signKills, initKills)
	}
	t.Logf("kills: %d ca sign, %d ca init --force (one sign takes %v, one init %v); %d left something to recover; %d delivered certificates revoked, %d record entries checked; %d serial collisions; %d files left behind",
		signKills, initKills, wholeSign.Round(time.Millisecond), wholeInit.Round(time.Millisecond), leftToRecover, delivered, recordsChecked, collisions, litter)
}
