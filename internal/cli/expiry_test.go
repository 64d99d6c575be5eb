package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestExpiryProgressOnlyForPeopleOnATerminal: the progress bar goes to a
// terminal's stderr, never under --json or --metrics -, nor to a pipe.
func TestExpiryProgressOnlyForPeopleOnATerminal(t *testing.T) {
	old := progressDelay
	progressDelay = 0
	t.Cleanup(func() { progressDelay = old })
	dir := t.TempDir()
	for _, n := range []string{"a", "b", "c"} {
		if err := os.WriteFile(filepath.Join(dir, n+".pem"), testpki.Root(t, "CN="+n).CertPEM, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		tty   bool
		args  []string
		wantP bool
	}{
		{"terminal", true, nil, true},
		{"pipe", false, nil, false},
		{"json", true, []string{"--json"}, false},
		{"metrics to stdout", true, []string{"--metrics", "-"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Run(append([]string{"trustctl", "expiry", dir}, tt.args...), &Env{Stdout: &out, Stderr: &errb, StderrTTY: tt.tty})
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
			}
			if got := strings.Contains(errb.String(), "reading"); got != tt.wantP {
				t.Errorf("progress shown %v, want %v: stderr %q", got, tt.wantP, errb.String())
			}
		})
	}
}
