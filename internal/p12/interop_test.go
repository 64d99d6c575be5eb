package p12

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

// These tests check the package against the real tools: keytool (JDK 17)
// lists what Encode writes, OpenSSL 3 reads it, and Decode reads what both
// write. They skip when a tool is not on PATH.

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not on PATH", name)
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	if name == "keytool" {
		// A client JIT and serial GC halve the JVM's start-up on a busy
		// two-core machine; keytool does little work after it.
		args = append([]string{"-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"}, args...)
	}
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// keytoolView is what a user reads from keytool -list -v, one line per
// alias: "alias EntryType chain-length fingerprints...".
func keytoolView(out string) []string {
	var view []string
	for _, block := range strings.Split(out, "Alias name: ")[1:] {
		alias, _, _ := strings.Cut(block, "\n")
		typ := regexp.MustCompile(`Entry type: (\S+)`).FindStringSubmatch(block)
		s := alias
		if typ != nil {
			s += " " + typ[1]
		}
		if m := regexp.MustCompile(`Certificate chain length: (\d+)`).FindStringSubmatch(block); m != nil {
			s += " " + m[1]
		}
		for _, m := range regexp.MustCompile(`SHA256: ([0-9A-F:]+)`).FindAllStringSubmatch(block, -1) {
			s += " " + m[1]
		}
		view = append(view, s)
	}
	sort.Strings(view)
	return view
}

func wantKeytoolView(f *File) []string {
	var view []string
	for _, e := range f.Entries {
		s := e.Alias
		if e.Key != nil {
			s += fmt.Sprintf(" PrivateKeyEntry %d", len(e.Certs))
		} else {
			s += " trustedCertEntry"
		}
		for _, c := range e.Certs {
			s += " " + fingerprint(c)
		}
		view = append(view, s)
	}
	sort.Strings(view)
	return view
}

func TestKeytoolListsWhatWeWrite(t *testing.T) {
	needTool(t, "keytool")
	f := sampleFile(t)
	for _, enc := range []Encryption{Modern, Legacy, None} {
		t.Run(enc.String(), func(t *testing.T) {
			t.Parallel()
			der, err := Encode(f, []byte("changeit"), enc)
			if err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, t.TempDir(), "store.p12", der)
			out := run(t, "keytool", "-list", "-v", "-storetype", "PKCS12", "-keystore", path, "-storepass", "changeit")
			if d := diffLines(wantKeytoolView(f), keytoolView(out)); d != "" {
				t.Errorf("keytool -list -v:\n%s\n%s", d, out)
			}
			// -importkeystore decrypts every key to re-encrypt it, which
			// proves Java can use them; the copy is a keytool-written
			// store with several keys and chains for Decode to read back.
			copyPath := filepath.Join(filepath.Dir(path), "copy.p12")
			run(t, "keytool", "-importkeystore", "-noprompt", "-srcstoretype", "PKCS12", "-srckeystore", path, "-srcstorepass", "changeit",
				"-deststoretype", "PKCS12", "-destkeystore", copyPath, "-deststorepass", "changeit")
			der, err = os.ReadFile(copyPath)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Decode(der, []byte("changeit"))
			if err != nil {
				t.Fatal(err)
			}
			want, got := summary(f), summary(back)
			sort.Strings(want)
			sort.Strings(got)
			if d := diffLines(want, got); d != "" {
				t.Errorf("keytool's copy:\n%s", d)
			}
			for _, e := range back.Entries {
				if e.Key == nil {
					continue
				}
				k, err := x509.ParsePKCS8PrivateKey(e.Key)
				if err != nil {
					t.Fatalf("key %q: %v", e.Alias, err)
				}
				cert, _ := x509.ParseCertificate(e.Certs[0])
				if !k.(crypto.Signer).Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(cert.PublicKey) {
					t.Errorf("key %q does not match its certificate", e.Alias)
				}
			}
		})
	}
}

