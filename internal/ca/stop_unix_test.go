//go:build unix

package ca

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestStoppedInitLeavesNothing: `ca init` stopped by Ctrl-C (SIGINT) or
// SIGTERM after it has made the CA directory, its parents, issued/, the
// counter and the record, but before the CA is committed, takes all of
// them away, as a failure does, and still dies by the signal.
func TestStoppedInitLeavesNothing(t *testing.T) {
	if dir := os.Getenv("CA_TEST_STOPPED_INIT"); dir != "" {
		testHookPrepared = func() {
			os.Stdout.WriteString("ready\n")
			io.ReadAll(os.Stdin) // the parent never writes: wait for the stop
		}
		Init(dir, InitOptions{Subject: name("CN=Stopped CA"), PathLen: -1, Now: now})
		t.Fatal("not stopped")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "pki", "team", "ca")
			cmd := exec.Command(os.Args[0], "-test.run=^TestStoppedInitLeavesNothing$")
			cmd.Env = append(os.Environ(), "CA_TEST_STOPPED_INIT="+dir)
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
				t.Fatalf("ca init said %q, not ready", line)
			}
			for _, f := range []string{IssuedDir, SerialFile, IndexFile} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Fatalf("before the stop: %v", err)
				}
			}
			cmd.Process.Signal(sig)
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != sig {
				t.Errorf("ca init ended with %v; want it stopped by %v", err, sig)
			}
			des, err := os.ReadDir(root)
			if err != nil {
				t.Fatal(err)
			}
			for _, de := range des {
				t.Errorf("after %v, %s is left in the directory ca init was given", sig, de.Name())
			}
		})
	}
}
