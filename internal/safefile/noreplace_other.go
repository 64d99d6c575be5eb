//go:build !linux

package safefile

// renameNoReplace renames oldpath to newpath unless newpath exists
// (fs.ErrExist), with [linkNoReplace].
func renameNoReplace(oldpath, newpath string) error { return linkNoReplace(oldpath, newpath) }
