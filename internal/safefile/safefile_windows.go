package safefile

import (
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

// owner: a replaced file keeps its mode only; Windows has no uid and gid.
func owner(fs.FileInfo) (uid, gid int) { return -1, -1 }

// syncDir does nothing: a directory cannot be flushed on Windows, whose
// file systems journal their metadata, and the file itself was synced.
func syncDir(string) error { return nil }

// lockFile takes an exclusive lock on the first byte of f, waiting for it.
func lockFile(f *os.File) error {
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, new(windows.Overlapped))
}

func unlockFile(f *os.File) {
	windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped))
}
