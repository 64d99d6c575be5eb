//go:build unix

package ca

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/trustctl/trustctl/internal/safefile"
)

// lockDir takes an exclusive lock on the CA directory itself: flock on
// the directory's own descriptor, so that no lock file is ever left
// behind, and a reader with no write permission can lock too. The kernel
// drops the lock when the process dies.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, unwrapPath(err))
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	// Earlier versions locked a hidden file instead; it is litter now.
	if err := os.Remove(filepath.Join(dir, legacyLockFile)); err == nil {
		safefile.SyncDir(dir)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
