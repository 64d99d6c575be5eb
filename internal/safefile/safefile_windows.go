package safefile

import (
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// owner: a replaced file keeps its mode only; Windows has no uid and gid.
func owner(fs.FileInfo) (uid, gid int) { return -1, -1 }

// syncDir does nothing: a directory cannot be flushed on Windows, whose
// file systems journal their metadata, and the file itself was synced.
func syncDir(string) error { return nil }

// openNoBlock opens path for reading; Windows has no FIFOs in the file
// system that an open could wait on.
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }

// processAlive reports whether a process with the ID runs.
func processAlive(pid int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil {
		return true
	}
	return code == 259 // STILL_ACTIVE
}

// lockFile takes an exclusive lock on the first byte of f, waiting for it.
func lockFile(f *os.File) error {
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, new(windows.Overlapped))
}

func unlockFile(f *os.File) {
	windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped))
}

// release lets go of the lock, then removes the lock file. Windows cannot
// remove a file another process has open: a waiter that opened it keeps
// it, takes the lock, finds it still in place, and removes it in turn.
func release(f *os.File, lockPath string) {
	unlockFile(f)
	f.Close()
	os.Remove(lockPath)
}

// LockDir takes an exclusive lock for the directory dir: Windows cannot
// lock a directory, so the lock is on the file ".lock" in it, taken and
// removed as [Lock] does. See the Unix version for its use.
func LockDir(dir string) (unlock func(), err error) {
	return lockAt(filepath.Join(dir, ".lock"), dir)
}

// writable is checked by the rename itself on Windows, which refuses to
// replace a read-only file.
func writable(string) error { return nil }
