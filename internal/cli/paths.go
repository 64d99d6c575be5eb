package cli

import (
	"os"
	"path/filepath"
)

func dirOf(p string) string { return filepath.Dir(p) }

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
