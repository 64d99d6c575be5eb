//go:build unix

package source

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestLoadRefusesWhatIsNotAFile: a FIFO and a device are refused before
// anything is read; in a directory they are passed over with a note.
func TestLoadRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	testpki.Root(t, "Acme Root").Write(t, dir, "root")
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, "/dev/zero"} {
		if _, err := Load(p, Options{}); !errors.Is(err, safefile.ErrNotRegular) {
			t.Errorf("Load(%s) = %v; want ErrNotRegular", p, err)
		}
	}
	set, err := Load(dir, Options{})
	if err != nil || len(set.Certs) != 1 || len(set.Notes) != 1 || !strings.Contains(set.Notes[0], "fifo: passed over: not a regular file") {
		t.Errorf("the directory: %v, %d certificates, notes %q", err, len(set.Certs), set.Notes)
	}
}
