package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// entries lists dir, to check that no temporary file is left behind.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestWriteReplacesKeepingMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "store.jks")
	if err := os.WriteFile(p, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o640); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), Options{Perm: 0o600}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "new" {
		t.Fatalf("content %q, %v; want new", got, err)
	}
	if fi, _ := os.Stat(p); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v; want the old file's 0640", fi.Mode().Perm())
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q; want only store.jks", names)
	}
}

func TestWriteNewFileMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "leaf.key")
	if err := Write(p, []byte("key"), Options{Perm: 0o600, NoOverwrite: true}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(p); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("stat: %v, %v; want mode 0600", fi, err)
	}
}

func TestWriteNoOverwriteKeepsTarget(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.pfx")
	if err := os.WriteFile(p, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Write(p, []byte("new"), Options{Perm: 0o600, NoOverwrite: true})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("Write over an existing file with NoOverwrite: %v; want ErrExists", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "precious" {
		t.Errorf("target now holds %q", got)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q; want only out.pfx", names)
	}
}

// TestNoOverwriteLosesTheRace: a file that appears at the target between
// the temporary file's writing and its move into place is kept, the write
// fails with ErrExists and only the new file's temporary name is gone;
// a write that wins leaves only the target. Both ways of putting a file
// in place without replacing: the one-call rename and the link fallback.
func TestNoOverwriteLosesTheRace(t *testing.T) {
	for name, place := range map[string]func(oldpath, newpath string) error{
		"rename": renameNoReplace,
		"link":   linkNoReplace,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "leaf.key")
			st, err := stage(p, []byte("ours"), Options{Perm: 0o600, NoOverwrite: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("theirs"), 0o600); err != nil {
				t.Fatal(err)
			}
			err = place(st.tmp, st.real)
			if !errors.Is(err, os.ErrExist) {
				t.Fatalf("placing over a file that appeared meanwhile: %v; want it to exist", err)
			}
			st.discard()
			if got, _ := os.ReadFile(p); string(got) != "theirs" {
				t.Errorf("target now holds %q; want theirs", got)
			}
			if names := entries(t, dir); len(names) != 1 {
				t.Errorf("directory holds %q; want only leaf.key", names)
			}

			q := filepath.Join(dir, "other.key")
			st, err = stage(q, []byte("ours"), Options{Perm: 0o600, NoOverwrite: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := place(st.tmp, st.real); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(q); string(got) != "ours" {
				t.Errorf("other.key holds %q; want ours", got)
			}
			if names := entries(t, dir); len(names) != 2 {
				t.Errorf("directory holds %q; want leaf.key and other.key", names)
			}
		})
	}
}

func TestWriteThroughSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "cacerts.real")
	link := filepath.Join(dir, "cacerts")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("cacerts.real", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("new"), Options{}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a file: %v, %v", fi, err)
	}
	if got, _ := os.ReadFile(real); string(got) != "new" {
		t.Errorf("link target holds %q; want new", got)
	}
}

func TestWriteIntoMissingDirectory(t *testing.T) {
	p := filepath.Join(t.TempDir(), "no", "such", "dir", "out.jks")
	if err := Write(p, []byte("x"), Options{}); err == nil {
		t.Fatal("Write into a missing directory succeeded")
	}
}

// TestLocksSerialize: a second lock of the same file, or of the same
// directory, waits until the first is released.
func TestLocksSerialize(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		lock func() (func(), error)
	}{
		{"Lock", func() (func(), error) { return Lock(filepath.Join(dir, "store.jks")) }},
		{"LockDir", func() (func(), error) { return LockDir(dir) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unlock, err := tc.lock()
			if err != nil {
				t.Fatal(err)
			}
			acquired := make(chan func())
			go func() {
				u, err := tc.lock()
				if err != nil {
					t.Error(err)
					u = func() {}
				}
				acquired <- u
			}()
			select {
			case u := <-acquired:
				u()
				t.Fatal("a second lock was granted while the first was held")
			case <-time.After(200 * time.Millisecond):
			}
			unlock()
			select {
			case u := <-acquired:
				u()
			case <-time.After(10 * time.Second):
				t.Fatal("the second lock was not granted after the first was released")
			}
		})
	}
}

// TestLockDirLeavesNoFile: on Unix the directory lock makes no file at
// all; on Windows its lock file is gone once it is released.
func TestLockDirLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	unlock, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if names := entries(t, dir); runtime.GOOS != "windows" && len(names) != 0 {
		t.Errorf("while locked the directory holds %q; want nothing", names)
	}
	unlock()
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("after unlock the directory holds %q; want nothing", names)
	}
	if _, err := LockDir(filepath.Join(dir, "absent")); err == nil {
		t.Error("LockDir of a missing directory succeeded")
	}
}

