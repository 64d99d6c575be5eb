package probe

import (
	"testing"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestMatchNameRefusesAWildcardOverAPublicSuffix: a server certificate for
// "*.com" does not match evil.com, as verify also says; an ordinary
// wildcard still matches.
func TestMatchNameRefusesAWildcardOverAPublicSuffix(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	for _, tc := range []struct {
		san, host string
		match     bool
	}{
		{"*.com", "evil.com", false},
		{"*.co.uk", "evil.co.uk", false},
		{"*.example.com", "www.example.com", true},
	} {
		leaf := certs.FromX509(testpki.Leaf(t, tc.san, root, tc.san).Cert)
		if err := MatchName(leaf, tc.host); (err == nil) != tc.match {
			t.Errorf("%s for %s: %v, want match %v", tc.san, tc.host, err, tc.match)
		}
	}
}
