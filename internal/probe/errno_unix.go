//go:build unix

package probe

import "syscall"

// The errors of a refused and of a reset connection.
var errConnRefused, errConnReset error = syscall.ECONNREFUSED, syscall.ECONNRESET