func TestOpenSSLReadsWhatWeWrite(t *testing.T) {
	needTool(t, "openssl")
	f := sampleFile(t)
	for _, tc := range []struct {
		enc      Encryption
		password string
		mac      string
	}{
		{Modern, "changeit", "MAC: sha256, Iteration 10000"},
		// OpenSSL 3 reads 3DES with its default provider; only RC2 needs
		// -legacy.
		{Legacy, "changeit", "MAC: sha1, Iteration 2048"},
		{None, "changeit", ""},
		{Modern, "", "MAC: sha256, Iteration 10000"},
		{Legacy, "", "MAC: sha1, Iteration 2048"},
		// Keys as plain keyBags.
		{None, "", ""},
	} {
		t.Run(fmt.Sprintf("%v/%q", tc.enc, tc.password), func(t *testing.T) {
			t.Parallel()
			der, err := Encode(f, []byte(tc.password), tc.enc)
			if err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, t.TempDir(), "store.p12", der)
			out := run(t, "openssl", "pkcs12", "-info", "-nodes", "-in", path, "-passin", "pass:"+tc.password)
			if tc.mac != "" && !strings.Contains(out, tc.mac) {
				t.Errorf("want %q in:\n%s", tc.mac, out)
			}
			if n := strings.Count(out, "-----BEGIN PRIVATE KEY-----"); n != 2 {
				t.Errorf("%d private keys, want 2:\n%s", n, out)
			}
			// root and the intermediate are written once: 2 trusted + 2
			// leaves + intermediate + root.
			if n := strings.Count(out, "-----BEGIN CERTIFICATE-----"); n != 6 {
				t.Errorf("%d certificates, want 6:\n%s", n, out)
			}
			for _, s := range []string{"friendlyName: server", "friendlyName: api", "friendlyName: root",
				"subject=CN = www.example.com", "subject=C = US, O = Acme Corp, CN = P12 Test Root"} {
				if !strings.Contains(out, s) {
					t.Errorf("want %q in:\n%s", s, out)
				}
			}
			// OpenSSL prints the trusted attribute as a bag attribute.
			if !strings.Contains(out, "2.16.840.1.113894.746875.1.1: <Unsupported tag 6>") &&
				!strings.Contains(out, "Trusted key usage (Oracle): Any Extended Key Usage") {
				t.Errorf("trusted attribute not shown:\n%s", out)
			}
		})
	}
}

