package testpki

import (
	"crypto/x509"
	"testing"
)

func TestChainVerifies(t *testing.T) {
	root := Root(t, "CN=Acme Root,O=Acme Corp,C=US")
	inter := Intermediate(t, "Acme Issuing CA", root)
	leaf := Leaf(t, "www.example.com", inter, "www.example.com")
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root.Cert)
	inters.AddCert(inter.Cert)
	chains, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, DNSName: "www.example.com", CurrentTime: Now})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(chains[0]); got != 3 {
		t.Fatalf("chain length %d, want 3", got)
	}
	if got, want := root.Cert.Subject.String(), "CN=Acme Root,O=Acme Corp,C=US"; got != want {
		t.Errorf("subject %q, want %q (order kept)", got, want)
	}
}

func TestNameOrderIsRFC4514(t *testing.T) {
	n := Name("CN=Acme Root,O=Acme Corp,C=US")
	if got := n.ExtraNames[0].Value; got != "US" {
		t.Fatalf("first RDN in DER order is %v, want C=US", got)
	}
}
