package safefile

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestWriteFilesOnAFullDisk: when the disk fills up part-way through a set
// of files, none of them is written (not even the ones that fit), the
// files already there keep their content, and no temporary file is left.
// With room for all, the same set is written.
func TestWriteFilesOnAFullDisk(t *testing.T) {
	disk, fill := testpki.FullDisk(t)
	dir := filepath.Join(disk, "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "b.pem")
	if err := os.WriteFile(old, []byte("old b"), 0o644); err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("x"), 96<<10)
	files := []File{
		{Path: filepath.Join(dir, "a.pem"), Data: chunk, Perm: 0o644},
		{Path: old, Data: chunk, Perm: 0o644},
		{Path: filepath.Join(dir, "c.pem"), Data: chunk, Perm: 0o644},
	}
	fill(200 << 10) // room for two of the three
	written, err := WriteFiles(files, Options{})
	if err == nil {
		t.Fatalf("wrote %q on a disk without room for them all", written)
	}
	if len(written) != 0 {
		t.Errorf("reported %q written", written)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"b.pem"}) {
		t.Errorf("after the failure the directory holds %q; want b.pem alone", got)
	}
	if b, _ := os.ReadFile(old); string(b) != "old b" {
		t.Errorf("b.pem now holds %d bytes; want its old content", len(b))
	}

	fill(400 << 10)
	if written, err := WriteFiles(files, Options{}); err != nil || len(written) != 3 {
		t.Fatalf("with room: written %q, %v", written, err)
	}
	for _, f := range files {
		if b, _ := os.ReadFile(f.Path); !bytes.Equal(b, f.Data) {
			t.Errorf("%s does not hold what was written", f.Path)
		}
	}
	if got := entries(t, dir); len(got) != 3 {
		t.Errorf("the directory holds %q; want the three files", got)
	}
}