// TestReadKeytoolStores reads stores keytool makes: a key pair and a
// trusted certificate in one store, and the JDK 18+ password-less form.
func TestReadKeytoolStores(t *testing.T) {
	needTool(t, "keytool")
	p := testPKI(t)
	rootPath, _ := p.root.Write(t, t.TempDir(), "root")
	noProtection := []string{"-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE", "-J-Dkeystore.pkcs12.macAlgorithm=NONE"}
	genkey := func(path string, extra ...string) {
		run(t, "keytool", append(extra, "-genkeypair", "-storetype", "PKCS12", "-keystore", path, "-storepass", "changeit",
			"-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=server,O=Acme", "-validity", "30")...)
	}
	importRoot := func(path string, extra ...string) {
		run(t, "keytool", append(extra, "-importcert", "-noprompt", "-storetype", "PKCS12", "-keystore", path,
			"-storepass", "changeit", "-alias", "Acme Root", "-file", rootPath)...)
	}
	checkKey := func(t *testing.T, e Entry) {
		t.Helper()
		if e.Alias != "server" || e.Key == nil || len(e.Certs) != 1 {
			t.Fatalf("key entry = %q key=%v certs=%d", e.Alias, e.Key != nil, len(e.Certs))
		}
		if err := checkSequence(e.Key); err != nil {
			t.Errorf("key is not DER: %v", err)
		}
	}
	checkRoot := func(t *testing.T, e Entry) {
		t.Helper()
		// JDK 17's PKCS12KeyStore keeps the alias case (JKS lower-cases).
		if e.Alias != "Acme Root" || !e.Trusted || len(e.Certs) != 1 || !bytes.Equal(e.Certs[0], p.root.Cert.Raw) {
			t.Errorf("trusted entry = %q trusted=%v certs=%d", e.Alias, e.Trusted, len(e.Certs))
		}
	}
	dir := t.TempDir()
	t.Run("key and trusted", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(dir, "ks.p12")
		genkey(path)
		importRoot(path)
		der, _ := os.ReadFile(path)
		f, err := Decode(der, []byte("changeit"))
		if err != nil {
			t.Fatal(err)
		}
		if f.Encryption != Modern || len(f.Entries) != 2 {
			t.Fatalf("encryption %v, %d entries", f.Encryption, len(f.Entries))
		}
		byAlias := map[string]Entry{}
		for _, e := range f.Entries {
			byAlias[e.Alias] = e
		}
		checkKey(t, byAlias["server"])
		checkRoot(t, byAlias["Acme Root"])
		if _, err := Decode(der, []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("wrong password: err = %v, want ErrWrongPassword", err)
		}
	})
	t.Run("password-less truststore", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(dir, "trust.p12")
		importRoot(path, noProtection...)
		der, _ := os.ReadFile(path)
		for _, pw := range []string{"", "changeit", "anything"} {
			f, err := Decode(der, []byte(pw))
			if err != nil {
				t.Fatalf("password %q: %v", pw, err)
			}
			if f.Encryption != None || len(f.Entries) != 1 {
				t.Fatalf("encryption %v, %d entries", f.Encryption, len(f.Entries))
			}
			checkRoot(t, f.Entries[0])
		}
	})
	t.Run("password-less with key", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(dir, "nomac.p12")
		genkey(path, noProtection...)
		der, _ := os.ReadFile(path)
		f, err := Decode(der, []byte("changeit"))
		if err != nil {
			t.Fatal(err)
		}
		if f.Encryption != None || len(f.Entries) != 1 {
			t.Fatalf("encryption %v, %d entries", f.Encryption, len(f.Entries))
		}
		checkKey(t, f.Entries[0])
		// Without a MAC the key's decryption is the only password check.
		if _, err := Decode(der, []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("wrong password: err = %v, want ErrWrongPassword", err)
		}
	})
}

// TestReadOpenSSLStores reads what "openssl pkcs12 -export" writes with its
// different profiles, a key with its CA chain from -certfile.
func TestReadOpenSSLStores(t *testing.T) {
	needTool(t, "openssl")
	p := testPKI(t)
	dir := t.TempDir()
	leafPath, keyPath := p.leaf.Write(t, dir, "leaf")
	// Chain in the "wrong" order on purpose: Decode orders by issuer.
	chainPath := writeFile(t, dir, "chain.pem", testpki.Bundle(p.root, p.inter))
	bundlePath := writeFile(t, dir, "bundle.pem", testpki.Bundle(p.root, p.root2))
	keyChain := [][]byte{p.leaf.Cert.Raw, p.inter.Cert.Raw, p.root.Cert.Raw}
	tests := []struct {
		name     string
		args     []string
		password string
		enc      Encryption
		keyless  bool
	}{
		{"default", nil, "changeit", Modern, false},
		{"legacy rc2-40", []string{"-legacy"}, "changeit", Legacy, false},
		{"legacy rc2-128 sha1 mac", []string{"-legacy", "-certpbe", "PBE-SHA1-RC2-128", "-keypbe", "PBE-SHA1-3DES"}, "changeit", Legacy, false},
		{"aes-128 sha512 mac", []string{"-certpbe", "AES-128-CBC", "-keypbe", "AES-192-CBC", "-macalg", "sha512"}, "changeit", Modern, false},
		{"sha384 mac", []string{"-macalg", "sha384", "-iter", "1000"}, "pässwörd", Modern, false},
		{"empty password", nil, "", Modern, false},
		{"empty password legacy", []string{"-legacy"}, "", Legacy, false},
		{"no mac no encryption", []string{"-nomac", "-certpbe", "NONE", "-keypbe", "NONE"}, "", None, false},
		{"certificates only", []string{"-nokeys"}, "changeit", Modern, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store.p12")
			args := []string{"pkcs12", "-export", "-out", path, "-passout", "pass:" + tc.password}
			if tc.keyless {
				args = append(args, "-in", bundlePath)
			} else {
				args = append(args, "-in", leafPath, "-inkey", keyPath, "-certfile", chainPath, "-name", "server")
			}
			run(t, "openssl", append(args, tc.args...)...)
			der, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			pws := [][]byte{[]byte(tc.password)}
			if tc.password == "" {
				pws = append(pws, nil)
			}
			for _, pw := range pws {
				f, err := Decode(der, pw)
				if err != nil {
					t.Fatalf("password %q: %v", pw, err)
				}
				if f.Encryption != tc.enc {
					t.Errorf("Encryption = %v, want %v", f.Encryption, tc.enc)
				}
				if tc.keyless {
					want := []string{" cert " + short(p.root.Cert.Raw), " cert " + short(p.root2.Cert.Raw)}
					if d := diffLines(want, summary(f)); d != "" {
						t.Errorf("entries:\n%s", d)
					}
					continue
				}
				want := summary(&File{Entries: []Entry{{Alias: "server", Key: []byte{0}, Certs: keyChain}}})
				if d := diffLines(want, summary(f)); d != "" {
					t.Errorf("entries:\n%s", d)
				}
				if err := checkSequence(f.Entries[0].Key); err != nil {
					t.Errorf("key: %v", err)
				}
			}
			if tc.enc != None {
				if _, err := Decode(der, []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
					t.Errorf("wrong password: err = %v, want ErrWrongPassword", err)
				}
			}
		})
	}
}

