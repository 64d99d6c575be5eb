package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestMultiFileWritesOnAFullDisk: export --out-dir and keystore extract
// write several files; when the disk fills up part-way, the command fails
// (exit 2) and adds nothing, not the files that fitted, not the directory
// it made. With room, the same command writes them all.
func TestMultiFileWritesOnAFullDisk(t *testing.T) {
	disk, fill := testpki.FullDisk(t)
	src := t.TempDir()
	root := testpki.Root(t, "CN=Full Disk Root")
	leaf := testpki.Leaf(t, "www.example.com", root, "www.example.com")
	rootPath, _ := root.Write(t, src, "root")
	leafCrt, leafKey := leaf.Write(t, src, "leaf")
	ts := filepath.Join(src, "ts.p12")
	mustRun(t, append([]string{"import", ts, "--password", "pw"}, append(rootFiles(t, src, "Disk", 5), rootPath)...)...)
	ks := filepath.Join(src, "ks.p12")
	mustRun(t, "keystore", "build", "--key", leafKey, "--cert", leafCrt, "--chain", rootPath, "--out", ks, "--password", "pw")

	for _, tc := range []struct {
		name string
		args []string
		out  string
		free int64 // room for some of the files, not all
		want int   // files written with room
	}{
		{"export", []string{"export", ts, "--out-dir", filepath.Join(disk, "new", "certs"), "--password", "pw"}, "/new/certs/", 2 << 12, 6},
		{"keystore-extract", []string{"keystore", "extract", ks, "--out-dir", filepath.Join(disk, "new", "tls"), "--password", "pw"}, "/new/tls/", 2 << 12, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fill(tc.free)
			before := listing(t, disk)
			_, stderr, code := runHostile(t, disk, nil, tc.args)
			checkRefused(t, stderr, code)
			if strings.Contains(stderr, "--force") {
				t.Errorf("a full disk is no reason to suggest --force:\n%s", stderr)
			}
			if diff := cmp.Diff(before, listing(t, disk)); diff != "" {
				t.Errorf("a write that ran out of room changed the disk:\n%s", diff)
			}
			fill(256 << 10)
			if _, stderr, code := runHostile(t, disk, nil, tc.args); code != 0 {
				t.Fatalf("with room: exit %d\n%s", code, stderr)
			}
			written := 0
			for p := range listing(t, disk) {
				if strings.HasPrefix(p, tc.out) {
					written++
				}
			}
			if written != tc.want {
				t.Errorf("with room: %d files written, want %d", written, tc.want)
			}
		})
	}
}
