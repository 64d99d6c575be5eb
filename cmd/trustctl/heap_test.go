package main

import (
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
