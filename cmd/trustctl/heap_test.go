package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
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

func TestLargeHeap(t *testing.T) {
	targets := func(n int) []string {
		args := []string{"probe", "--roots", "root.pem"}
		for i := range n {
			args = append(args, fmt.Sprintf("127.0.0.1:%d", 4000+i))
		}
		return args
	}
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"ocsp", "serve", "--ca", "dir", "--listen", "127.0.0.1:0"}, true},
		{[]string{"ocsp", "check", "leaf.pem"}, false},
		{targets(1), false},
		{targets(manyTargets - 1), false},
		{targets(manyTargets), true},
		{[]string{"probe", "--targets-file", "hosts.txt"}, true},
		{[]string{"probe", "--targets-file=hosts.txt"}, true},
		{[]string{"verify", "leaf.pem", "--roots", "root.pem"}, false},
		{[]string{"--version"}, false},
		{nil, false},
	} {
		if got := largeHeap(tc.args); got != tc.want {
			t.Errorf("largeHeap(%q) = %t, want %t", tc.args, got, tc.want)
		}
	}
}
