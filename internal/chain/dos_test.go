package chain

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestNameConstraintWorkIsBoundedOverPaths: certificates with a thousand
// names each under a thousand name constraints, each within the bound for
// one certificate, and interchangeable intermediates (same name, same key)
// that make many candidate paths of them. The search as a whole is
// bounded too, and says so, so such a mesh cannot keep a verification
// busy for minutes.
func TestNameConstraintWorkIsBoundedOverPaths(t *testing.T) {
	const names = 1000
	var excluded, sans []string
	for i := range names {
		excluded = append(excluded, fmt.Sprintf("x%d.invalid", i))
		sans = append(sans, fmt.Sprintf("n%d.example.com", i))
	}
	root := testpki.New(t, testpki.Template{Subject: "Mesh Root", IsCA: true, MaxPathLen: -1, ExcludedDNS: excluded}, nil)
	issuer := root
	var inter []*testpki.Cert
	for level := range 4 {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		var copies []*testpki.Cert
		for range 2 {
			copies = append(copies, testpki.New(t, testpki.Template{Subject: fmt.Sprintf("Mesh CA %d", level), IsCA: true, MaxPathLen: -1, DNS: sans, Key: key}, issuer))
		}
		inter = append(inter, copies...)
		issuer = copies[0]
	}
	leaf := testpki.New(t, testpki.Template{Subject: "leaf", DNS: sans}, issuer)

	res, err := Verify(VerifyOptions{Leaf: leaf.Cert, Intermediates: certsOf(inter...), Roots: certsOf(root), At: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid {
		t.Fatal("the chain is valid")
	}
	if !strings.Contains(strings.Join(res.Problems, "\n"), "on the paths tried need more comparisons") {
		t.Errorf("problems = %q; want the bound on the paths tried", res.Problems)
	}
}
