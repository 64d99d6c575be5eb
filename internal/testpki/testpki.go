// Package testpki builds certificate hierarchies for tests from short
// descriptions: roots, intermediates, leaves, cross-signs, expired and
// wrong-purpose certificates, all relative to a fixed clock so that "days
// left" and validity verdicts are stable. It is imported only from _test.go
// files and test programs; nothing in trustctl's commands uses it.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Now is the fixed clock that default validity periods are relative to.
// Certificates made without explicit times are valid from a year before
// Now to ten years after it.
var Now = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)

// Cert is an issued certificate with its key, in parsed and PEM forms.
type Cert struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
	KeyPEM  []byte // PKCS#8
}

// Template describes a certificate to make. The zero value (with a
// Subject) is a P-256 end-entity certificate valid around [Now].
type Template struct {
	// Subject is a common name ("Acme Root") or an RFC 4514 DN whose
	// attributes are CN, O, OU, C, ST, L ("CN=Acme Root,O=Acme Corp,C=US").
	Subject    string
	IsCA       bool
	MaxPathLen int // -1 for none; 0 with IsCA means pathlen:0
	NotBefore  time.Time
	NotAfter   time.Time
	DNS        []string
	IPs        []net.IP
	Emails     []string
	EKU        []x509.ExtKeyUsage
	// KeyUsage defaults to keyCertSign|cRLSign for a CA and
	// digitalSignature for a leaf.
	KeyUsage              x509.KeyUsage
	OCSPServer            []string
	CRLDistributionPoints []string
	// Key is the subject's key; nil makes a fresh P-256 key.
	Key          crypto.Signer
	Serial       int64 // 0 picks the next serial of the process
	PermittedDNS []string
	ExcludedDNS  []string
	// NoBasicConstraints leaves the extension out entirely.
	NoBasicConstraints bool
}

var serial atomic.Int64

// New issues a certificate from t, signed by issuer (self-signed when
// issuer is nil). It fails the test on any error.
func New(tb testing.TB, t Template, issuer *Cert) *Cert {
	tb.Helper()
	c, err := Issue(t, issuer)
	if err != nil {
		tb.Fatalf("testpki: %v", err)
	}
	return c
}

// Issue is [New] for callers without a testing.TB (test script commands,
// benchmark programs).
func Issue(t Template, issuer *Cert) (*Cert, error) {
	key := t.Key
	if key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		key = k
	}
	sn := t.Serial
	if sn == 0 {
		sn = 1000 + serial.Add(1)
	}
	nb, na := t.NotBefore, t.NotAfter
	if nb.IsZero() {
		nb = Now.AddDate(-1, 0, 0)
	}
	if na.IsZero() {
		na = Now.AddDate(10, 0, 0)
	}
	ku := t.KeyUsage
	if ku == 0 {
		if t.IsCA {
			ku = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		} else {
			ku = x509.KeyUsageDigitalSignature
		}
	}
	ski, err := keyID(key.Public())
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(sn),
		Subject:               Name(t.Subject),
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              ku,
		ExtKeyUsage:           t.EKU,
		BasicConstraintsValid: !t.NoBasicConstraints,
		IsCA:                  t.IsCA,
		DNSNames:              t.DNS,
		IPAddresses:           t.IPs,
		EmailAddresses:        t.Emails,
		OCSPServer:            t.OCSPServer,
		CRLDistributionPoints: t.CRLDistributionPoints,
		PermittedDNSDomains:   t.PermittedDNS,
		ExcludedDNSDomains:    t.ExcludedDNS,
		SubjectKeyId:          ski,
	}
	if t.IsCA {
		switch {
		case t.MaxPathLen > 0:
			tmpl.MaxPathLen = t.MaxPathLen
		case t.MaxPathLen == 0:
			tmpl.MaxPathLen = 0
			tmpl.MaxPathLenZero = true
		default:
			tmpl.MaxPathLen = -1
		}
	}
	parent, signer := tmpl, key
	if issuer != nil {
		parent, signer = issuer.Cert, issuer.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("issuing %q: %w", t.Subject, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing %q: %w", t.Subject, err)
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &Cert{
		Cert:    c,
		Key:     key,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
	}, nil
}

// Root is a self-signed CA certificate.
func Root(tb testing.TB, subject string) *Cert {
	tb.Helper()
	return New(tb, Template{Subject: subject, IsCA: true, MaxPathLen: -1}, nil)
}

// Intermediate is a CA certificate signed by issuer.
func Intermediate(tb testing.TB, subject string, issuer *Cert) *Cert {
	tb.Helper()
	return New(tb, Template{Subject: subject, IsCA: true, MaxPathLen: -1}, issuer)
}

// Leaf is a TLS server and client certificate for the DNS names.
func Leaf(tb testing.TB, subject string, issuer *Cert, dns ...string) *Cert {
	tb.Helper()
	return New(tb, Template{
		Subject: subject,
		DNS:     dns,
		EKU:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}, issuer)
}

// ECKey returns a fresh P-256 key.
func ECKey(tb testing.TB) crypto.Signer {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// RSAKey returns an RSA-2048 key generated once per process (RSA key
// generation is slow on small CI machines); tests that need several
// distinct RSA keys should generate their own.
func RSAKey(tb testing.TB) crypto.Signer {
	tb.Helper()
	rsaOnce.Do(func() {
		var err error
		rsaKey, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
	})
	return rsaKey
}

// Name parses a plain common name or a simple RFC 4514 DN. RFC 4514 writes
// the last RDN first, so "CN=Acme Root,O=Acme Corp,C=US" encodes C first,
// as openssl's "/C=US/O=Acme Corp/CN=Acme Root" does.
func Name(s string) pkix.Name {
	if !strings.Contains(s, "=") {
		return pkix.Name{CommonName: s}
	}
	oids := map[string]asn1.ObjectIdentifier{
		"CN": {2, 5, 4, 3}, "C": {2, 5, 4, 6}, "L": {2, 5, 4, 7}, "ST": {2, 5, 4, 8},
		"O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11},
	}
	var n pkix.Name
	parts := strings.Split(s, ",")
	for i := len(parts) - 1; i >= 0; i-- {
		part := parts[i]
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		oid, ok := oids[strings.ToUpper(k)]
		if !ok {
			panic("testpki: unknown attribute " + k)
		}
		n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{Type: oid, Value: v})
		if strings.EqualFold(k, "CN") {
			n.CommonName = v
		}
	}
	return n
}

func keyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var spki struct {
		Alg asn1.RawValue
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, err
	}
	sum := sha1.Sum(spki.Key.Bytes)
	return sum[:], nil
}

// Write stores the certificate and key as PEM files dir/name.crt and
// dir/name.key (0600) and returns their paths.
func (c *Cert) Write(tb testing.TB, dir, name string) (certPath, keyPath string) {
	tb.Helper()
	certPath = filepath.Join(dir, name+".crt")
	keyPath = filepath.Join(dir, name+".key")
	if err := os.WriteFile(certPath, c.CertPEM, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(keyPath, c.KeyPEM, 0o600); err != nil {
		tb.Fatal(err)
	}
	return certPath, keyPath
}

// Bundle concatenates the PEM of several certificates.
func Bundle(cs ...*Cert) []byte {
	var b []byte
	for _, c := range cs {
		b = append(b, c.CertPEM...)
	}
	return b
}
