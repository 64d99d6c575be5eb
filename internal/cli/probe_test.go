package cli

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/testpki"
)

func runProbeCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(append([]string{"trustctl", "probe"}, args...), &Env{Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

// tlsServer serves TLS on 127.0.0.1 until the test ends.
func tlsServer(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if c.(*tls.Conn).Handshake() == nil {
					_, _ = io.Copy(io.Discard, c)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

type probePKI struct {
	root, inter, leaf, def *testpki.Cert
	dir                    string
}

func newProbePKI(t *testing.T) probePKI {
	root := testpki.Root(t, "CN=Acme-CA-Root,O=Acme")
	inter := testpki.Intermediate(t, "CN=Acme-CA-Intermediate,O=Acme", root)
	return probePKI{
		root:  root,
		inter: inter,
		leaf:  testpki.Leaf(t, "primary-host", inter, "primary-host"),
		def:   testpki.Leaf(t, "localhost", nil, "localhost"),
		dir:   t.TempDir(),
	}
}

func pair(c *testpki.Cert, chain ...*testpki.Cert) tls.Certificate {
	tc := tls.Certificate{Certificate: [][]byte{c.Cert.Raw}, PrivateKey: c.Key}
	for _, x := range chain {
		tc.Certificate = append(tc.Certificate, x.Cert.Raw)
	}
	return tc
}

// sniServer presents primary-host's chain for that name and a self-signed
// localhost certificate otherwise, like seed 002's server.
func (p probePKI) sniServer(t *testing.T, extra func(*tls.Config)) string {
	def, sni := pair(p.def), pair(p.leaf, p.inter)
	cfg := &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if h.ServerName == "primary-host" {
			return &sni, nil
		}
		return &def, nil
	}}
	if extra != nil {
		extra(cfg)
	}
	return tlsServer(t, cfg)
}

func TestProbeCommandFallbackVerdict(t *testing.T) {
	p := newProbePKI(t)
	addr := p.sniServer(t, nil)

	code, out, errs := runProbeCmd(t, addr, "--servername", "primary-host")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"chain as sent (2):", "#0 CN=primary-host", "#1 CN=Acme-CA-Intermediate,O=Acme", "SANs      DNS:primary-host",
		"name: the leaf is valid for primary-host",
		"SNI: SNI selected CN=primary-host; without it the server presents CN=localhost",
		"client certificate: not requested", "result: ok",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, out, errs = runProbeCmd(t, addr, "--servername", "gateway-host")
	want := "the server presented its default certificate (CN=localhost), not one for gateway-host: SNI did not select a certificate"
	if code != 1 || !strings.Contains(out, "SNI: "+want) || !strings.Contains(errs, want) || !strings.Contains(errs, "trustctl: hint: the server fell back") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
}

func TestProbeCommandJSON(t *testing.T) {
	p := newProbePKI(t)
	addr := p.sniServer(t, func(c *tls.Config) { c.NextProtos = []string{"h2"} })
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	targets := filepath.Join(p.dir, "targets.txt")
	os.WriteFile(targets, []byte("# two endpoints\n"+closed+"\n"+addr+" primary-host\n"), 0o644)

	code, out, errs := runProbeCmd(t, "--targets-file", targets, "--json", "--concurrency", "2")
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	var doc struct {
		OK      bool `json:"ok"`
		Targets []struct {
			Target     string `json:"target"`
			Error      string `json:"error"`
			ServerName string `json:"server_name"`
			Version    string `json:"tls_version"`
			ALPN       string `json:"alpn"`
			OK         bool   `json:"ok"`
			NameMatch  bool   `json:"name_match"`
			Chain      []struct {
				Subject string `json:"subject"`
				SHA256  string `json:"sha256"`
				SANs    []string
			} `json:"chain"`
			SNI struct {
				Verdict string `json:"verdict"`
			} `json:"sni"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.OK || len(doc.Targets) != 2 {
		t.Fatalf("%+v", doc)
	}
	bad, good := doc.Targets[0], doc.Targets[1]
	if bad.Target != closed || !strings.Contains(bad.Error, "connection refused") || bad.OK {
		t.Errorf("first target: %+v", bad)
	}
	if good.Target != addr || !good.OK || !good.NameMatch || good.ServerName != "primary-host" || good.Version != "TLS 1.3" || good.ALPN != "h2" ||
		len(good.Chain) != 2 || good.Chain[0].SHA256 == "" || !strings.HasPrefix(good.SNI.Verdict, "SNI selected") {
		t.Errorf("second target: %+v", good)
	}
}

// TestProbeCommandJSONUnknownIsNull: what cannot be read of a certificate
// the server sends is null in the JSON document, as in show's, never a
// zero that reads as a fact (0 days left, not a CA).
func TestProbeCommandJSONUnknownIsNull(t *testing.T) {
	p := newProbePKI(t)
	sent := pair(p.leaf)
	sent.Certificate = append(sent.Certificate, []byte{0x30, 0x03, 0x02, 0x01, 0x05}) // not a certificate
	addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{sent}})
	_, out, errs := runProbeCmd(t, addr, "--servername", "primary-host", "--json")
	var doc struct {
		Targets []struct {
			Chain []map[string]any `json:"chain"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Targets) != 1 || len(doc.Targets[0].Chain) != 2 {
		t.Fatalf("%v\n%s%s", err, out, errs)
	}
	leaf, junk := doc.Targets[0].Chain[0], doc.Targets[0].Chain[1]
	for _, k := range []string{"subject", "issuer", "not_after", "days_left", "is_ca", "self_signed", "key"} {
		if v, ok := junk[k]; !ok || v != nil {
			t.Errorf("the unreadable certificate's %q is %v (present: %v); want null", k, v, ok)
		}
		if leaf[k] == nil {
			t.Errorf("the leaf's %q is null", k)
		}
	}
	if leaf["is_ca"] != false || leaf["subject"] != "CN=primary-host" {
		t.Errorf("leaf: is_ca %v, subject %v", leaf["is_ca"], leaf["subject"])
	}
}

func TestProbeCommandRootsAndExpectations(t *testing.T) {
	p := newProbePKI(t)
	addr := p.sniServer(t, nil)
	rootPath, _ := p.root.Write(t, p.dir, "root")
	otherPath, _ := p.def.Write(t, p.dir, "other")
	fp := strings.ToLower(strings.ReplaceAll(sha256Hex(p.leaf.Cert), ":", ""))

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"verified", []string{"--roots", rootPath}, 0, "valid"},
		{"untrusted", []string{"--roots", otherPath}, 1, "verification:"},
		{"fingerprint", []string{"--expect-fingerprint", fp}, 0, "expect fingerprint: ok"},
		{"wrong fingerprint", []string{"--expect-fingerprint", strings.Repeat("ab", 32)}, 1, "expect fingerprint: FAILED"},
		{"expected name", []string{"--expect-name", "primary-host"}, 0, "expect name primary-host: ok"},
		{"unexpected name", []string{"--expect-name", "api.example.com"}, 1, "expect name api.example.com: FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runProbeCmd(t, append([]string{addr, "--servername", "primary-host"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d; output lacks %q?\n%s%s", code, tt.code, tt.want, out, errs)
			}
		})
	}
}

