package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustctl/trustctl/internal/certs"
)

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

// crashCA kills ca sign and ca init --force at random moments, through
// the same harness as the stores, and after each run checks what the
// CA's record promises: the next command succeeds and leaves nothing
// behind; every certificate that reached its --out file is listed (and
// can be revoked by its serial); ca check passes; ca init --force keeps
// the serial counter and leaves a key that matches its certificate; and
// over the whole run no serial is given to two certificates, not even
// one held only by a temporary file.
func crashCA(t *testing.T, fig *crashFigures) {
	dir := t.TempDir()
	caDir, outDir := filepath.Join(dir, "ca"), filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "ca", "init", caDir, "--subject", "CN=Crash CA 0")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "node.crash.test"}, DNSNames: []string{"node.crash.test"}}, key)
	csr := filepath.Join(dir, "node.csr")
	if err := os.WriteFile(csr, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}

	wantSign, wantInit := 2*crashKills(), crashKills()
	var signKills, initKills, leftToRecover, recordsChecked, delivered, collisions int
	// Each run is a ca sign until enough of them were killed, every third
	// a ca init --force, as long as more of those are wanted.
	isInit := map[int]bool{}
	kind := func(i int) string {
		if _, ok := isInit[i]; !ok {
			isInit[i] = initKills < wantInit && (signKills >= wantSign || i%3 == 2)
		}
		if isInit[i] {
			return "init"
		}
		return "sign"
	}
	out := func(i int) string { return filepath.Join(outDir, fmt.Sprintf("c%03d.crt", i)) }
	args := func(i int) []string {
		if kind(i) == "init" {
			return []string{"ca", "init", caDir, "--subject", fmt.Sprintf("CN=Crash CA %d", i), "--force"}
		}
		return []string{"ca", "sign", caDir, csr, "--profile", "server", "--out", out(i)}
	}

	bySerial := map[string]string{} // serial -> SHA-256 of every certificate seen with it
	note := func(t *testing.T, c *x509.Certificate, where string) {
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
	counter := func() string {
		b, _ := os.ReadFile(filepath.Join(caDir, "serial"))
		return string(b)
	}
	lastCounter := counter()

	res := killAtRandom(t, crashCase{
		dir:  dir,
		kind: kind,
		args: args,
		check: func(t *testing.T, i int, finished bool) int {
			if !finished {
				if kind(i) == "init" {
					initKills++
				} else {
					signKills++
				}
			}
			// A temporary file may hold a complete certificate: its
			// serial must never be given to another one either.
			for _, p := range litter(t, dir) {
				note(t, caFirstCert(filepath.Join(dir, p)), p)
			}
			if _, _, code := run(t, "ca", "check", caDir); code != 0 {
				leftToRecover++
			}
			// ca init --force keeps the counter, even killed.
			if now := counter(); kind(i) == "init" && now != lastCounter {
				t.Errorf("run %d: ca init --force changed the counter from %s to %s", i, lastCounter, now)
			}
			lastCounter = counter()
			return 0
		},
		settle: func(t *testing.T, i int) {
			// The next command recovers silently.
			var list caListed
			if err := json.Unmarshal([]byte(mustRun(t, "ca", "list", caDir, "--json")), &list); err != nil {
				t.Fatal(err)
			}
			if _, msg, code := run(t, "ca", "check", caDir); code != 0 {
				t.Fatalf("run %d: ca check after the next command: exit %d\n%s", i, code, msg)
			}
			if _, msg, code := run(t, "key", "match", filepath.Join(caDir, "ca.key"), filepath.Join(caDir, "ca.crt")); code != 0 {
				t.Fatalf("run %d: the CA key does not match its certificate: %s", i, msg)
			}
			listed := map[string]string{}
			for _, e := range list.Issued {
				listed[e.Serial] = e.SHA256
				recordsChecked++
			}
			issued, _ := filepath.Glob(filepath.Join(caDir, "issued", "*.pem"))
			for _, p := range issued {
				note(t, caFirstCert(p), p)
			}
			outs, _ := filepath.Glob(filepath.Join(outDir, "c*.crt"))
			for _, p := range outs {
				c := caFirstCert(p)
				if c == nil {
					t.Errorf("run %d: %s holds no certificate", i, p)
					continue
				}
				note(t, c, p)
				if fp := certs.FromX509(c).SHA256Hex(); listed[certs.SerialHex(c.SerialNumber)] != fp {
					t.Errorf("run %d: delivered %s (serial %s) is not in the record", i, p, certs.SerialHex(c.SerialNumber))
				}
			}
			// One list entry per delivered file.
			if len(list.Issued) != len(outs) {
				t.Errorf("run %d: %d certificates listed, %d delivered", i, len(list.Issued), len(outs))
			}
			// What this run delivered can be revoked by its serial.
			if c := caFirstCert(out(i)); kind(i) == "sign" && c != nil {
				delivered++
				if _, msg, code := run(t, "ca", "revoke", caDir, certs.SerialHex(c.SerialNumber)); code != 0 {
					t.Errorf("run %d: revoking the delivered %s: exit %d: %s", i, out(i), code, msg)
				}
			}
			lastCounter = counter()
		},
	}, wantSign+wantInit)
	res.Checked = recordsChecked
	fig.add("ca sign + init", res)

	if _, msg, code := run(t, "ca", "check", caDir); code != 0 {
		t.Errorf("ca check at the end: %s", msg)
	}
	if signKills < wantSign || initKills < wantInit {
		t.Errorf("only %d ca sign and %d ca init --force runs were killed before they finished (want %d and %d)", signKills, initKills, wantSign, wantInit)
	}
	fig.note("ca: %d ca sign and %d ca init --force killed; %d left something to recover; %d delivered certificates revoked, %d record entries checked; %d serial collisions",
		signKills, initKills, leftToRecover, delivered, recordsChecked, collisions)
}
