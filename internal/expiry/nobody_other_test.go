//go:build !unix

package expiry

import "testing"

func rerunAsNobody(t *testing.T) { t.Skip("needs a Unix account to drop privileges to") }
