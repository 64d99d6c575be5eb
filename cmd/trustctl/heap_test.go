package main

import (
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

func TestInputSize(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.pem")
	big := filepath.Join(dir, "big.jks")
	if err := os.WriteFile(small, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, make([]byte, largeInput), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want int64
	}{
		{[]string{"import", small, "--password", "changeit"}, 1000},
		{[]string{"list", "--cacerts"}, 0},
		{[]string{"list", dir}, 0},                                    // a directory is not counted
		{[]string{"list", "-" + small}, 0},                            // flags are not files
		{[]string{"import", small, filepath.Join(dir, "none")}, 1000}, // missing files count nothing
		{[]string{"list", big, small}, largeInput},                    // counting stops at the threshold
	} {
		if got := inputSize(tc.args); got != tc.want {
			t.Errorf("inputSize(%q) = %d, want %d", tc.args, got, tc.want)
		}
	}
}

func TestHeapToReserve(t *testing.T) {
	targets := func(n int) []string {
		args := []string{"probe", "--roots", "root.pem"}
		for i := range n {
			args = append(args, fmt.Sprintf("127.0.0.1:%d", 4000+i))
		}
		return args
	}
	const none, server, large = 0, 16 << 20, 32 << 20
	for _, tc := range []struct {
		args []string
		want int64
	}{
		{[]string{"ocsp", "serve", "--ca", "dir", "--listen", "127.0.0.1:0"}, server},
		{[]string{"ocsp", "check", "leaf.pem"}, none},
		{targets(1), none},
		{targets(manyTargets - 1), none},
		{targets(manyTargets), large},
		{[]string{"probe", "--targets-file", "hosts.txt"}, large},
		{[]string{"probe", "--targets-file=hosts.txt"}, large},
		{[]string{"verify", "leaf.pem", "--roots", "root.pem"}, none},
		{[]string{"--version"}, none},
		{nil, none},
	} {
		if got := heapToReserve(tc.args); got != tc.want {
			t.Errorf("heapToReserve(%q) = %d, want %d", tc.args, got, tc.want)
		}
	}
}

// TestLargeImportRunsWithPresizedHeap imports a bundle above largeInput
// into each store format through the real main, which presizes its heap
// for it, and finds every certificate in the store afterwards.
func TestLargeImportRunsWithPresizedHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("makes a thousand certificates; skipped with -short")
	}
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.pem")
	f, err := os.Create(bundle)
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	key := testpki.ECKey(t)
	for i := range n {
		c := testpki.New(t, testpki.Template{Subject: fmt.Sprintf("CN=Bulk Root %04d,O=Bulk Test", i), IsCA: true, MaxPathLen: -1, Key: key}, nil)
		if err := pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw}); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	if got := inputSize([]string{bundle}); got < largeInput {
		t.Fatalf("the bundle is %d bytes, below the %d that presizes the heap", got, largeInput)
	}
	for _, name := range []string{"bulk.jks", "bulk.p12"} {
		store := filepath.Join(dir, name)
		if out, err := trustctlProcess("import", store, bundle, "--password", "pw").CombinedOutput(); err != nil {
			t.Fatalf("import into %s: %v\n%s", name, err, out)
		}
		if got := countEntries(t, store, "pw"); got != n {
			t.Errorf("%s holds %d entries, want %d", name, got, n)
		}
	}
}
