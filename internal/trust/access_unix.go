//go:build unix

package trust

import "golang.org/x/sys/unix"

// writableDir reports whether this process may create and rename files in
// the host directory dir. It asks the kernel (access(2)) instead of
// trying, so that status writes nothing; root passes unless the file
// system is read-only.
func writableDir(dir string) bool { return unix.Access(dir, unix.W_OK|unix.X_OK) == nil }
