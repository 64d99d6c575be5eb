// Package safefile writes files so that a reader, or a crash, never sees a
// half-written one: the data goes to a temporary file beside the target,
// which is synced, closed and renamed over it, and the directory is synced
// (on Unix; Windows has no such call).
// Writes go through a symlink to its target, keep the target's mode (and
// owner, where permitted), and can be serialized across processes with
// [Lock]. It does not decide formats or contents.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned by [Write] with NoOverwrite when the target exists.
var ErrExists = errors.New("file exists")

// Options says how [Write] treats the target.
type Options struct {
	// Perm is the mode of a file that does not exist yet. An existing
	// file keeps its own mode.
	Perm fs.FileMode
	// NoOverwrite refuses to replace an existing file (ErrExists).
	NoOverwrite bool
}

// Resolve follows symlinks in path's final element (and the chain of
// links they point to) and returns the real file to replace. A path that
// does not exist is returned as it is.
func Resolve(path string) (string, error) {
	for i := 0; i < 40; i++ {
		fi, err := os.Lstat(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return path, nil
			}
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// Write replaces path with data atomically. On any error the target is
// left exactly as it was and the temporary file is removed.
func Write(path string, data []byte, opts Options) (err error) {
	real, err := Resolve(path)
	if err != nil {
		return err
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o644
	}
	var uid, gid = -1, -1
	if fi, statErr := os.Stat(real); statErr == nil {
		if opts.NoOverwrite {
			return fmt.Errorf("%s: %w", path, ErrExists)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file", path)
		}
		perm = fi.Mode().Perm()
		uid, gid = owner(fi)
	} else if !errors.Is(statErr, fs.ErrNotExist) {
		return statErr
	}
	dir := filepath.Dir(real)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(real)+".tmp*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if uid >= 0 && (uid != os.Getuid() || gid != os.Getgid()) {
		// Keeping the owner needs privilege; an unprivileged writer
		// of its own file never gets here.
		_ = tmp.Chown(uid, gid)
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if opts.NoOverwrite {
		// Link fails if the target appeared meanwhile; rename would not.
		if err = os.Link(tmpName, real); err != nil {
			if errors.Is(err, fs.ErrExist) {
				err = fmt.Errorf("%s: %w", path, ErrExists)
			}
			return err
		}
		os.Remove(tmpName)
	} else if err = os.Rename(tmpName, real); err != nil {
		return err
	}
	return syncDir(dir)
}

// SyncDir makes the entries of dir durable (a file created or renamed in
// it), where the file system supports it.
func SyncDir(dir string) error { return syncDir(dir) }

// Lock takes an exclusive advisory lock that serializes writers of path
// (the real file behind any symlink). The lock lives on a hidden file
// beside the target, because the target itself is replaced by rename.
// Call the returned function to release it.
func Lock(path string) (unlock func(), err error) {
	real, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	lockPath := filepath.Join(filepath.Dir(real), "."+filepath.Base(real)+".lock")
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}