// TestTempTarget: the names Write gives its temporary files (and earlier
// versions gave them) are recognised, with the file they are for.
func TestTempTarget(t *testing.T) {
	for name, want := range map[string]string{
		".store.jks.tmp-123-456": "store.jks",
		".index.json.tmp42":      "index.json",
		"..ca.key.new.tmp-1-2":   ".ca.key.new",
		".a.tmp.pem.tmp-9-9":     "a.tmp.pem",
		".cacerts.tmp":           "cacerts",
		"store.jks.tmp-1-1":      "", // not hidden: not ours
		".store.jks.lock":        "",
		".template.tmpl":         "",
		".tmp-1-2":               "",
		"plain.pem":              "",
	} {
		got, ok := TempTarget(name)
		if got != want || ok != (want != "") {
			t.Errorf("TempTarget(%q) = %q, %v; want %q", name, got, ok, want)
		}
		if want != "" && !IsTempOf(name, want) {
			t.Errorf("IsTempOf(%q, %q) is false", name, want)
		}
	}
	if IsTempOf(".store.jks.tmp-1-2", "store.p12") {
		t.Error("a temporary file of store.jks counts as one of store.p12")
	}
}

func TestLockLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "store.jks")
	for i := 0; i < 2; i++ {
		unlock, err := Lock(p)
		if err != nil {
			t.Fatal(err)
		}
		if names := entries(t, dir); len(names) != 1 || names[0] != ".store.jks.lock" {
			t.Errorf("while locked the directory holds %q; want the lock file", names)
		}
		unlock()
		if names := entries(t, dir); len(names) != 0 {
			t.Errorf("after unlock the directory holds %q; want nothing", names)
		}
	}
}

// TestLockTakesOverStaleLockFile: a lock file a killed run left is taken
// and removed by the next writer.
func TestLockTakesOverStaleLockFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "store.p12")
	if err := os.WriteFile(filepath.Join(dir, ".store.p12.lock"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	unlock, err := Lock(p)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("the stale lock file is still there: %q", names)
	}
}

func TestLockInMissingDirectory(t *testing.T) {
	p := filepath.Join(t.TempDir(), "no", "store.jks")
	if _, err := Lock(p); err == nil || !strings.HasPrefix(err.Error(), "cannot write in ") {
		t.Fatalf("Lock in a missing directory: %v; want cannot write in ...", err)
	}
}

func TestWriteNoFollowRefusesSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("precious"), 0o644)
	link := filepath.Join(dir, "out.pem")
	os.Symlink(victim, link)
	err := Write(link, []byte("new"), Options{NoFollow: true})
	if !errors.Is(err, ErrSymlink) {
		t.Fatalf("Write through a planted link: %v; want ErrSymlink", err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "precious" {
		t.Errorf("the link's target now holds %q", got)
	}
}

// TestWriteFilesChecksAllFirst: files that already hold their data are
// left alone; one that holds something else stops the whole set before
// anything is written, unless overwriting is allowed.
func TestWriteFilesChecksAllFirst(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.pem"), filepath.Join(dir, "b.pem"), filepath.Join(dir, "c.pem")
	os.WriteFile(a, []byte("A"), 0o644)
	os.WriteFile(c, []byte("old C"), 0o644)
	files := []File{{Path: a, Data: []byte("A"), Perm: 0o644}, {Path: b, Data: []byte("B"), Perm: 0o644}, {Path: c, Data: []byte("C"), Perm: 0o644}}
	if _, err := WriteFiles(files, Options{NoOverwrite: true}); !errors.Is(err, ErrExists) {
		t.Fatalf("c.pem holds other data: %v; want ErrExists", err)
	}
	if names := entries(t, dir); len(names) != 2 {
		t.Fatalf("a refused set wrote files: %q", names)
	}
	written, err := WriteFiles(files, Options{})
	if err != nil || strings.Join(written, " ") != b+" "+c {
		t.Fatalf("written %q, %v; want b.pem and c.pem only", written, err)
	}
	if written, err := WriteFiles(files, Options{NoOverwrite: true}); err != nil || len(written) != 0 {
		t.Errorf("the same set again: written %q, %v; want nothing", written, err)
	}
}

func TestNameStaysInItsDirectory(t *testing.T) {
	for in, want := range map[string]string{"../../escape": "_.._escape", ".hidden": "hidden", "": "cert", "acme root/ca": "acme_root_ca"} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}
