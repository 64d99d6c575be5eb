package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/store"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestWriteThroughSymlinkKeepsMode: the JDK's cacerts is often a symlink
// into a file the OS manages; an import rewrites the target, keeps the link
// and the target's mode.
func TestWriteThroughSymlinkKeepsMode(t *testing.T) {
	dir := t.TempDir()
	r1, _ := testpki.Root(t, "Root One").Write(t, dir, "one")
	r2, _ := testpki.Root(t, "Root Two").Write(t, dir, "two")
	os.Mkdir(filepath.Join(dir, "etc"), 0o755)
	real := filepath.Join(dir, "etc", "cacerts")
	mustRun(t, "import", real, r1, "--type", "jks", "--password", "changeit")
	if err := os.Chmod(real, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "cacerts")
	if err := os.Symlink("etc/cacerts", link); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "import", link, r2, "--password", "changeit")
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced by a file")
	}
	fi, _ = os.Stat(real)
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("target mode %v, want 0640 kept", fi.Mode().Perm())
	}
	if n := countEntries(t, real, "changeit"); n != 2 {
		t.Errorf("target has %d entries, want 2", n)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "etc", ".cacerts.tmp*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

// TestPasswordlessStaysPasswordless: a password-less PKCS#12 (the JDK 18+
// cacerts form) is written back password-less, and a new keystore with a
// private key is created 0600.
func TestPasswordlessStaysPasswordless(t *testing.T) {
	dir := t.TempDir()
	r1, _ := testpki.Root(t, "Root One").Write(t, dir, "one")
	r2, _ := testpki.Root(t, "Root Two").Write(t, dir, "two")
	p := filepath.Join(dir, "cacerts.p12")
	st := store.New(store.FormatPKCS12)
	st.Protection = store.Passwordless
	data, err := st.Encode(store.EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, data, 0o644)
	mustRun(t, "import", p, r1)
	mustRun(t, "import", p, r2)
	back, err := store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if back.Protection != store.Passwordless || len(back.Entries) != 2 {
		t.Errorf("after imports: %v with %d entries, want password-less with 2", back.Protection, len(back.Entries))
	}

	leaf := testpki.Leaf(t, "svc.example.com", testpki.Root(t, "CA"), "svc.example.com")
	certPath, keyPath := leaf.Write(t, dir, "svc")
	ks := filepath.Join(dir, "svc.pfx")
	mustRun(t, "keystore", "build", "--key", keyPath, "--cert", certPath, "--out", ks, "--password", "pw", "--partial-chain")
	fi, _ := os.Stat(ks)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("new keystore mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestJCEKSIsNeverWritten: a JCEKS store (made by keytool) is read, and
// every command that would write it refuses, pointing to convert, leaving
// it byte-identical.
func TestJCEKSIsNeverWritten(t *testing.T) {
	data, err := os.ReadFile("../../internal/jks/testdata/store.jceks")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "store.jceks")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r, _ := testpki.Root(t, "Root One").Write(t, dir, "one")
	mustRun(t, "list", p, "--password", "changeit")
	for _, args := range [][]string{
		{"import", p, r},
		{"sync", p, r},
		{"delete", p, "root"},
		{"rename", p, "root", "other"},
		{"passwd", p, "--new-password", "x"},
	} {
		_, errs, code := run(t, append(args, "--password", "changeit")...)
		if code != 2 || !strings.Contains(errs, "a JCEKS store, which trustctl reads but does not write") || !strings.Contains(errs, "hint: convert it") {
			t.Errorf("%s: exit %d\n%s", args[0], code, errs)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
			t.Fatalf("%s rewrote the JCEKS store", args[0])
		}
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 3 {
		t.Errorf("the directory holds %d files, want the store and the root's two", len(names))
	}
}
