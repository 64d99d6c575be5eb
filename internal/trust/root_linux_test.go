//go:build linux

package trust

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// inRoot resolves name as the kernel does inside dir with
// openat2(RESOLVE_IN_ROOT), and returns the device and inode it reaches.
func inRoot(t *testing.T, dirfd int, name string) (dev, ino uint64, err error) {
	fd, err := unix.Openat2(dirfd, name, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return 0, 0, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return uint64(st.Dev), st.Ino, nil
}

// checkAgainstKernel holds Root.Real to the kernel's own resolution: both
// reach the same file, or neither reaches an existing one; and Real never
// leaves the root.
func checkAgainstKernel(t *testing.T, r Root, dirfd int, name string) {
	t.Helper()
	got, err := r.Real(name)
	if err == nil {
		host := r.Host(got)
		if !r.Inside(host) || got != filepath.Clean(got) || !strings.HasPrefix(got, "/") {
			t.Fatalf("Real(%q) = %q: host path %q is not a clean path inside %s", name, got, host, r.Dir())
		}
	}
	dev, ino, kerr := inRoot(t, dirfd, name)
	switch {
	case errors.Is(kerr, unix.ENOSYS):
		t.Skip("openat2 is not available")
	case kerr == nil:
		if err != nil {
			t.Fatalf("Real(%q) fails (%v), the kernel reaches a file", name, err)
		}
		var st syscall.Stat_t
		if err := syscall.Stat(r.Host(got), &st); err != nil || uint64(st.Dev) != dev || st.Ino != ino {
			t.Fatalf("Real(%q) = %q is not the file the kernel reaches", name, got)
		}
	case errors.Is(kerr, unix.ELOOP):
		// Both give up; the counts may differ by a link or two.
	default:
		if err == nil {
			if _, serr := os.Stat(r.Host(got)); serr == nil {
				t.Fatalf("Real(%q) = %q exists, the kernel says %v", name, got, kerr)
			}
		}
	}
}

var kernelNames = []string{
	"/etc/ssl/certs/java/cacerts", "/usr/lib/jvm/jdk-17/lib/security/cacerts",
	"/usr/lib/jvm/jdk-21/lib/security/cacerts", "usr/bin/java", "/climb/ssl",
	"/abs-climb/certs", "/../../..", "/host-etc", "/nope/../etc", "/loop1",
	"/etc/ssl/certs/java/cacerts/", "/etc/ssl/certs/java/cacerts/..",
	"/usr/lib/jvm/default/bin/../release", "/self/x", "/etc/./ssl//certs/",
}

var kernelTree = []string{
	"etc/ssl/certs/java/cacerts",
	"usr/lib/jvm/jdk-17/lib/security/cacerts -> /etc/ssl/certs/java/cacerts",
	"usr/lib/jvm/jdk-21/lib/security/cacerts -> ../../../jdk-17/lib/security/cacerts",
	"usr/lib/jvm/default -> jdk-17",
	"usr/bin/java -> /etc/alternatives/java",
	"etc/alternatives/java -> /usr/lib/jvm/default/bin/java",
	"usr/lib/jvm/jdk-17/bin/java",
	"usr/lib/jvm/jdk-17/release",
	"climb -> ../../../../../../etc",
	"abs-climb -> /../../../etc/ssl",
	"loop1 -> /loop2",
	"loop2 -> loop1",
	"self -> self",
	"host-etc -> /etc/passwd",
}

func openRoot(t *testing.T, dir string) (Root, int) {
	t.Helper()
	r, err := NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Open(r.Dir(), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return r, fd
}

func TestRootRealAgreesWithKernel(t *testing.T) {
	dir := t.TempDir()
	mkTree(t, dir, kernelTree...)
	r, fd := openRoot(t, dir)
	for _, name := range kernelNames {
		t.Run(name, func(t *testing.T) { checkAgainstKernel(t, r, fd, name) })
	}
}

// FuzzRootReal builds a small machine with two symlinks whose targets
// the fuzzer picks, and holds Root.Real to the kernel's resolution of
// the name it picks.
func FuzzRootReal(f *testing.F) {
	f.Add("/etc", "../..", "/l1/ssl/certs")
	f.Add("../../../etc/ssl", "/l1", "/l2/certs/../certs/java/cacerts")
	f.Add("/l2", "/l1", "/l1/x")
	f.Add("certs/java/cacerts/", "ssl/x", "/etc/l1")
	f.Add("/usr/lib/jvm/jdk/lib/security/cacerts", "..", "l2/../../etc/ssl/certs/java/cacerts")
	for _, n := range kernelNames {
		f.Add("/etc/ssl", "/usr", n)
	}
	// One tree per fuzzing process; each input only relinks l1 and l2.
	dir := f.TempDir()
	mkTree(f, dir, "etc/ssl/certs/java/cacerts", "usr/lib/jvm/jdk/lib/security/", "usr/bin/l2 -> /etc/l2")
	r, err := NewRoot(dir)
	if err != nil {
		f.Fatal(err)
	}
	fd, err := unix.Open(r.Dir(), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { unix.Close(fd) })
	l1, l2 := filepath.Join(dir, "l1"), filepath.Join(dir, "etc", "l2")
	f.Fuzz(func(t *testing.T, target1, target2, name string) {
		if name == "" || len(name) > 512 || strings.ContainsRune(name, 0) {
			return
		}
		os.Remove(l1)
		os.Remove(l2)
		if os.Symlink(target1, l1) != nil || os.Symlink(target2, l2) != nil {
			return // a target the file system refuses
		}
		checkAgainstKernel(t, r, fd, name)
	})
}
