package ca

import (
	"path/filepath"

	"github.com/trustctl/trustctl/internal/safefile"
)

// lockDir locks the hidden file beside the serial counter: a directory
// cannot be locked on Windows. The file stays, as part of the directory.
func lockDir(dir string) (unlock func(), err error) {
	return safefile.Lock(filepath.Join(dir, SerialFile))
}
