package ca

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// ErrOwnFile is returned for an output path that is one of the files the
// CA keeps in its directory.
var ErrOwnFile = errors.New("is one of the CA's own files")

// keptFiles are the files of a CA directory that an output must never
// replace, --force or not: the key, the certificate, the serial counter,
// the record of what was issued and the lock.
var keptFiles = append([]string{JournalFile, legacyLockFile, ".lock"}, ownFiles...)

// checkNotOwn refuses out when it is one of the CA's own files or a copy
// in its issued directory, through symbolic or hard links too.
func (c *CA) checkNotOwn(out string) error {
	dir, err := realPath(c.Dir)
	if err != nil {
		return err
	}
	target, err := realPath(out)
	if err != nil {
		return err
	}
	refuse := fmt.Errorf("%s %w; write it elsewhere", out, ErrOwnFile)
	switch parent := filepath.Dir(target); {
	case parent == dir && slices.Contains(keptFiles, filepath.Base(target)):
		return refuse
	case parent == filepath.Join(dir, IssuedDir):
		return refuse
	}
	if fi, err := os.Stat(out); err == nil {
		for _, name := range keptFiles {
			if own, err := os.Stat(filepath.Join(c.Dir, name)); err == nil && os.SameFile(fi, own) {
				return refuse
			}
		}
	}
	return nil
}

// realPath is path made absolute with its symbolic links resolved, as far
// as they exist: a file not created yet resolves through its directory.
func realPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r, nil
	}
	d, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return abs, nil
	}
	return filepath.Join(d, filepath.Base(abs)), nil
}
