package store_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/store"
	"github.com/trustctl/trustctl/internal/testpki"
)

// A corporate root goes into a JDK's cacerts, the way a package that is
// not a command line does it: no prompt (Ask is nil), the well-known
// password, and a second run that finds nothing to do.
func Example() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cacerts := filepath.Join(dir, "cacerts")
	ca, err := testpki.Issue(testpki.Template{Subject: "CN=Acme Corporate Root", IsCA: true, MaxPathLen: -1}, nil)
	if err != nil {
		log.Fatal(err)
	}
	root := certs.FromX509(ca.Cert)

	opts := store.Options{
		Passwords: store.Passwords{Store: []byte("changeit"), StoreGiven: true},
		Type:      store.FormatPKCS12, // for a cacerts that does not exist yet
		Create:    true,
	}
	for i := 0; i < 2; i++ {
		changed, err := store.Edit(cacerts, opts, func(st *store.Store) (bool, error) {
			res, err := st.Import([]*certs.Cert{root}, store.ImportOptions{})
			if err != nil {
				return false, err
			}
			return len(res.Added) > 0, nil
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("changed:", changed)
	}

	st, err := store.Open(cacerts, store.Options{Passwords: opts.Passwords})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range st.Entries {
		fmt.Println(st.Format, e.Alias, e.Kind)
	}
	// Output:
	// changed: true
	// changed: false
	// PKCS12 acme-corporate-root trustedCertEntry
}
