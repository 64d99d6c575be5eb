//go:build !unix

package testpki

import "testing"

// RerunAsNobody skips the test where there is no Unix account to run as.
func RerunAsNobody(t *testing.T) { t.Skip("needs a Unix account to drop privileges to") }
