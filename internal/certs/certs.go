// Package certs holds the one certificate type every other package passes
// around: the DER bytes exactly as they were read, the crypto/x509 parse when
// Go accepts the certificate, and a lenient parse when it does not.
//
// Old trust stores carry certificates that crypto/x509 refuses (a negative
// serial number, a malformed extension). Such a certificate must still be
// listed, shown and written back unchanged, so [Cert] never drops its raw
// bytes and falls back to the certificate-transparency-go parser, which
// accepts more, for the fields people look at.
package certs

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"runtime"
	"strings"
	"sync"
	"time"

	ctx509 "github.com/google/certificate-transparency-go/x509"
)

// Cert is one certificate. Raw is always set; X509 is nil when crypto/x509
// refused the certificate, in which case ParseErr says why and Lenient holds
// what the lenient parser could read (it may be nil too).
type Cert struct {
	Raw      []byte
	X509     *x509.Certificate
	ParseErr error
	Lenient  *ctx509.Certificate

	// sum is the SHA-256 of Raw, computed once by Parse and FromX509:
	// stores compare certificates by it, thousands of times per command.
	sum [32]byte
}

// Parse wraps DER bytes. It never fails: a certificate that neither parser
// accepts is still kept with its raw bytes and the crypto/x509 error.
func Parse(der []byte) *Cert {
	c := &Cert{Raw: der, sum: sha256.Sum256(der)}
	if xc, err := x509.ParseCertificate(der); err == nil {
		c.X509 = xc
		return c
	} else {
		c.ParseErr = err
	}
	if lc, err := ctx509.ParseCertificate(der); err == nil || lc != nil {
		c.Lenient = lc
	}
	return c
}

// FromX509 wraps a certificate that crypto/x509 has already parsed.
func FromX509(xc *x509.Certificate) *Cert {
	return &Cert{Raw: xc.Raw, X509: xc, sum: sha256.Sum256(xc.Raw)}
}

// Parsed reports whether crypto/x509 accepted the certificate.
func (c *Cert) Parsed() bool { return c.X509 != nil }

// SHA256 returns the SHA-256 fingerprint of the DER bytes.
func (c *Cert) SHA256() [32]byte {
	if c.sum == ([32]byte{}) {
		// A Cert made without Parse or FromX509.
		return sha256.Sum256(c.Raw)
	}
	return c.sum
}

// SHA1 returns the SHA-1 fingerprint of the DER bytes.
func (c *Cert) SHA1() [20]byte { return sha1.Sum(c.Raw) }

// Fingerprint formats a digest as openssl prints it: upper-case hex pairs
// joined by colons.
func Fingerprint(sum []byte) string {
	const hexdigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(sum) * 3)
	for i, v := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteByte(hexdigits[v>>4])
		b.WriteByte(hexdigits[v&0x0f])
	}
	return b.String()
}

// SHA256Hex is the SHA-256 fingerprint as openssl prints it.
func (c *Cert) SHA256Hex() string { s := c.SHA256(); return Fingerprint(s[:]) }

// SHA1Hex is the SHA-1 fingerprint as openssl prints it.
func (c *Cert) SHA1Hex() string { s := c.SHA1(); return Fingerprint(s[:]) }

// ParseHex reads a fingerprint or serial number written as hex, with or
// without colons (or spaces), in any case. It returns nil for anything else.
func ParseHex(s string) []byte {
	s = strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if s == "" {
		return nil
	}
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil
	}
	return b
}

// Equal reports whether two certificates have the same DER bytes.
func (c *Cert) Equal(o *Cert) bool { return bytes.Equal(c.Raw, o.Raw) }

// Subject is the subject distinguished name in RFC 4514 form.
func (c *Cert) Subject() string {
	switch {
	case c.X509 != nil:
		return c.X509.Subject.String()
	case c.Lenient != nil:
		return c.Lenient.Subject.String()
	}
	return "(unparsable certificate)"
}

// Issuer is the issuer distinguished name in RFC 4514 form.
func (c *Cert) Issuer() string {
	switch {
	case c.X509 != nil:
		return c.X509.Issuer.String()
	case c.Lenient != nil:
		return c.Lenient.Issuer.String()
	}
	return ""
}

// SubjectName is the parsed subject, when either parser read it.
func (c *Cert) SubjectName() pkix.Name {
	switch {
	case c.X509 != nil:
		return c.X509.Subject
	case c.Lenient != nil:
		var n pkix.Name
		var rdns pkix.RDNSequence
		if _, err := asn1.Unmarshal(c.RawSubject(), &rdns); err == nil {
			n.FillFromRDNSequence(&rdns)
		}
		return n
	}
	return pkix.Name{}
}

