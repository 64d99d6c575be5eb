//go:build unix

package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/trustctl/trustctl/internal/interrupt/stoptest"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestStaleTemporaryFilesAreRemoved: the next write to a target removes
// the temporary files of dead writers of that target, and only those.
func TestStaleTemporaryFilesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "store.jks")
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true(1) to make a dead process ID")
	}
	pid := dead.ProcessState.Pid()
	for _, n := range []string{
		fmt.Sprintf(".store.jks.tmp-%d-123", pid),       // stale: removed
		fmt.Sprintf(".store.jks.tmp-%d-9", os.Getpid()), // a live writer's: kept
		fmt.Sprintf(".other.jks.tmp-%d-123", pid),       // another target's: kept
		"store.jks.tmp-1-1",                             // not ours: kept
	} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(p, []byte("new"), Options{}); err != nil {
		t.Fatal(err)
	}
	got := entries(t, dir)
	want := []string{
		fmt.Sprintf(".other.jks.tmp-%d-123", pid),
		fmt.Sprintf(".store.jks.tmp-%d-9", os.Getpid()),
		"store.jks",
		"store.jks.tmp-1-1",
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("directory holds %q, want %q", got, want)
	}
}

// TestReadRefusesWhatIsNotAFile: a FIFO, a device, a directory and a file
// over the limit are refused without reading (a FIFO without a writer
// would block for ever, /dev/zero never ends).
func TestReadRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(MaxSize + 1) // sparse: no disk used
	f.Close()
	dangling := filepath.Join(dir, "dangling")
	os.Symlink(filepath.Join(dir, "nothing"), dangling)
	loop := filepath.Join(dir, "loop")
	os.Symlink(loop, loop)
	for _, tc := range []struct {
		path string
		want error
		text string
	}{
		{fifo, ErrNotRegular, "a named pipe (FIFO)"},
		{"/dev/zero", ErrNotRegular, "a character device"},
		{dir, ErrNotRegular, "a directory"},
		{big, ErrTooLarge, "larger than 256 MiB"},
		{dangling, fs.ErrNotExist, "a symbolic link to " + filepath.Join(dir, "nothing") + ", which does not exist"},
		{loop, syscall.ELOOP, "too many levels of symbolic links"},
		{filepath.Join(dir, "absent"), fs.ErrNotExist, "absent: no such file or directory"},
	} {
		_, err := Read(tc.path, MaxSize)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("Read(%s) = %v; want %v saying %q", tc.path, err, tc.want, tc.text)
		}
		if err != nil && strings.Contains(err.Error(), "stat ") {
			t.Errorf("Read(%s): %q names the system call", tc.path, err)
		}
	}
	if _, err := ReadAll(strings.NewReader("12345"), 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadAll over the limit: %v", err)
	}
	if b, err := ReadAll(strings.NewReader("1234"), 4); err != nil || string(b) != "1234" {
		t.Errorf("ReadAll at the limit: %q, %v", b, err)
	}
	// Larger than one piece read at a time, at and over the limit.
	many := strings.Repeat("x", 3<<20+5)
	if b, err := ReadAll(strings.NewReader(many), int64(len(many))); err != nil || string(b) != many {
		t.Errorf("ReadAll of %d bytes at the limit: %d bytes, %v", len(many), len(b), err)
	}
	if _, err := ReadAll(strings.NewReader(many), int64(len(many)-1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadAll of %d bytes over the limit: %v", len(many), err)
	}
	// A regular file over the limit is refused by its size, unread: the
	// offset stays at the start.
	five := filepath.Join(dir, "five")
	if err := os.WriteFile(five, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(five)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, err := ReadAll(in, 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadAll of a file over the limit: %v", err)
	}
	if off, _ := in.Seek(0, io.SeekCurrent); off != 0 {
		t.Errorf("ReadAll read %d bytes of a file over the limit before refusing it", off)
	}
}

// TestPrivateIsNeverLeftReadableByOthers: a key written over a file that
// others could read takes their permissions away; the group keeps its own.
func TestPrivateIsNeverLeftReadableByOthers(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		old, want fs.FileMode
		private   bool
	}{
		{0o644, 0o640, true},
		{0o604, 0o600, true},
		{0o640, 0o640, true},
		{0o644, 0o644, false},
	} {
		p := filepath.Join(dir, fmt.Sprintf("key-%o-%v.pem", c.old, c.private))
		if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, c.old); err != nil {
			t.Fatal(err)
		}
		if err := Write(p, []byte("key"), Options{Perm: 0o600, Private: c.private}); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("%o replaced with Private %v: mode %o, want %o", c.old, c.private, got, c.want)
		}
	}
}

