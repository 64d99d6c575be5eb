package chain

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/trustctl/trustctl/internal/testpki"
)

// pkitsSeeds adds a few PKITS certificates (DSA, name constraints,
// policies, distribution points) as seeds.
func pkitsSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, n := range []string{"TrustAnchorRootCertificate.crt", "DSACACert.crt", "DSAParametersInheritedCACert.crt",
		"nameConstraintsDN1CACert.crt", "PoliciesP1234CACert.crt", "indirectCRLCA4cRLIssuerCert.crt", "ValidcRLIssuerTest29EE.crt"} {
		der, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pkits", "certs", n))
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, der)
	}
	return out
}

// FuzzParseCert: the parser never panics, and what it reads can be named
// and have its key read.
func FuzzParseCert(f *testing.F) {
	for _, der := range pkitsSeeds(f) {
		f.Add(der)
	}
	f.Add(testpki.Root(f, "Fuzz Root").Cert.Raw)
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCert(der)
		if err != nil {
			return
		}
		_ = c.Name()
		_, _ = c.publicKey()
		if len(c.Raw) != len(der) {
			t.Fatalf("kept %d of %d bytes", len(c.Raw), len(der))
		}
	})
}

// FuzzVerify feeds a bundle of DER certificates (the first the leaf, the
// last the root, the others intermediates) to Verify: it always returns,
// and a valid result has no problems.
func FuzzVerify(f *testing.F) {
	root := testpki.Root(f, "Fuzz Root")
	inter := testpki.Intermediate(f, "Fuzz CA", root)
	leaf := testpki.Leaf(f, "fuzz.example.com", inter, "fuzz.example.com")
	f.Add(append(append(append([]byte(nil), leaf.Cert.Raw...), inter.Cert.Raw...), root.Cert.Raw...))
	seeds := pkitsSeeds(f)
	f.Add(append(append([]byte(nil), seeds[6]...), seeds[0]...))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ders [][]byte
		s := cryptobyte.String(data)
		for !s.Empty() && len(ders) < 16 {
			var e cryptobyte.String
			if !s.ReadASN1Element(&e, cbasn1.SEQUENCE) {
				break
			}
			ders = append(ders, e)
		}
		if len(ders) < 2 {
			return
		}
		res, err := Verify(VerifyOptions{LeafDER: ders[0], IntermediatesDER: ders[1 : len(ders)-1], RootsDER: ders[len(ders)-1:],
			At: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return
		}
		if res.Valid && len(res.Problems) > 0 {
			t.Fatalf("valid with problems %q", res.Problems)
		}
		if !res.Valid && len(res.Problems) == 0 {
			t.Fatal("invalid without a reason")
		}
	})
}

// TestBuildTerminatesOnMesh: twelve CAs with one name, each certifying
// every other's key, and none trusted, give 12! paths; the search stops at
// its bounds and says so.
func TestBuildTerminatesOnMesh(t *testing.T) {
	const n = 12
	keys := make([]*testpki.Cert, n)
	for i := range keys {
		keys[i] = testpki.New(t, testpki.Template{Subject: "Mesh CA", IsCA: true, MaxPathLen: -1}, nil)
	}
	var mesh [][]byte
	for i := range keys {
		for j := range keys {
			if i != j {
				c := testpki.New(t, testpki.Template{Subject: "Mesh CA", IsCA: true, MaxPathLen: -1, Key: keys[j].Key}, keys[i])
				mesh = append(mesh, c.Cert.Raw)
			}
		}
	}
	leaf := testpki.Leaf(t, "mesh.example.com", keys[0], "mesh.example.com")
	other := testpki.Root(t, "Unrelated Root")
	res, err := Verify(VerifyOptions{Leaf: leaf.Cert, IntermediatesDER: mesh, Roots: certsOf(other), At: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid || len(res.Problems) == 0 {
		t.Fatalf("valid=%v problems=%q", res.Valid, res.Problems)
	}
}
