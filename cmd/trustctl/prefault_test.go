package main

import (
	"runtime"
	"strings"
	"testing"
)

// TestPrefaultIsInitialisedFirst runs main with GODEBUG=inittrace=1 and
// checks that internal/prefault is initialised before the packages that
// fill the heap at start-up (errors, sync, os and everything above them):
// mapping the heap after them would come too late to spare their faults.
func TestPrefaultIsInitialisedFirst(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("internal/prefault does its work on linux/amd64 only, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	cmd := trustctlProcess("--version")
	cmd.Env = append(cmd.Env, "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("trustctl --version: %v\n%s", err, out)
	}
	var order []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "init" {
			order = append(order, f[1])
		}
	}
	const pkg = "github.com/trustctl/trustctl/internal/prefault"
	pos := map[string]int{}
	for i, p := range order {
		if _, seen := pos[p]; !seen {
			pos[p] = i
		}
	}
	at, ok := pos[pkg]
	if !ok {
		t.Fatalf("%s was not initialised; inits:\n%s", pkg, strings.Join(order, "\n"))
	}
	for _, later := range []string{"errors", "sync", "os", "github.com/urfave/cli/v2"} {
		if p, ok := pos[later]; ok && p < at {
			t.Errorf("%s was initialised before %s", later, pkg)
		}
	}
}
