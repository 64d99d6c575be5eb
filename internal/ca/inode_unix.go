//go:build unix

package ca

import (
	"io/fs"
	"syscall"
)

// inode returns fi's inode number, which changes when a file is replaced
// by rename.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
