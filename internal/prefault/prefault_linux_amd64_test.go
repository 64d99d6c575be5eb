package prefault

import (
	"encoding/binary"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestRegionsAreMapped reads /proc/self/pagemap to check that every page
// init asked for is mapped: the heap window and the read-only segments of
// the program. Without the madvise calls most of them would not be.
func TestRegionsAreMapped(t *testing.T) {
	if len(regions) < 2 {
		t.Fatalf("init populated %d regions, want the heap and at least one segment of the program", len(regions))
	}
	pagemap, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Skipf("no /proc/self/pagemap to check against: %v", err)
	}
	defer pagemap.Close()
	pageSize := uintptr(os.Getpagesize())
	for i, r := range regions {
		name := "heap"
		if i > 0 {
			name = "program segment " + strconv.Itoa(i)
		}
		if r.errno == uintptr(syscall.EINVAL) {
			t.Skipf("the kernel has no MADV_POPULATE_READ/WRITE (Linux 5.14 and later): %s", syscall.Errno(r.errno))
		}
		if r.errno != 0 {
			t.Errorf("%s %#x-%#x: madvise: %v", name, r.start, r.end, syscall.Errno(r.errno))
			continue
		}
		if i == 0 && (!r.write || r.end-r.start < 256<<10) {
			t.Errorf("heap window %#x-%#x (write %v): want a writable range of at least 256 KiB", r.start, r.end, r.write)
		}
		n := int((r.end - r.start) / pageSize)
		entries := make([]byte, 8*n)
		if _, err := pagemap.ReadAt(entries, int64(r.start/pageSize*8)); err != nil {
			t.Fatalf("reading pagemap: %v", err)
		}
		missing := 0
		for p := range n {
			if binary.LittleEndian.Uint64(entries[8*p:])&(1<<63) == 0 {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("%s %#x-%#x: %d of %d pages not mapped", name, r.start, r.end, missing, n)
		}
	}
}

// TestImportsNothing guards what makes the package useful: with no
// imports it is initialised right after the runtime, before any other
// package fills the heap.
func TestImportsNothing(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if imp.Path.Value != `"unsafe"` {
				t.Errorf("%s imports %s: the package must import nothing but unsafe", name, imp.Path.Value)
			}
		}
	}
}
