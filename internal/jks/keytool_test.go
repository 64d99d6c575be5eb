package jks

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skip(name + " not on PATH")
	}
}

// jvmFlags make keytool start in about half the time: tests run short-lived
// JVMs on a shared machine.
var jvmFlags = []string{"-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-XX:-UsePerfData"}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if name == "keytool" {
		args = append(slices.Clone(jvmFlags), args...)
	}
	cmd := exec.Command(name, args...)
	// Java decodes its arguments with the locale's charset.
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// TestKeytoolListsEncoded has keytool list what Encode wrote: entry kinds,
// chain lengths and fingerprints, with a key password of its own on one key.
// The store password is not ASCII and has a character outside the BMP: the
// JDK hashes it as UTF-16BE Java chars, which is what Encode must do too.
func TestKeytoolListsEncoded(t *testing.T) {
	needTool(t, "keytool")
	f, _ := newStore(t, 2, true)
	storePass := "pässwörd-€-𝄞"
	out, err := Encode(f, []byte(storePass), func(a string) []byte {
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
	list := runTool(t, "keytool", "-list", "-v", "-storetype", "JKS", "-keystore", path, "-storepass", storePass)
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
		"-srcstorepass", storePass, "-srcalias", "server", "-srckeypass", "keypass",
		"-destkeystore", p12, "-deststoretype", "PKCS12", "-deststorepass", "changeit")
}
