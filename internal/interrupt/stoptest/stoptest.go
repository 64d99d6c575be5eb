//go:build unix

// Package stoptest runs a test of the running test binary in a child
// process and stops it with a signal, for tests of what a command stopped
// by Ctrl-C or SIGTERM leaves behind.
package stoptest

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// Child runs the test named name in a child process with env added to its
// environment. Once the child has called [Ready], check runs (when not
// nil); then the child gets sig, and t fails unless it died by that
// signal.
func Child(t testing.TB, name string, env []string, sig syscall.Signal, check func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$")
	cmd.Env = append(os.Environ(), env...)
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
	waited := false
	defer func() {
		if !waited { // a failed check: the child is not left running
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("the child said %q, not ready", line)
	}
	if check != nil {
		check()
	}
	cmd.Process.Signal(sig)
	err = cmd.Wait()
	waited = true
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() || ee.Sys().(syscall.WaitStatus).Signal() != sig {
		t.Errorf("the child ended with %v; want it stopped by %v", err, sig)
	}
}

// Ready tells the parent that the child is where it is to be stopped, and
// waits for the stop: it returns only if the parent goes away first.
func Ready() {
	os.Stdout.WriteString("ready\n")
	io.ReadAll(os.Stdin) // the parent never writes
}