// TestWriteRefusesAFileNotWritable: a file the caller may not write is
// not replaced behind its back through a writable directory, whether it
// is read-only or someone else's. Root may write every file, so under
// root the test runs itself again as nobody.
func TestWriteRefusesAFileNotWritable(t *testing.T) {
	if os.Geteuid() == 0 {
		testpki.RerunAsNobody(t)
		return
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "store.jks")
	if err := os.WriteFile(p, []byte("old"), 0o444); err != nil {
		t.Fatal(err)
	}
	err := Write(p, []byte("new"), Options{})
	if !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("err = %v, want permission denied", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("the file holds %q, want it as it was", b)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %q, want the file alone", got)
	}
}

// TestStoppedWriterLeavesNothing: a run stopped by SIGINT (Ctrl-C at a
// password prompt) or SIGTERM while it holds the lock of a file and has
// its new content staged leaves the file as it was and nothing beside
// it, and still dies by the signal.
func TestStoppedWriterLeavesNothing(t *testing.T) {
	if p := os.Getenv("SAFEFILE_TEST_STOPPED_WRITER"); p != "" {
		if _, err := Lock(p); err != nil {
			t.Fatal(err)
		}
		if _, err := stage(p, []byte("new"), Options{}); err != nil {
			t.Fatal(err)
		}
		stoptest.Ready() // the prompt: the parent never answers
		t.Fatal("not stopped")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "store.jks")
			if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			stoptest.Child(t, "TestStoppedWriterLeavesNothing", []string{"SAFEFILE_TEST_STOPPED_WRITER=" + p}, sig, func() {
				if names := dirNames(t, dir); len(names) != 3 {
					t.Fatalf("while writing, the directory holds %v; want the file, its lock and its temporary file", names)
				}
			})
			if names := dirNames(t, dir); len(names) != 1 {
				t.Errorf("after %v the directory holds %v; want store.jks alone", sig, names)
			}
			if b, _ := os.ReadFile(p); string(b) != "old" {
				t.Errorf("store.jks holds %q; want it as it was", b)
			}
		})
	}
}

// TestStoppedMkdirAllLeavesNothing: a command stopped after MkdirAll made
// its output directory, before it wrote anything there or said to keep
// it, leaves no directory behind; once kept, the directories stay.
func TestStoppedMkdirAllLeavesNothing(t *testing.T) {
	if d := os.Getenv("SAFEFILE_TEST_STOPPED_MKDIR"); d != "" {
		_, keep, err := MkdirAll(filepath.Join(d, "out", "certs"))
		if err != nil {
			t.Fatal(err)
		}
		if os.Getenv("SAFEFILE_TEST_KEEP") != "" {
			keep()
		}
		stoptest.Ready()
		t.Fatal("not stopped")
	}
	for _, keep := range []bool{false, true} {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			t.Run(fmt.Sprintf("%v/keep=%v", sig, keep), func(t *testing.T) {
				dir := t.TempDir()
				env := []string{"SAFEFILE_TEST_STOPPED_MKDIR=" + dir}
				if keep {
					env = append(env, "SAFEFILE_TEST_KEEP=1")
				}
				stoptest.Child(t, "TestStoppedMkdirAllLeavesNothing", env, sig, func() {
					if _, err := os.Stat(filepath.Join(dir, "out", "certs")); err != nil {
						t.Fatal(err)
					}
				})
				_, err := os.Stat(filepath.Join(dir, "out", "certs"))
				if got := err == nil; got != keep {
					t.Errorf("after %v the directories exist: %v; want %v", sig, got, keep)
				}
				if names := dirNames(t, dir); !keep && len(names) != 0 {
					t.Errorf("after %v the directory holds %v; want nothing", sig, names)
				}
			})
		}
	}
}

func dirNames(t *testing.T, dir string) []string {
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

// TestReadFileOrPipe: a pipe with a writer is read to its end; a named
// pipe nobody writes to is ErrEmptyPipe at once, never a wait; a device
// is still refused.
func TestReadFileOrPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		w.Write([]byte("s3cret\n"))
		w.Close()
	}()
	if b, err := ReadFileOrPipe(fmt.Sprintf("/proc/self/fd/%d", r.Fd()), 64); err != nil || string(b) != "s3cret\n" {
		t.Errorf("a pipe with a writer: %q, %v", b, err)
	}
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFileOrPipe(fifo, 64); !errors.Is(err, ErrEmptyPipe) {
		t.Errorf("a FIFO nobody writes to: %v, want ErrEmptyPipe", err)
	}
	if _, err := ReadFileOrPipe("/dev/zero", 64); !errors.Is(err, ErrNotRegular) {
		t.Errorf("a device: %v, want ErrNotRegular", err)
	}
}