// CommonName is the subject's CN, or "" when there is none.
func (c *Cert) CommonName() string {
	switch {
	case c.X509 != nil:
		return c.X509.Subject.CommonName
	case c.Lenient != nil:
		return c.Lenient.Subject.CommonName
	}
	return ""
}

// NotBefore is the start of the validity period (zero when unknown).
func (c *Cert) NotBefore() time.Time {
	switch {
	case c.X509 != nil:
		return c.X509.NotBefore
	case c.Lenient != nil:
		return c.Lenient.NotBefore
	}
	return time.Time{}
}

// NotAfter is the end of the validity period (zero when unknown).
func (c *Cert) NotAfter() time.Time {
	switch {
	case c.X509 != nil:
		return c.X509.NotAfter
	case c.Lenient != nil:
		return c.Lenient.NotAfter
	}
	return time.Time{}
}

// Serial is the serial number (nil when unknown). It may be negative in
// certificates that crypto/x509 refused.
func (c *Cert) Serial() *big.Int {
	switch {
	case c.X509 != nil:
		return c.X509.SerialNumber
	case c.Lenient != nil:
		return c.Lenient.SerialNumber
	}
	return nil
}

// SerialHex prints a serial number as openssl does: upper-case hex pairs
// joined by colons, with a leading minus sign for a negative one.
func SerialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	sign := ""
	if n.Sign() < 0 {
		sign = "-"
		n = new(big.Int).Neg(n)
	}
	b := n.Bytes()
	if len(b) == 0 {
		b = []byte{0}
	}
	return sign + Fingerprint(b)
}

// IsCA reports whether the certificate is a CA certificate: basic
// constraints with cA TRUE. A version 1 certificate that is self-signed
// (old roots have no extensions) also counts, as it does for keytool and
// for OpenSSL's trust store.
func (c *Cert) IsCA() bool {
	switch {
	case c.X509 != nil:
		if c.X509.BasicConstraintsValid {
			return c.X509.IsCA
		}
		return c.X509.Version < 3 && c.SelfIssued()
	case c.Lenient != nil:
		if c.Lenient.BasicConstraintsValid {
			return c.Lenient.IsCA
		}
		return c.Lenient.Version < 3 && c.SelfIssued()
	}
	return false
}

// RawSubject is the DER subject name, nil when neither parser read it.
func (c *Cert) RawSubject() []byte {
	switch {
	case c.X509 != nil:
		return c.X509.RawSubject
	case c.Lenient != nil:
		return c.Lenient.RawSubject
	}
	return nil
}

// RawIssuer is the DER issuer name, nil when neither parser read it.
func (c *Cert) RawIssuer() []byte {
	switch {
	case c.X509 != nil:
		return c.X509.RawIssuer
	case c.Lenient != nil:
		return c.Lenient.RawIssuer
	}
	return nil
}

// SelfIssued reports whether subject and issuer are the same name.
func (c *Cert) SelfIssued() bool {
	return c.RawSubject() != nil && bytes.Equal(c.RawSubject(), c.RawIssuer())
}

// SelfSigned reports whether the certificate is self-issued and its
// signature verifies with its own key.
func (c *Cert) SelfSigned() bool {
	if !c.SelfIssued() {
		return false
	}
	if c.X509 != nil {
		return c.X509.CheckSignatureFrom(c.X509) == nil
	}
	if c.Lenient != nil {
		return c.Lenient.CheckSignatureFrom(c.Lenient) == nil
	}
	return false
}

// DNSNames are the certificate's DNS subject alternative names.
func (c *Cert) DNSNames() []string {
	switch {
	case c.X509 != nil:
		return c.X509.DNSNames
	case c.Lenient != nil:
		return c.Lenient.DNSNames
	}
	return nil
}

// parallelMin is the number of certificates from which ParseAll spreads
// the work over the CPUs: below it, starting goroutines costs more than it
// saves.
const parallelMin = 64

// ParseAll parses many certificates, in order, using every CPU for large
// inputs (a 2,000-entry truststore spends most of its reading time in
// crypto/x509).
func ParseAll(ders [][]byte) []*Cert {
	out := make([]*Cert, len(ders))
	workers := runtime.GOMAXPROCS(0)
	if len(ders) < parallelMin || workers < 2 {
		for i, d := range ders {
			out[i] = Parse(d)
		}
		return out
	}
	var wg sync.WaitGroup
	chunk := (len(ders) + workers - 1) / workers
	for start := 0; start < len(ders); start += chunk {
		end := min(start+chunk, len(ders))
		wg.Add(1)
		go func(start, end int) {
			defer wg.Done()
			for i := start; i < end; i++ {
				out[i] = Parse(ders[i])
			}
		}(start, end)
	}
	wg.Wait()
	return out
}
