//go:build unix

package ca

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/trustctl/trustctl/internal/interrupt/stoptest"
)

// TestStoppedInitLeavesNothing: `ca init` stopped by Ctrl-C (SIGINT) or
// SIGTERM after it has made the CA directory, its parents, issued/, the
// counter and the record, but before the CA is committed, takes all of
// them away, as a failure does, and still dies by the signal.
func TestStoppedInitLeavesNothing(t *testing.T) {
	if dir := os.Getenv("CA_TEST_STOPPED_INIT"); dir != "" {
		testHookPrepared = stoptest.Ready
		Init(dir, InitOptions{Subject: name("CN=Stopped CA"), PathLen: -1, Now: now})
		t.Fatal("not stopped")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "pki", "team", "ca")
			stoptest.Child(t, "TestStoppedInitLeavesNothing", []string{"CA_TEST_STOPPED_INIT=" + dir}, sig, func() {
				for _, f := range []string{IssuedDir, SerialFile, IndexFile} {
					if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
						t.Fatalf("before the stop: %v", err)
					}
				}
			})
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
