package jks

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skip(name + " not on PATH")
	}
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// TestKeytoolListsEncoded has keytool list what Encode wrote: entry kinds,
// chain lengths and fingerprints, with a key password of its own on one key.
func TestKeytoolListsEncoded(t *testing.T) {
	needTool(t, "keytool")
	f, _ := newStore(t, 2, true)
	out, err := Encode(f, changeit, func(a string) []byte {
		if a == "server" {
			return []byte("keypass")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out.jks")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	list := runTool(t, "keytool", "-list", "-v", "-storetype", "JKS", "-keystore", path, "-storepass", "changeit")
	if !strings.Contains(list, "Your keystore contains 3 entries") {
		t.Fatalf("keytool -list:\n%s", list)
	}
	// keytool -list -v prints one block per entry, separated by lines of stars.
	blocks := map[string]string{}
	for _, blk := range strings.Split(list, "*******************************************") {
		if m := regexp.MustCompile(`(?m)^Alias name: (.*)$`).FindStringSubmatch(blk); m != nil {
			blocks[m[1]] = blk
		}
	}
	for _, e := range f.Entries {
		alias := strings.ToLower(e.Alias)
		blk, ok := blocks[alias]
		if !ok {
			t.Errorf("keytool does not list %q", alias)
			continue
		}
		kind := "trustedCertEntry"
		if !e.Trusted {
			kind = "PrivateKeyEntry"
			if !strings.Contains(blk, "Certificate chain length: 2") {
				t.Errorf("%s: chain length not 2:\n%s", alias, blk)
			}
		}
		if !strings.Contains(blk, "Entry type: "+kind) {
			t.Errorf("%s: not a %s:\n%s", alias, kind, blk)
		}
		for _, c := range e.Certs {
			if !strings.Contains(blk, "SHA256: "+fingerprint(c)) {
				t.Errorf("%s: fingerprint %s not listed", alias, fingerprint(c))
			}
		}
	}

	// keytool recovers the key with its key password: exporting the entry to
	// PKCS #12 needs the private key.
	p12 := filepath.Join(t.TempDir(), "out.p12")
	runTool(t, "keytool", "-importkeystore", "-noprompt", "-srckeystore", path, "-srcstoretype", "JKS",
		"-srcstorepass", "changeit", "-srcalias", "server", "-srckeypass", "keypass",
		"-destkeystore", p12, "-deststoretype", "PKCS12", "-deststorepass", "changeit")
}

// TestKeytoolNonASCIIPassword: the JDK hashes the password as UTF-16BE Java
// chars, so a non-ASCII password (with a surrogate pair) must open in keytool.
func TestKeytoolNonASCIIPassword(t *testing.T) {
	needTool(t, "keytool")
	f, _ := newStore(t, 1, false)
	pw := "pässwörd-€-𝄞"
	out, err := Encode(f, []byte(pw), nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "na.jks")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("keytool", "-list", "-storetype", "JKS", "-keystore", path, "-storepass", pw)
	// Java decodes its arguments with the locale's charset.
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	b, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(b), "trustedCertEntry") {
		t.Fatalf("keytool -list: %v\n%s", err, b)
	}
}