// TestProbeCommandLeafOutsideValidity: a server presenting an expired or
// not yet valid leaf fails the probe even without --roots, whatever else
// matches.
func TestProbeCommandLeafOutsideValidity(t *testing.T) {
	p := newProbePKI(t)
	for _, tt := range []struct {
		name   string
		nb, na time.Time
		want   string
	}{
		{"expired", time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), "the leaf (CN=primary-host) expired on 2020-01-01"},
		{"not yet valid", time.Date(2090, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2091, 1, 1, 0, 0, 0, 0, time.UTC), "the leaf (CN=primary-host) is not valid before 2090-01-01"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			leaf := testpki.New(t, testpki.Template{Subject: "primary-host", DNS: []string{"primary-host"}, NotBefore: tt.nb, NotAfter: tt.na}, p.inter)
			addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{pair(leaf, p.inter)}})
			fp := sha256Hex(leaf.Cert)
			code, out, errs := runProbeCmd(t, addr, "--servername", "primary-host", "--expect-fingerprint", fp)
			if code != 1 || !strings.Contains(out, "result: FAILED\n    - "+tt.want+"\n") || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, want 1 and %q\n%s%s", code, tt.want, out, errs)
			}
			code, out, _ = runProbeCmd(t, addr, "--servername", "primary-host", "--json")
			if code != 1 || !strings.Contains(out, `"ok": false`) || !strings.Contains(out, tt.want) {
				t.Errorf("--json: exit %d, want 1\n%s", code, out)
			}
		})
	}
}

func sha256Hex(c *x509.Certificate) string { return certs.FromX509(c).SHA256Hex() }

