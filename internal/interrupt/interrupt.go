// Package interrupt undoes what a run must not leave behind when SIGINT
// or SIGTERM stops it (Ctrl-C at a password prompt, a service manager
// stopping a job): a lock file, a temporary file, a terminal without
// echo. It then lets the signal end the process as it would have without
// this, so that shells and service managers see the same status.
//
// os/signal lets a program catch a signal; what must be undone is known
// to several packages (internal/safefile holds files, internal/cli the
// terminal), so this package keeps the one list of it and the one watch.
// SIGKILL cannot be caught: what it leaves, the next writer removes.
package interrupt

import (
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
)

var state struct {
	sync.Mutex
	next     int
	cleanups map[int]func()
	done     chan struct{} // closed when the watch ends
}

// holds is read-locked by work that must finish once begun; a stop
// write-locks it for good.
var holds sync.RWMutex

// Cleanup arranges for f to run if SIGINT or SIGTERM stops the process
// before done is called. Cleanups run last registered first. Signals are
// watched only while a cleanup is registered, so a command that handles
// them itself (ocsp serve) is not disturbed in between, and a signal the
// process was started with ignored (a background job of a script ignores
// SIGINT) stays ignored.
func Cleanup(f func()) (done func()) {
	state.Lock()
	defer state.Unlock()
	if len(state.cleanups) == 0 {
		state.cleanups = map[int]func(){}
		state.done = make(chan struct{})
		watch(state.done)
	}
	id := state.next
	state.next++
	state.cleanups[id] = f
	var once sync.Once
	return func() {
		once.Do(func() {
			state.Lock()
			defer state.Unlock()
			delete(state.cleanups, id)
			if len(state.cleanups) == 0 {
				close(state.done)
			}
		})
	}
}

// Hold puts off a stop until release is called, for work that must
// finish once begun (a set of renames that replaces all of its files or
// none). Holds must not nest.
func Hold() (release func()) {
	holds.RLock()
	return holds.RUnlock
}

// watch waits for SIGINT or SIGTERM until done is closed.
func watch(done chan struct{}) {
	sigs := make(chan os.Signal, 1)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		if !signal.Ignored(sig) {
			signal.Notify(sigs, sig)
		}
	}
	go func() {
		select {
		case sig := <-sigs:
			stop(sig)
		case <-done:
		}
		signal.Stop(sigs)
		// A signal that came as the watch ended is still obeyed.
		select {
		case sig := <-sigs:
			stop(sig)
		default:
		}
	}()
}

// stop waits for the holds, runs the cleanups and ends the process by
// sig.
func stop(sig os.Signal) {
	holds.Lock() // never unlocked: nothing held begins after this
	state.Lock()
	ids := make([]int, 0, len(state.cleanups))
	for id := range state.cleanups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range slices.Backward(ids) {
		state.cleanups[id]()
	}
	signal.Reset(sig)
	dieBy(sig)
}
