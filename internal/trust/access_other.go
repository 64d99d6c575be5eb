//go:build !unix

package trust

import "os"

// writableDir reports whether dir is a directory; where access(2) does not
// exist, a write that is refused is reported when it is tried.
func writableDir(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}
