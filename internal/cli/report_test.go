package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestFailedReportSaysTheStoreWasWritten: when stdout cannot take the
// report of a change that was made (a full disk under a redirect), the
// error says the store was written, so nobody reads exit 2 as "nothing
// was written"; without a change the error is the write error alone.
func TestFailedReportSaysTheStoreWasWritten(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Root(t, "CN=Report Root")
	ca := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(ca, testpki.Bundle(root), 0o644); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "trust.p12")
	for _, tc := range []struct {
		name, want string
	}{
		{"first import writes the store", store + " was written, but its report could not be: no space left on device"},
		{"second import changes nothing", "trustctl: error: no space left on device\n"},
	} {
		var errOut bytes.Buffer
		env := &Env{Stdout: fullWriter{}, Stderr: &errOut}
		code := Run([]string{"trustctl", "import", store, ca, "--password", "changeit"}, env)
		if code != exitUsage || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", tc.name, code, errOut.String(), tc.want)
		}
		if _, err := os.Stat(store); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
}
