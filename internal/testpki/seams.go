//go:build linux

package testpki

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// FullDisk mounts a small file system (a 512 KiB tmpfs) for the test and
// returns its path and a function that fills it, leaving free bytes free
// (rounded down to whole 4 KiB pages). It needs root: without it, or when
// the mount is refused, the test is skipped saying so. The file system is
// unmounted when the test ends.
func FullDisk(t *testing.T) (dir string, fill func(free int64)) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system to fill needs root")
	}
	dir = t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=512k"); err != nil {
		t.Skipf("cannot mount a tmpfs to fill: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	filler := filepath.Join(dir, ".filler")
	fill = func(free int64) {
		t.Helper()
		os.Remove(filler)
		f, err := os.Create(filler)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		chunk := make([]byte, 4096)
		for {
			if _, err := f.Write(chunk); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
		fi, _ := f.Stat()
		if err := f.Truncate(max(0, fi.Size()/4096*4096-free)); err != nil {
			t.Fatal(err)
		}
	}
	return dir, fill
}
