//go:build unix

package interrupt

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// As a child process, a test below does what the variable names and then
// waits for the signal its parent sends.
const childVar = "INTERRUPT_TEST_CHILD"

// runChild runs the test named test in a child process with childVar set
// to dir, waits for it to say it is ready, sends it sig and returns how
// it ended.
func runChild(t *testing.T, test, dir string, sig syscall.Signal) error {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), childVar+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child said %q, not ready", line)
	}
	cmd.Process.Signal(sig)
	return cmd.Wait()
}

func stoppedBy(err error, sig syscall.Signal) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws := ee.Sys().(syscall.WaitStatus)
	return ws.Signaled() && ws.Signal() == sig
}

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
		fmt.Println("ready")
		io.ReadAll(os.Stdin)
		t.Fatal("not stopped")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			if err := runChild(t, "TestCleanupRunsOnStop", dir, sig); !stoppedBy(err, sig) {
				t.Errorf("the child ended with %v; want it stopped by %v", err, sig)
			}
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
		fmt.Println("ready")
		io.ReadAll(os.Stdin)
		t.Fatal("not stopped")
	}
	dir := t.TempDir()
	if err := runChild(t, "TestDoneEndsTheCleanup", dir, syscall.SIGINT); !stoppedBy(err, syscall.SIGINT) {
		t.Errorf("the child ended with %v; want it stopped by SIGINT", err)
	}
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
	if err := runChild(t, "TestHoldPutsOffTheStop", dir, syscall.SIGTERM); !stoppedBy(err, syscall.SIGTERM) {
		t.Errorf("the child ended with %v; want it stopped by SIGTERM", err)
	}
	if !exists(filepath.Join(dir, "finished")) || !exists(filepath.Join(dir, "cleaned after")) {
		t.Errorf("the stop did not wait for the held work to finish before cleaning up")
	}
}
