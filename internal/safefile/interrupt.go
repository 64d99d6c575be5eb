package safefile

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// A run stopped by SIGINT or SIGTERM (Ctrl-C at a password prompt, a
// service manager stopping a job) while it holds a lock or has a
// temporary file not yet renamed into place removes them, then dies by
// the signal as it would have without this, so that shells and service
// managers see the same status. A set of renames in progress is finished
// first, so that [WriteFiles] replaces all of its files or none. SIGKILL
// cannot be caught: what it leaves, the next writer removes.
//
// Signals are watched only while there is something to remove, so a
// command that handles them itself (ocsp serve) is not disturbed between
// writes.
var made struct {
	sync.Mutex
	paths map[string]bool
	done  chan struct{} // closed when the watch ends
	// renaming is held over a set of renames, and for good by a run
	// that is being stopped.
	renaming sync.Mutex
}

// hold records path as a file this run made and must not leave behind,
// and watches for SIGINT and SIGTERM while any such file exists.
func hold(path string) {
	made.Lock()
	defer made.Unlock()
	if len(made.paths) == 0 {
		made.paths = map[string]bool{}
		made.done = make(chan struct{})
		watch(made.done)
	}
	made.paths[path] = true
}

// letGo forgets path (renamed into place or removed), and ends the watch
// with the last one.
func letGo(path string) {
	made.Lock()
	defer made.Unlock()
	if !made.paths[path] {
		return
	}
	delete(made.paths, path)
	if len(made.paths) == 0 {
		close(made.done)
	}
}

// watch waits for SIGINT or SIGTERM until done is closed. On a signal it
// removes the files held and stops the process with that signal. A
// signal the process was started with ignored (a background job of a
// script ignores SIGINT) stays ignored.
func watch(done chan struct{}) {
	sigs := make(chan os.Signal, 1)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		if !signal.Ignored(sig) {
			signal.Notify(sigs, sig)
		}
	}
	go func() {
		defer signal.Stop(sigs)
		select {
		case <-done:
		case sig := <-sigs:
			made.renaming.Lock() // never unlocked: no rename after this
			made.Lock()
			for p := range made.paths {
				os.Remove(p)
			}
			made.Unlock()
			signal.Reset(sig)
			dieBy(sig)
		}
	}()
}
