package chain

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestSmallRSAKeyIsRefused: a leaf whose RSA key is under 1024 bits is
// refused under every profile, with the key named as the reason.
func TestSmallRSAKeyIsRefused(t *testing.T) {
	t.Setenv("GODEBUG", "rsa1024min=0") // crypto/rsa makes no such key otherwise
	small, err := rsa.GenerateKey(rand.Reader, 768)
	if err != nil {
		t.Fatal(err)
	}
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	leaf := testpki.New(t, testpki.Template{Subject: "www.example.com", DNS: []string{"www.example.com"}, Key: small}, inter)
	for _, profile := range []string{ProfileRFC5280, ProfileWebPKI} {
		res, err := Verify(VerifyOptions{Leaf: leaf.Cert, Intermediates: certsOf(inter), Roots: certsOf(root), Host: "www.example.com", Profile: profile, At: testpki.Now})
		if err != nil {
			t.Fatal(err)
		}
		if res.Valid || !strings.Contains(strings.Join(res.Problems, "\n"), "768-bit RSA key") {
			t.Errorf("%s: valid = %v, problems %q; want the 768-bit key refused", profile, res.Valid, res.Problems)
		}
	}
}
