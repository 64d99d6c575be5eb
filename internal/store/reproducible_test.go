package store

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestAddThenDeleteGivesBackTheFile: a truststore's bytes are a function
// of its entries, so adding a certificate and deleting it again restores
// the file byte for byte, in every format.
func TestAddThenDeleteGivesBackTheFile(t *testing.T) {
	one, two := testpki.Root(t, "First Root"), testpki.Root(t, "Second Root")
	for _, name := range []string{"t.jks", "t.p12", "t.pem"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			opts := Options{Passwords: given("changeit"), Create: true}
			edit := func(change func(*Store) (bool, error)) {
				t.Helper()
				if _, err := Edit(path, opts, change); err != nil {
					t.Fatal(err)
				}
			}
			imp := func(c *testpki.Cert) func(*Store) (bool, error) {
				return func(s *Store) (bool, error) {
					res, err := s.Import([]*certs.Cert{cert(c)}, ImportOptions{})
					return err == nil && len(res.Added) > 0, err
				}
			}
			edit(imp(one))
			first, _ := os.ReadFile(path)
			edit(imp(two))
			if second, _ := os.ReadFile(path); bytes.Equal(first, second) {
				t.Fatal("adding a certificate did not change the file")
			}
			edit(func(s *Store) (bool, error) { return true, s.Delete("second-root") })
			if back, _ := os.ReadFile(path); !bytes.Equal(first, back) {
				t.Error("adding and deleting a certificate did not give back the first file")
			}
		})
	}
}

// TestKeystoresAreRandomUnlessReproducible: a store with a private key
// gets fresh salts each time it is written, unless Reproducible.
func TestKeystoresAreRandomUnlessReproducible(t *testing.T) {
	root := testpki.Root(t, "Keystore Root")
	leaf := testpki.Leaf(t, "keystore.example", root, "keystore.example")
	for _, f := range []Format{FormatJKS, FormatPKCS12} {
		s := New(f)
		s.Entries = []*Entry{{Alias: "server", Kind: PrivateKey, Key: pkcs8Of(t, leaf), Certs: []*certs.Cert{cert(leaf), cert(root)}, Created: EntryDate(cert(leaf), testpki.Now)}}
		enc := func(reproducible bool) []byte {
			b, err := s.Encode(EncodeOptions{Password: []byte("pw"), Reproducible: reproducible})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if bytes.Equal(enc(false), enc(false)) {
			t.Errorf("%v: a keystore encoded twice gave the same bytes; want fresh salts", f)
		}
		if !bytes.Equal(enc(true), enc(true)) {
			t.Errorf("%v: a keystore encoded twice with Reproducible gave other bytes", f)
		}
		back, err := Decode(enc(true), f, given("pw"))
		if err != nil || len(back.Entries) != 1 || !bytes.Equal(back.Entries[0].Key, s.Entries[0].Key) {
			t.Errorf("%v: reading the reproducible keystore back: %v", f, err)
		}
	}
}

func pkcs8Of(t *testing.T, c *testpki.Cert) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
