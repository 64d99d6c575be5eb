package ca

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestFullDiskLeavesDirectory signs, revokes and writes CRLs on a disk
// with less and less room: each either succeeds completely or fails and
// leaves the CA directory byte for byte as it was, with no file added.
func TestFullDiskLeavesDirectory(t *testing.T) {
	disk, fill := testpki.FullDisk(t)
	caDir := filepath.Join(disk, "ca")
	c, err := Init(caDir, InitOptions{Subject: name("CN=Full Disk CA"), PathLen: -1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(disk, "out")
	os.Mkdir(outDir, 0o755)
	first := signTo(t, c, "")
	var failed, done int
	var before string
	for free := int64(4 * 4096); free >= 0; free -= 512 {
		fill(free)
		out := filepath.Join(outDir, fmt.Sprintf("leaf%d.crt", free))
		ops := []struct {
			name string
			run  func() error
		}{
			{"sign", func() error {
				_, err := c.Sign(csrFor(t, nil, "leaf.test"), SignOptions{Profile: "server", Now: now, Out: out})
				return err
			}},
			{"crl", func() error {
				_, err := c.CRL(CRLOptions{Now: now, Out: filepath.Join(outDir, "ca.crl")})
				return err
			}},
			{"revoke", func() error {
				_, err := c.Revoke(first.Cert.SerialNumber, "superseded", now)
				return err
			}},
		}
		for _, op := range ops {
			// What the previous operation left to recover (a counter that
			// could not be written) is recovered first, and not counted.
			c.Records(now)
			before = hashDir(t, caDir)
			err := op.run()
			if err == nil {
				done++
				continue
			}
			failed++
			if hashDir(t, caDir) != before {
				t.Errorf("%s with %d bytes free failed (%v) and changed the CA directory", op.name, free, err)
			}
			if got := dotFiles(t, caDir, outDir); len(got) > 0 {
				t.Errorf("%s with %d bytes free left %v", op.name, free, got)
			}
		}
		if _, err := os.Stat(out); err == nil {
			st, err := c.Records(now)
			if err != nil {
				t.Fatalf("after %d bytes free: %v", free, err)
			}
			if len(st.Unissued) > 0 {
				t.Errorf("a delivered certificate is recorded as not issued")
			}
		}
	}
	fill(1 << 20)
	mustCheck(t, caDir)
	if failed == 0 || done == 0 {
		t.Errorf("%d operations failed and %d succeeded; the disk did not fill as planned", failed, done)
	}
	t.Logf("on a filling disk %d operations failed cleanly and %d succeeded", failed, done)
}

// TestInitOnAFullDiskAddsNothing: ca init into a path whose parents do
// not exist yet, on a disk without room for the CA's files, fails and
// takes away every directory it made, the parents included.
func TestInitOnAFullDiskAddsNothing(t *testing.T) {
	disk, fill := testpki.FullDisk(t)
	for _, free := range []int64{0, 4 << 10, 8 << 10} {
		fill(free)
		_, err := Init(filepath.Join(disk, "p", "q", "ca"), InitOptions{Subject: name("CN=Test Root"), PathLen: -1, Now: now})
		if err == nil {
			t.Fatalf("with %d bytes free: init succeeded", free)
		}
		ents, _ := os.ReadDir(disk)
		if len(ents) != 1 || ents[0].Name() != ".filler" {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("with %d bytes free: %v; the disk holds %q, want nothing added", free, err, names)
		}
	}
}
