package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// issued is a certificate with its key, as the bench's inputs need them.
type issued struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

var benchNow = time.Now()

func ecKey() crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func rsaKey(bits int) crypto.Signer {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

type certSpec struct {
	CN     string
	CA     bool
	Key    crypto.Signer // the subject's key
	DNS    []string
	IPs    []net.IP
	Serial int64
}

// issue makes a certificate for spec signed by parent (nil: self-signed).
func issue(spec certSpec, parent *issued) (*issued, error) {
	t := &x509.Certificate{
		SerialNumber:          big.NewInt(spec.Serial),
		Subject:               pkix.Name{CommonName: spec.CN, Organization: []string{"trustctl bench"}},
		NotBefore:             benchNow.Add(-time.Hour),
		NotAfter:              benchNow.Add(5 * 365 * 24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  spec.CA,
		DNSNames:              spec.DNS,
		IPAddresses:           spec.IPs,
	}
	if spec.Serial == 0 {
		t.SerialNumber = big.NewInt(time.Now().UnixNano())
	}
	if spec.CA {
		t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		t.KeyUsage = x509.KeyUsageDigitalSignature
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	parentCert, signer := t, spec.Key
	if parent != nil {
		parentCert, signer = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, t, parentCert, spec.Key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("issuing %s: %w", spec.CN, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &issued{Cert: c, Key: spec.Key}, nil
}

func certPEM(certs ...*x509.Certificate) []byte {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return b
}

func writeFile(dir, name string, data []byte) (string, error) {
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	return p, os.WriteFile(p, data, 0o600)
}

// syntheticCAs makes n self-signed CA certificates with distinct names and
// serials; they share one P-256 key, which keeps generation to one
// signature each (a truststore does not care whose key it holds).
func syntheticCAs(n int) ([]*x509.Certificate, error) {
	key := ecKey()
	out := make([]*x509.Certificate, 0, n)
	for i := range n {
		c, err := issue(certSpec{CN: fmt.Sprintf("Bench Synthetic CA %04d", i+1), CA: true, Key: key, Serial: int64(i + 1)}, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, c.Cert)
	}
	return out, nil
}
