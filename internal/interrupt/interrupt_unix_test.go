//go:build unix

package interrupt

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/interrupt/stoptest"
)

// As a child process, a test below does what the variable names and then
// waits for the signal its parent sends.
const childVar = "INTERRUPT_TEST_CHILD"

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestCleanupRunsOnStop: a process stopped by SIGINT or SIGTERM runs the
// cleanups still registered, last first, and still dies by the signal.
func TestCleanupRunsOnStop(t *testing.T) {
	if dir := os.Getenv(childVar); dir != "" {
		Cleanup(func() { os.WriteFile(filepath.Join(dir, "first"), nil, 0o644) })
		Cleanup(func() {
			if !exists(filepath.Join(dir, "first")) {
				os.WriteFile(filepath.Join(dir, "second"), nil, 0o644)
			}
		})
		stoptest.Ready()
		t.Fatal("not stopped")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			stoptest.Child(t, "TestCleanupRunsOnStop", []string{childVar + "=" + dir}, sig, nil)
			if !exists(filepath.Join(dir, "first")) || !exists(filepath.Join(dir, "second")) {
				t.Errorf("the cleanups did not both run, the last registered first")
			}
		})
	}
}

// TestDoneEndsTheCleanup: once done is called, a stop no longer runs
// the cleanup, and the signal acts as it does by default.
func TestDoneEndsTheCleanup(t *testing.T) {
	if dir := os.Getenv(childVar); dir != "" {
		done := Cleanup(func() { os.WriteFile(filepath.Join(dir, "cleaned"), nil, 0o644) })
		done()
		stoptest.Ready()
		t.Fatal("not stopped")
	}
	dir := t.TempDir()
	stoptest.Child(t, "TestDoneEndsTheCleanup", []string{childVar + "=" + dir}, syscall.SIGINT, nil)
	if exists(filepath.Join(dir, "cleaned")) {
		t.Errorf("a cleanup whose done was called ran")
	}
}

// TestHoldPutsOffTheStop: a stop that comes while work is held waits for
// it to finish, then cleans up and dies by the signal.
func TestHoldPutsOffTheStop(t *testing.T) {
	if dir := os.Getenv(childVar); dir != "" {
		finished := filepath.Join(dir, "finished")
		Cleanup(func() {
			if exists(finished) {
				os.WriteFile(filepath.Join(dir, "cleaned after"), nil, 0o644)
			}
		})
		release := Hold()
		fmt.Println("ready")
		// A stop that has begun keeps new holds from starting.
		for deadline := time.Now().Add(10 * time.Second); holds.TryRLock(); holds.RUnlock() {
			if time.Now().After(deadline) {
				t.Fatal("no stop came")
			}
			time.Sleep(time.Millisecond)
		}
		os.WriteFile(finished, nil, 0o644)
		release()
		io.ReadAll(os.Stdin)
		t.Fatal("not stopped")
	}
	dir := t.TempDir()
	stoptest.Child(t, "TestHoldPutsOffTheStop", []string{childVar + "=" + dir}, syscall.SIGTERM, nil)
	if !exists(filepath.Join(dir, "finished")) || !exists(filepath.Join(dir, "cleaned after")) {
		t.Errorf("the stop did not wait for the held work to finish before cleaning up")
	}
}
