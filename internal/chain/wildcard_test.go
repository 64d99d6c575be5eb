package chain

import (
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestWildcardOverAPublicSuffixMatchesNoHost: "*.com" and "*.co.uk"
// match no host under any profile; a wildcard over a registrable domain
// still does, and so do the other names of a leaf that also holds one.
func TestWildcardOverAPublicSuffixMatchesNoHost(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	for _, tc := range []struct {
		sans  []string
		host  string
		valid bool
	}{
		{[]string{"*.com"}, "evil.com", false},
		{[]string{"*.co.uk"}, "evil.co.uk", false},
		{[]string{"*.COM"}, "evil.com", false},
		{[]string{"*.example.co.uk"}, "www.example.co.uk", true},
		{[]string{"*.com", "www.example.com"}, "www.example.com", true},
		{[]string{"*.example.com"}, "www.example.com", true},
	} {
		leaf := testpki.Leaf(t, tc.sans[0], inter, tc.sans...)
		for _, profile := range []string{ProfileRFC5280, ProfileWebPKI} {
			res, err := Verify(VerifyOptions{Leaf: leaf.Cert, Intermediates: certsOf(inter), Roots: certsOf(root), Host: tc.host, Profile: profile, At: testpki.Now})
			if err != nil {
				t.Fatal(err)
			}
			if tc.valid && profile == ProfileWebPKI && strings.HasPrefix(tc.sans[0], "*.com") {
				continue // webpki refuses the "*.com" name itself
			}
			if res.Valid != tc.valid {
				t.Errorf("%v for %s, %s: valid = %v, want %v; problems %q", tc.sans, tc.host, profile, res.Valid, tc.valid, res.Problems)
			}
			if !tc.valid && !strings.Contains(strings.Join(res.Problems, "\n"), "stands over a whole public suffix") {
				t.Errorf("%v for %s, %s: problems %q; want the wildcard over a public suffix named", tc.sans, tc.host, profile, res.Problems)
			}
		}
	}
}
