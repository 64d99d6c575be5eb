package store

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/testpki"
)

func TestNewKeyEntry(t *testing.T) {
	root := testpki.Root(t, "CN=Acme Root")
	inter := testpki.Intermediate(t, "CN=Acme Issuing CA", root)
	leaf := testpki.Leaf(t, "CN=Gateway Host", inter, "gateway.example")
	pkcs8, err := x509.MarshalPKCS8PrivateKey(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	pool := []*x509.Certificate{root.Cert, inter.Cert}

	e, built, err := NewKeyEntry(pkcs8, leaf.Cert, pool, KeyEntryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind != PrivateKey || string(e.Key) != string(pkcs8) || len(e.Certs) != 3 || !built.Complete {
		t.Fatalf("entry %+v, complete %v", e, built.Complete)
	}
	if e.Alias != "gateway-host" {
		t.Errorf("derived alias %q", e.Alias)
	}
	if !e.Created.Equal(leaf.Cert.NotBefore) {
		t.Errorf("dated %v, want the certificate's notBefore %v", e.Created, leaf.Cert.NotBefore)
	}

	epoch := time.Unix(1700000000, 0)
	e, _, err = NewKeyEntry(pkcs8, leaf.Cert, pool, KeyEntryOptions{Alias: "gw", Epoch: epoch, ExcludeRoot: true})
	if err != nil {
		t.Fatal(err)
	}
	if e.Alias != "gw" || !e.Created.Equal(epoch) || len(e.Certs) != 2 || e.Certs[1].Subject() != "CN=Acme Issuing CA" {
		t.Errorf("alias %q, dated %v, %d certificates", e.Alias, e.Created, len(e.Certs))
	}

	// Without the root, the chain is incomplete unless partial.
	_, _, err = NewKeyEntry(pkcs8, leaf.Cert, pool[1:], KeyEntryOptions{})
	var ie *chain.IncompleteError
	if !errors.As(err, &ie) {
		t.Errorf("no root: %v", err)
	}
	e, built, err = NewKeyEntry(pkcs8, leaf.Cert, pool[1:], KeyEntryOptions{Partial: true, ExcludeRoot: true})
	if err != nil || built.Complete || len(e.Certs) != 2 {
		t.Errorf("partial chain: %v, %+v", err, built)
	}
}