func short(der []byte) string {
	sum := sha256.Sum256(der)
	return fmt.Sprintf("%x", sum[:4])
}

// TestReadKeyEncryptions wraps keys that "openssl pkcs8 -topk8" encrypts
// with each PBES1 and PBES2 variant in a shrouded key bag, covering the
// algorithms "openssl pkcs12" cannot be asked for (PBKDF2 with
// HMAC-SHA-1/512, 2-key 3DES, PBES2 with 3DES).
func TestReadKeyEncryptions(t *testing.T) {
	needTool(t, "openssl")
	p := testPKI(t)
	dir := t.TempDir()
	_, keyPath := p.leaf.Write(t, dir, "leaf")
	legacy := []string{"-provider", "legacy", "-provider", "default"}
	tests := map[string][]string{
		"pbes2 aes-256 hmac-sha1":   {"-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA1"},
		"pbes2 aes-128 hmac-sha512": {"-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA512"},
		"pbes2 aes-192 hmac-sha384": {"-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA384"},
		"pbes2 3des":                {"-v2", "des3"},
		"pbes1 3des":                {"-v1", "PBE-SHA1-3DES"},
		"pbes1 2des":                {"-v1", "PBE-SHA1-2DES"},
		"pbes1 rc2-128":             append([]string{"-v1", "PBE-SHA1-RC2-128"}, legacy...),
		"pbes1 rc2-40":              append([]string{"-v1", "PBE-SHA1-RC2-40"}, legacy...),
	}
	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "key.der")
			run(t, "openssl", append([]string{"pkcs8", "-topk8", "-in", keyPath, "-outform", "DER", "-out", out, "-passout", "pass:pässwörd"}, args...)...)
			epki, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			attrs := bagAttributes("server", []byte("id"), false)
			cb, _ := newCertBag(p.leaf.Cert.Raw, attrs)
			sc, _ := encodeSafeContents([]safeBag{cb, {ID: oidPKCS8ShroudedKeyBag, Value: explicit0(epki), Attributes: attrs}})
			authSafe, _ := marshal([]contentInfo{dataContent(sc)})
			der, _ := marshal(pfxPDU{Version: 3, AuthSafe: dataContent(authSafe)})
			f, err := Decode(der, []byte("pässwörd"))
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Entries) != 1 || !bytes.Equal(f.Entries[0].Key, pkcs8(t, p.leaf)) {
				t.Fatalf("got %v", summary(f))
			}
			if _, err := Decode(der, []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong password: err = %v, want ErrWrongPassword", err)
			}
		})
	}
}