func TestProbeCommandSave(t *testing.T) {
	p := newProbePKI(t)
	addr := p.sniServer(t, nil)
	store := filepath.Join(p.dir, "acme-ca.p12")
	code, out, errs := runProbeCmd(t, addr, "--servername", "primary-host", "--save", store, "--password", "changeit")
	if code != 0 || !strings.Contains(out, "1 added, 0 already present") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	set, err := source.Load(store, source.Options{Password: []byte("changeit"), HavePassword: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Certs) != 1 || set.Certs[0].CommonName() != "Acme-CA-Intermediate" {
		t.Errorf("saved %d certificates", len(set.Certs))
	}
	before, _ := os.ReadFile(store)
	code, out, _ = runProbeCmd(t, addr, "--servername", "primary-host", "--save", store, "--password", "changeit")
	if code != 0 || !strings.Contains(out, "0 added, 1 already present (unchanged)") {
		t.Errorf("second save: exit %d\n%s", code, out)
	}
	code, out, _ = runProbeCmd(t, addr, "--servername", "primary-host", "--save", store, "--password", "changeit", "--json")
	var doc struct {
		Changed *bool `json:"changed"`
		Saved   struct {
			Changed bool `json:"changed"`
		} `json:"saved"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil || doc.Changed == nil || *doc.Changed || doc.Saved.Changed {
		t.Errorf("third save, --json: exit %d, %v; want \"changed\": false\n%s", code, err, out)
	}
	if after, _ := os.ReadFile(store); !bytes.Equal(before, after) {
		t.Error("saving what the store holds already rewrote it")
	}
}

// clientCertServer starts an SNI server that requires a client
// certificate from CN=Acme Client CA, and writes one such certificate and
// its key into the test directory.
func (p probePKI) clientCertServer(t *testing.T) (addr, crt, key string) {
	t.Helper()
	clientCA := testpki.Root(t, "CN=Acme Client CA")
	client := testpki.Leaf(t, "pcclient-host", clientCA)
	pool := x509.NewCertPool()
	pool.AddCert(clientCA.Cert)
	addr = p.sniServer(t, func(c *tls.Config) {
		c.ClientAuth = tls.RequireAndVerifyClientCert
		c.ClientCAs = pool
	})
	crt, key = client.Write(t, p.dir, "client")
	return addr, crt, key
}

func TestProbeCommandClientCert(t *testing.T) {
	p := newProbePKI(t)
	addr, crt, key := p.clientCertServer(t)

	code, out, _ := runProbeCmd(t, addr, "--servername", "primary-host")
	if code != 1 || !strings.Contains(out, "client certificate: requested, none sent") || !strings.Contains(out, "accepted CAs: CN=Acme Client CA") {
		t.Errorf("without a client certificate: exit %d\n%s", code, out)
	}
	code, out, errs := runProbeCmd(t, addr, "--servername", "primary-host", "--client-cert", crt, "--client-key", key)
	if code != 0 || !strings.Contains(out, "client certificate: requested, ours was accepted") {
		t.Errorf("with PEM: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = runProbeCmd(t, addr, "--client-cert", crt)
	if code != 2 || !strings.Contains(errs, "--client-key") {
		t.Errorf("PEM without its key: exit %d %s", code, errs)
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not on PATH")
	}
	pfx := filepath.Join(p.dir, "client.pfx")
	if out, err := exec.Command(openssl, "pkcs12", "-export", "-in", crt, "-inkey", key, "-out", pfx, "-passout", "pass:").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	// Seed 000's PFX has the empty password.
	code, out, errs = runProbeCmd(t, addr, "--servername", "primary-host", "--client-cert", pfx, "--password", "")
	if code != 0 || !strings.Contains(out, "ours was accepted") {
		t.Errorf("with the PFX: exit %d\n%s%s", code, out, errs)
	}
}

// TestProbeCommandClientKeyPassword: the password of an encrypted
// --client-key is --key-password* when given, else the store password
// (--password*), as the help says; a problem with the key file is named
// --client-key.
func TestProbeCommandClientKeyPassword(t *testing.T) {
	p := newProbePKI(t)
	addr, crt, key := p.clientCertServer(t)
	enc := filepath.Join(p.dir, "client-enc.key")
	if code, _, errs, _ := runKeys(t, false, nil, "key", "convert", key, "--out", enc, "--encrypt", "--key-password", "pass"); code != 0 {
		t.Fatalf("key convert: exit %d %s", code, errs)
	}
	pwFile := filepath.Join(p.dir, "pass.txt")
	if err := os.WriteFile(pwFile, []byte("pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	accepted := "client certificate: requested, ours was accepted"
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"--password", []string{"--password", "pass"}},
		{"--password-file", []string{"--password-file", pwFile}},
		{"--key-password-file", []string{"--key-password-file", pwFile}},
		{"--key-password over --password", []string{"--password", "other", "--key-password", "pass"}},
	} {
		args := append([]string{addr, "--servername", "primary-host", "--client-cert", crt, "--client-key", enc}, tc.args...)
		if code, out, errs := runProbeCmd(t, args...); code != 0 || !strings.Contains(out, accepted) {
			t.Errorf("%s: exit %d\n%s%s", tc.name, code, out, errs)
		}
	}

	// On a terminal, the store password given is the key's: no prompt.
	code, out, errs, prompts := runKeys(t, true, nil, "probe", addr, "--servername", "primary-host",
		"--client-cert", crt, "--client-key", enc, "--password", "pass")
	if code != 0 || len(prompts) != 0 || !strings.Contains(out, accepted) {
		t.Errorf("--password on a terminal: exit %d, prompts %q\n%s%s", code, prompts, out, errs)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"wrong --password", []string{"--password", "wrong"},
			`(?m)^trustctl: error: --client-key: .*client-enc.key: .*wrong key password$\n^trustctl: hint: the client key's password is the store password unless --key-password`},
		{"wrong --key-password", []string{"--password", "pass", "--key-password", "wrong"},
			`(?m)^trustctl: error: --client-key: .*client-enc.key: .*wrong key password$\n^trustctl: hint: check the password given with --key-password`},
		{"no password", nil,
			`(?m)^trustctl: error: --client-key: .*client-enc.key: .*key password needed`},
	} {
		args := append([]string{addr, "--servername", "primary-host", "--client-cert", crt, "--client-key", enc}, tc.args...)
		code, _, errs := runProbeCmd(t, args...)
		if code != 2 || !regexp.MustCompile(tc.want).MatchString(errs) {
			t.Errorf("%s: exit %d, want 2 and stderr matching %s:\n%s", tc.name, code, tc.want, errs)
		}
		if strings.Contains(errs, "--client-cert:") {
			t.Errorf("%s: a problem with the key file is named --client-cert:\n%s", tc.name, errs)
		}
	}
}

// TestProbeCommandClientCertJKSKeyPassword: a JKS --client-cert whose key
// entry has a password of its own. The store password opens the store;
// the key entry takes --key-password*, else the store password, as keytool
// does.
func TestProbeCommandClientCertJKSKeyPassword(t *testing.T) {
	p := newProbePKI(t)
	addr, crt, key := p.clientCertServer(t)
	same, own := filepath.Join(p.dir, "same.jks"), filepath.Join(p.dir, "own.jks")
	for _, ks := range []struct {
		path string
		args []string
	}{
		{same, []string{"--password", "storepw"}},
		{own, []string{"--password", "storepw", "--key-password", "keypass1"}},
	} {
		args := append([]string{"keystore", "build", "--key", key, "--cert", crt, "--partial-chain", "--out", ks.path}, ks.args...)
		if code, _, errs, _ := runKeys(t, false, nil, args...); code != 0 {
			t.Fatalf("keystore build %s: exit %d %s", ks.path, code, errs)
		}
	}
	accepted := "client certificate: requested, ours was accepted"
	for _, tc := range []struct {
		name string
		args []string
		ok   bool
		want string
	}{
		{"key entry under the store password", []string{"--client-cert", same, "--password", "storepw"}, true, ""},
		{"key entry with its own password", []string{"--client-cert", own, "--password", "storepw", "--key-password", "keypass1"}, true, ""},
		{"key password only", []string{"--client-cert", own, "--key-password", "keypass1"}, true, ""},
		{"store password is not the key's", []string{"--client-cert", own, "--password", "storepw"}, false,
			`(?m)^trustctl: error: --client-cert: .*own.jks: key entry .*: wrong key password$\n^trustctl: hint: the client key's password is the store password unless --key-password`},
		{"wrong store password", []string{"--client-cert", own, "--password", "wrong", "--key-password", "keypass1"}, false,
			`(?m)^trustctl: error: --client-cert: .*own.jks: wrong store password`},
	} {
		code, out, errs := runProbeCmd(t, append([]string{addr, "--servername", "primary-host"}, tc.args...)...)
		switch {
		case tc.ok && (code != 0 || !strings.Contains(out, accepted)):
			t.Errorf("%s: exit %d\n%s%s", tc.name, code, out, errs)
		case !tc.ok && (code != 2 || !regexp.MustCompile(tc.want).MatchString(errs)):
			t.Errorf("%s: exit %d, want 2 and stderr matching %s:\n%s", tc.name, code, tc.want, errs)
		}
	}
}

func TestProbeCommandProgressOnTerminal(t *testing.T) {
	old := progressDelay
	progressDelay = 0
	t.Cleanup(func() { progressDelay = old })
	p := newProbePKI(t)
	addr := p.sniServer(t, nil)
	var out, errb bytes.Buffer
	code := Run([]string{"trustctl", "probe", addr, addr, "--servername", "primary-host"}, &Env{Stdout: &out, Stderr: &errb, StderrTTY: true})
	if code != 0 || !strings.Contains(errb.String(), "probing") || !strings.Contains(errb.String(), "/2)") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	// --json on a terminal: no progress bar.
	errb.Reset()
	code = Run([]string{"trustctl", "probe", addr, addr, "--servername", "primary-host", "--json"}, &Env{Stdout: &out, Stderr: &errb, StderrTTY: true})
	if code != 0 || errb.String() != "" {
		t.Errorf("--json: exit %d, stderr %q", code, errb.String())
	}
	// Not a terminal: no progress line.
	code, _, errs := runProbeCmd(t, addr, addr, "--servername", "primary-host")
	if code != 0 || errs != "" {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

// TestProbeCommandClientCertJKS: a JKS keystore made by keytool from a
// PFX, as Java clients keep their client certificate.
func TestProbeCommandClientCertJKS(t *testing.T) {
	openssl, err1 := exec.LookPath("openssl")
	keytool, err2 := exec.LookPath("keytool")
	if err1 != nil || err2 != nil {
		t.Skip("openssl or keytool not on PATH")
	}
	p := newProbePKI(t)
	addr, crt, key := p.clientCertServer(t)
	pfx, jks := filepath.Join(p.dir, "client.pfx"), filepath.Join(p.dir, "client.jks")
	if out, err := exec.Command(openssl, "pkcs12", "-export", "-in", crt, "-inkey", key, "-name", "client", "-out", pfx, "-passout", "pass:changeit").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if out, err := exec.Command(keytool, "-importkeystore", "-noprompt", "-srckeystore", pfx, "-srcstoretype", "PKCS12", "-srcstorepass", "changeit",
		"-destkeystore", jks, "-deststoretype", "JKS", "-deststorepass", "changeit").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	code, out, errs := runProbeCmd(t, addr, "--servername", "primary-host", "--client-cert", jks, "--password", "changeit")
	if code != 0 || !strings.Contains(out, "ours was accepted") {
		t.Errorf("with the JKS: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = runProbeCmd(t, addr, "--servername", "primary-host", "--client-cert", jks, "--password", "wrong")
	if code != 2 || !strings.Contains(errs, "--client-cert") {
		t.Errorf("wrong password: exit %d %s", code, errs)
	}
}

// TestProbeCommandNoSNI: with --no-sni no name is asked for, so the
// fallback certificate of 127.0.0.1 passes on its fingerprint alone; a
// name is checked only when --expect-name asks for one.
func TestProbeCommandNoSNI(t *testing.T) {
	p := newProbePKI(t)
	addr := p.sniServer(t, nil)
	fp := sha256Hex(p.def.Cert)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"fingerprint only", []string{"--expect-fingerprint", fp}, 0, "expect fingerprint: ok"},
		{"name asked", []string{"--expect-fingerprint", fp, "--expect-name", "primary-host"}, 1, "expect name primary-host: FAILED"},
		{"name that matches", []string{"--expect-name", "localhost"}, 0, "expect name localhost: ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runProbeCmd(t, append([]string{addr, "--no-sni"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out, tt.want) || strings.Contains(out, "NOT valid") {
				t.Errorf("exit %d, want %d; output lacks %q?\n%s%s", code, tt.code, tt.want, out, errs)
			}
		})
	}
	code, _, errs := runProbeCmd(t, addr, "--no-sni", "--servername", "primary-host")
	if code != 2 || !strings.Contains(errs, "--expect-name") {
		t.Errorf("--no-sni with --servername: exit %d %s", code, errs)
	}
}

// TestProbeCommandSummary: a probe of several targets ends with one row
// per target, a failed one never stops the others, and --json carries
// one result per target with the leaf's subject and days left.
func TestProbeCommandSummary(t *testing.T) {
	p := newProbePKI(t)
	addr := p.sniServer(t, nil)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	targets := filepath.Join(p.dir, "targets.txt")
	os.WriteFile(targets, []byte("# fleet\n"+addr+" primary-host\n\n"+closed+" db-host\n"+addr+" gateway-host\n"), 0o644)

	code, out, errs := runProbeCmd(t, "--targets-file", targets, "--concurrency", "3")
	if code != 1 || !strings.Contains(errs, "2 of 3 targets failed") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	summary := out[strings.Index(out, "TARGET "):]
	lines := strings.Split(strings.TrimSpace(summary), "\n")
	want := []string{
		`^TARGET +RESULT +DAYS +SUBJECT +REASON$`,
		`^` + regexp.QuoteMeta(addr) + ` primary-host +ok +\d+ +CN=primary-host +$`,
		`^` + regexp.QuoteMeta(closed) + ` db-host +FAILED +- +- +connect .*connection refused$`,
		`^` + regexp.QuoteMeta(addr) + ` gateway-host +FAILED +\d+ +CN=localhost +the server presented its default certificate`,
		`^3 targets: 1 ok, 2 failed$`,
	}
	if len(lines) != len(want) {
		t.Fatalf("summary:\n%s", summary)
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(lines[i]) {
			t.Errorf("summary line %d = %q, want %s", i, lines[i], w)
		}
	}

	code, out, _ = runProbeCmd(t, "--targets-file", targets, "--json")
	var doc struct {
		Targets []struct {
			Target     string   `json:"target"`
			ServerName string   `json:"server_name"`
			OK         bool     `json:"ok"`
			Subject    string   `json:"subject"`
			DaysLeft   *int     `json:"days_left"`
			Failures   []string `json:"failures"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 || len(doc.Targets) != 3 {
		t.Fatalf("exit %d %v\n%s", code, err, out)
	}
	if d := doc.Targets[0]; !d.OK || d.Subject != "CN=primary-host" || d.DaysLeft == nil || *d.DaysLeft < 1 {
		t.Errorf("first: %+v", d)
	}
	if d := doc.Targets[1]; d.OK || d.DaysLeft != nil || len(d.Failures) != 1 || d.ServerName != "db-host" {
		t.Errorf("second: %+v", d)
	}
}

// TestProbeREADMEPostgres runs the README's PostgreSQL mutual-TLS recipe,
// its files made by trustctl exactly as the README says, against a real
// PostgreSQL that requires client certificates from that CA. The
// README's probe line names the server's host; here the server is on
// 127.0.0.1, so the same name goes in --servername.
func TestProbeREADMEPostgres(t *testing.T) {
	dir := t.TempDir()
	f := func(name string) string { return filepath.Join(dir, name) }
	must := func(args ...string) {
		t.Helper()
		var out, errb bytes.Buffer
		if code := Run(append([]string{"trustctl"}, args...), &Env{Stdout: &out, Stderr: &errb}); code != 0 {
			t.Fatalf("trustctl %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
		}
	}
	must("ca", "init", f("ca"), "--subject", "/CN=corp-db-root")
	must("export", f("ca/ca.crt"), "--out", f("root.crt"))
	must("csr", "--new-key", "rsa2048", "--key", f("server.key"), "--subject", "/CN=postgresql.corp.domain.com",
		"--san", "dns:postgresql.corp.domain.com", "--out", f("server.csr"))
	must("ca", "sign", f("ca"), f("server.csr"), "--profile", "server", "--out", f("server.crt"))
	must("csr", "--new-key", "rsa2048", "--key", f("client.key"), "--subject", "/CN=db_user", "--out", f("client.csr"))
	must("ca", "sign", f("ca"), f("client.csr"), "--profile", "client", "--out", f("client.crt"))
	must("keystore", "build", "--key", f("client.key"), "--cert", f("client.crt"), "--chain", f("root.crt"),
		"--out", f("client.pfx"), "--password", "")
	pg := testpki.StartPostgres(t, f("server.crt"), f("server.key"), f("root.crt"))

	code, out, errs := runProbeCmd(t, pg.Addr, "--servername", "postgresql.corp.domain.com", "--starttls", "postgres",
		"--client-cert", f("client.pfx"), "--password", "", "--roots", f("root.crt"))
	if code != 0 || !strings.Contains(out, "client certificate: requested, ours was accepted") || !strings.Contains(out, "accepted CAs: CN=corp-db-root") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
}
