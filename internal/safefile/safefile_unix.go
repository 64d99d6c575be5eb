//go:build unix

package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// writable reports whether the caller may write path itself: replacing a
// file only takes a writable directory, so a file the caller could not
// change in place (read-only, or someone else's) is refused, as an editor
// that opens it for writing would be.
func writable(path string) error {
	if err := unix.Access(path, unix.W_OK); err != nil {
		return fmt.Errorf("%s: %w (the file is not writable for you)", path, err)
	}
	return nil
}

// owner returns the user and group that own fi, or -1 where unknown.
func owner(fi fs.FileInfo) (uid, gid int) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid)
	}
	return -1, -1
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// openNoBlock opens path for reading with O_NONBLOCK, which makes opening
// a FIFO return at once instead of waiting for a writer. Reads of a
// regular file are not affected by the flag.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// processAlive reports whether a process with the ID runs (signal 0 checks
// without sending anything; EPERM means it runs as another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

func unlockFile(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// release removes the lock file while still holding the lock, so that a
// waiter that wakes up finds it gone and takes a fresh one, then lets go.
func release(f *os.File, lockPath string) {
	os.Remove(lockPath)
	unlockFile(f)
	f.Close()
}

// LockDir takes an exclusive advisory lock on the directory dir itself,
// waiting for it: for a program that keeps several files of one directory
// consistent with each other (a CA directory). The lock is on the
// directory's own descriptor, so no file is made and none can be left
// behind, a reader without write permission can take it too, and the
// kernel drops it when the process dies. The returned function releases
// it. (On Windows, which cannot lock a directory, it is [Lock]'s kind of
// lock on the file ".lock" in dir, removed on release.)
func LockDir(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, unwrapPath(err))
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}
