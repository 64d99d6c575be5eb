package probe

import "golang.org/x/sys/windows"

// The errors of a refused and of a reset connection: Winsock's own
// numbers, which syscall.ECONNREFUSED and ECONNRESET do not match there.
var errConnRefused, errConnReset error = windows.WSAECONNREFUSED, windows.WSAECONNRESET
