package chain_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/trustctl/trustctl/internal/chain"
)

// issue makes a certificate for the example; parent nil is self-signed.
func issue(cn string, ca bool, notAfter time.Time, parent *x509.Certificate, parentKey crypto.Signer, dns ...string) (*x509.Certificate, crypto.Signer) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: notAfter,
		BasicConstraintsValid: true, IsCA: ca, DNSNames: dns,
	}
	if ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		panic(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

func ExampleVerify() {
	root, rootKey := issue("Acme Root", true, time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), nil, nil)
	inter, interKey := issue("Acme Issuing CA", true, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), root, rootKey)
	leaf, _ := issue("www.example.com", false, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), inter, interKey, "www.example.com")

	res, err := chain.Verify(chain.VerifyOptions{
		Leaf: leaf, Intermediates: []*x509.Certificate{inter}, Roots: []*x509.Certificate{root},
		Host: "api.example.com", Purpose: "server", At: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("valid:", res.Valid)
	for _, p := range res.Problems {
		fmt.Println(p)
	}
	// Output:
	// valid: false
	// CN=Acme Issuing CA (the intermediate) expired on 2026-03-01; renew it
	// CN=www.example.com (the leaf) is valid for www.example.com, not api.example.com; connect by one of those names, or have the certificate reissued with api.example.com
}

func ExampleBuild() {
	root, rootKey := issue("Acme Root", true, time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), nil, nil)
	inter, interKey := issue("Acme Issuing CA", true, time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC), root, rootKey)
	leaf, _ := issue("www.example.com", false, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), inter, interKey, "www.example.com")
	other, _ := issue("Other Root", true, time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), nil, nil)

	// An unordered pool with a duplicate and an unrelated certificate.
	b, err := chain.Build(leaf, []*x509.Certificate{root, other, inter, root}, chain.BuildOptions{})
	if err != nil {
		panic(err)
	}
	for _, c := range b.Chain {
		fmt.Println(chain.Name(c))
	}

	// Without the intermediate the chain stops short.
	_, err = chain.Build(leaf, []*x509.Certificate{root}, chain.BuildOptions{})
	var ie *chain.IncompleteError
	fmt.Println(errors.As(err, &ie), err)
	// Output:
	// CN=www.example.com
	// CN=Acme Issuing CA
	// CN=Acme Root
	// true the chain stops at CN=www.example.com: its issuer CN=Acme Issuing CA is not in the pool
}
