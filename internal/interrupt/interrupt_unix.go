//go:build unix

package interrupt

import (
	"os"
	"syscall"
	"time"
)

// dieBy ends the process by sig, its handler reset, so that the parent
// sees it stopped by the signal.
func dieBy(sig os.Signal) {
	if s, ok := sig.(syscall.Signal); ok {
		syscall.Kill(os.Getpid(), s)
		// Another thread may take the signal; give it the time to.
		time.Sleep(time.Second)
		os.Exit(128 + int(s))
	}
	os.Exit(1)
}
