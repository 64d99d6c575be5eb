package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/store"
	"github.com/trustctl/trustctl/internal/testpki"
)

// trustctlProcess returns a command that runs this test binary as trustctl.
func trustctlProcess(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TRUSTCTL_TEST_AS_MAIN=1")
	return cmd
}

func countEntries(t *testing.T, path, pw string) int {
	t.Helper()
	st, err := store.Open(path, store.Options{Passwords: store.Passwords{Store: []byte(pw), StoreGiven: true}})
	if err != nil {
		t.Fatalf("the store is no longer readable: %v", err)
	}
	return len(st.Entries)
}

// TestKilledWritesLeaveOldOrNewStore kills trustctl at random points while
// it rewrites a store, many times, and finds the store always readable with
// either the old or the new content.
func TestKilledWritesLeaveOldOrNewStore(t *testing.T) {
	if testing.Short() {
		t.Skip("kills many processes; skipped with -short")
	}
	dir := t.TempDir()
	for _, name := range []string{"store.p12", "store.jks"} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			// A store large enough that encoding takes a while.
			var paths []string
			for i := 0; i < 150; i++ {
				p, _ := testpki.Root(t, fmt.Sprintf("Seed Root %d", i)).Write(t, dir, fmt.Sprintf("seed%d", i))
				paths = append(paths, p)
			}
			mustRun(t, append([]string{"import", p, "--password", "pw"}, paths...)...)
			// Time one whole run, so that kills land all over it.
			p0, _ := testpki.Root(t, "Timing Root "+name).Write(t, dir, "timing")
			start := time.Now()
			if out, err := trustctlProcess("import", p, p0, "--password", "pw").CombinedOutput(); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			whole := time.Since(start)
			n := countEntries(t, p, "pw")
			killed, landed := 0, 0
			for i := 0; i < 25; i++ {
				r, _ := testpki.Root(t, fmt.Sprintf("New Root %s %d", name, i)).Write(t, dir, fmt.Sprintf("new%d", i))
				cmd := trustctlProcess("import", p, r, "--password", "pw")
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Duration(rand.Int64N(int64(whole))))
				cmd.Process.Kill()
				if err := cmd.Wait(); err != nil {
					killed++
				}
				got := countEntries(t, p, "pw")
				if got != n && got != n+1 {
					t.Fatalf("after kill %d the store has %d entries, want %d (old) or %d (new)", i, got, n, n+1)
				}
				if got == n+1 {
					landed++
				}
				n = got
			}
			t.Logf("one import takes %v; of 25 runs %d were killed before they finished, %d landed their write", whole, killed, landed)
		})
	}
}

// TestParallelImportsLoseNothing runs imports into one store in parallel
// processes; the lock serializes them and every certificate arrives.
func TestParallelImportsLoseNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "shared.jks")
	const n = 8
	var paths []string
	for i := 0; i < n; i++ {
		p, _ := testpki.Root(t, fmt.Sprintf("Parallel Root %d", i)).Write(t, dir, fmt.Sprintf("r%d", i))
		paths = append(paths, p)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	outs := make([][]byte, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			outs[i], errs[i] = trustctlProcess("import", p, paths[i], "--password", "pw").CombinedOutput()
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("import %d: %v\n%s", i, err, outs[i])
		}
	}
	if got := countEntries(t, p, "pw"); got != n {
		t.Fatalf("store has %d entries after %d parallel imports", got, n)
	}
}
