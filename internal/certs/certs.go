// Package certs holds the one certificate type every other package passes
// around: the DER bytes exactly as they were read, the crypto/x509 parse when
// Go accepts the certificate, and a lenient parse when it does not.
//
// Old trust stores and old PKIs carry certificates that crypto/x509 refuses
// (a negative serial number, a version 1 certificate whose two signature
// algorithm fields differ, an EC key with explicit curve parameters, a time
// with fractional seconds, a name constraint whose netmask is not a prefix)
// and that OpenSSL prints. Such a certificate must still be listed, shown
// and written back unchanged, so [Cert] never drops its raw bytes and reads
// the fields people look at on its own, field by field with cryptobyte, as
// OpenSSL does. A field that cannot be read is reported as unknown (a nil,
// a zero time, a false "known"), never as a value it does not have. The
// certificate-transparency-go parse is kept too, for callers that want its
// fuller view when it succeeds.
package certs

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"math/big"
	"runtime"
	"strings"
	"sync"
	"time"

	ctx509 "github.com/google/certificate-transparency-go/x509"

	"github.com/trustctl/trustctl/internal/dn"
)

// Cert is one certificate. Raw is always set; X509 is nil when crypto/x509
// refused the certificate, in which case ParseErr says why and Lenient holds
// what the lenient parser could read (it may be nil too).
type Cert struct {
	Raw      []byte
	X509     *x509.Certificate
	ParseErr error
	Lenient  *ctx509.Certificate

	// read is this package's own field-by-field reading of a certificate
	// crypto/x509 refused; nil when X509 is set or Raw is not shaped like
	// a certificate at all.
	read *fields

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
	c.read = readFields(der)
	if lc, err := ctx509.ParseCertificate(der); err == nil || lc != nil {
		c.Lenient = lc
	}
	return c
}

// Readable reports whether der has the structure of a certificate
// (RFC 5280 section 4.1), whether or not crypto/x509 accepts it. A CRL, a
// CSR, a key or a PKCS#12 file does not.
func Readable(der []byte) bool { return readFields(der) != nil }

// Readable reports whether the certificate was read, by crypto/x509 or
// field by field.
func (c *Cert) Readable() bool { return c.X509 != nil || c.read != nil }

// Refusal says in words why crypto/x509 refused the certificate, or ""
// when it did not: its message without the "x509: " prefix, or, when that
// message would expose a decoder's internals, that the encoding is
// malformed.
func (c *Cert) Refusal() string {
	if c.ParseErr == nil {
		return ""
	}
	msg := strings.TrimPrefix(c.ParseErr.Error(), "x509: ")
	if strings.Contains(msg, "asn1:") || strings.ContainsAny(msg, "{}") {
		return "its encoding is malformed"
	}
	return msg
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
// An odd number of digits is read with a leading zero, as a serial may be
// written; [ParseFingerprint] refuses it.
func ParseHex(s string) []byte {
	s = HexDigits(s)
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

// ParseFingerprint reads a fingerprint as [ParseHex] does, but an odd
// number of hex digits is nil: a fingerprint always has two per byte, so
// one digit fewer is a typo, never another fingerprint.
func ParseFingerprint(s string) []byte {
	if len(HexDigits(s))%2 == 1 {
		return nil
	}
	return ParseHex(s)
}

// HexDigits is s without the separators [ParseHex] allows (colons, spaces,
// dashes) and without a 0x prefix.
func HexDigits(s string) string {
	s = strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	return strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
}

// Equal reports whether two certificates have the same DER bytes.
func (c *Cert) Equal(o *Cert) bool { return bytes.Equal(c.Raw, o.Raw) }

// Unreadable is what [Cert.Subject] says of a subject that could not be read.
const Unreadable = "(unreadable subject)"

// SubjectDN is the subject distinguished name in RFC 4514 form, as
// `openssl x509 -nameopt RFC2253` prints it (see dn.Format); ok is false
// when it could not be read.
func (c *Cert) SubjectDN() (name string, ok bool) { return dn.FormatDER(c.RawSubject()) }

// IssuerDN is the issuer distinguished name as [Cert.SubjectDN] writes it.
func (c *Cert) IssuerDN() (name string, ok bool) { return dn.FormatDER(c.RawIssuer()) }

// Subject is the subject distinguished name (see [Cert.SubjectDN]), or
// [Unreadable].
func (c *Cert) Subject() string {
	if s, ok := c.SubjectDN(); ok {
		return s
	}
	return Unreadable
}

// Issuer is the issuer distinguished name (see [Cert.SubjectDN]), or "".
func (c *Cert) Issuer() string {
	s, _ := c.IssuerDN()
	return s
}

// SubjectName is the parsed subject, when either parser read it.
func (c *Cert) SubjectName() pkix.Name {
	switch {
	case c.X509 != nil:
		return c.X509.Subject
	case c.read != nil:
		var n pkix.Name
		if rdns, err := dn.ParseDER(c.read.rawSubject); err == nil {
			n.FillFromRDNSequence(&rdns)
		}
		return n
	}
	return pkix.Name{}
}

// CommonName is the subject's CN, or "" when there is none.
func (c *Cert) CommonName() string { return c.SubjectName().CommonName }

// NotBefore is the start of the validity period (zero when unknown).
func (c *Cert) NotBefore() time.Time {
	switch {
	case c.X509 != nil:
		return c.X509.NotBefore
	case c.read != nil:
		return c.read.notBefore
	}
	return time.Time{}
}

// NotAfter is the end of the validity period (zero when unknown).
func (c *Cert) NotAfter() time.Time {
	switch {
	case c.X509 != nil:
		return c.X509.NotAfter
	case c.read != nil:
		return c.read.notAfter
	}
	return time.Time{}
}

// Serial is the serial number (nil when unknown). It may be negative in
// certificates that crypto/x509 refused.
func (c *Cert) Serial() *big.Int {
	switch {
	case c.X509 != nil:
		return c.X509.SerialNumber
	case c.read != nil:
		return c.read.serial
	}
	return nil
}

// Version is the certificate's version, 1 to 3, or 0 when unknown.
func (c *Cert) Version() int {
	switch {
	case c.X509 != nil:
		return c.X509.Version
	case c.read != nil:
		return c.read.version
	}
	return 0
}

// PublicKey is the subject's public key, or nil when it cannot be used:
// unreadable, or of a kind crypto/x509 does not handle.
func (c *Cert) PublicKey() crypto.PublicKey {
	switch {
	case c.X509 != nil:
		return c.X509.PublicKey
	case c.read != nil:
		return c.read.key.pub
	}
	return nil
}

// KeyDescription names the subject's key for people ("RSA 2048", "ECDSA
// P-256", "ECDSA P-256 (explicit curve parameters)", "DSA 1024"), or ""
// when nothing of it could be read.
func (c *Cert) KeyDescription() string {
	switch {
	case c.X509 != nil:
		return describeSPKI(c.X509.RawSubjectPublicKeyInfo).desc
	case c.read != nil:
		return c.read.key.desc
	}
	return ""
}

// SignatureAlgorithm names the algorithm of the certificate's signature as
// crypto/x509 does ("ECDSA-SHA256"), or "" when unknown. InnerSignatureAlgorithm
// is the one written inside the signed part, which RFC 5280 section 4.1.1.2
// requires to be the same; it is "" when it is.
func (c *Cert) SignatureAlgorithm() string {
	switch {
	case c.X509 != nil:
		return c.X509.SignatureAlgorithm.String()
	case c.read != nil:
		return signatureName(c.read.outerAlg)
	}
	return ""
}

// InnerSignatureAlgorithm: see [Cert.SignatureAlgorithm].
func (c *Cert) InnerSignatureAlgorithm() string {
	if c.read == nil || c.read.innerAlg.Equal(c.read.outerAlg) {
		return ""
	}
	return signatureName(c.read.innerAlg)
}

// Extensions describes the extensions people look at. For a certificate
// crypto/x509 refused, those that could not be read are named in
// Unreadable.
func (c *Cert) Extensions() Extensions {
	switch {
	case c.X509 != nil:
		return fromX509(c.X509)
	case c.read != nil:
		return readExtensionValues(c.read)
	}
	return Extensions{}
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

// IsCA reports whether the certificate is known to be a CA certificate
// (see [Cert.CA]); false when it is not, or when that cannot be read.
func (c *Cert) IsCA() bool {
	isCA, known := c.CA()
	return isCA && known
}

// CA reports whether the certificate is a CA certificate: basic
// constraints with cA TRUE. A version 1 or 2 certificate that is
// self-issued (old roots have no extensions) also counts, as it does for
// keytool and for OpenSSL's trust store. known is false when the answer
// cannot be read: the certificate, its version or its basicConstraints
// extension is unreadable.
func (c *Cert) CA() (isCA, known bool) {
	switch {
	case c.X509 != nil:
		if c.X509.BasicConstraintsValid {
			return c.X509.IsCA, true
		}
		return c.X509.Version < 3 && c.SelfIssued(), true
	case c.read != nil:
		f := c.read
		if f.version == 0 {
			return false, false
		}
		if f.version < 3 {
			return c.SelfIssued(), true
		}
		if bc := findExtension(f.exts, oidBC); bc != nil {
			isCA, _, ok := readBasicConstraints(bc.Value)
			return isCA && ok, ok
		}
		return false, !f.extsBroken
	}
	return false, false
}

// MaxPathLen is the pathLenConstraint of a CA certificate's basic
// constraints; ok is false when there is none, or when it is unknown.
func (c *Cert) MaxPathLen() (n int, ok bool) {
	switch {
	case c.X509 != nil:
		x := c.X509
		if x.BasicConstraintsValid && x.IsCA && (x.MaxPathLen > 0 || x.MaxPathLenZero) {
			return x.MaxPathLen, true
		}
	case c.read != nil:
		if bc := findExtension(c.read.exts, oidBC); bc != nil {
			isCA, n, ok := readBasicConstraints(bc.Value)
			return n, ok && isCA && n >= 0
		}
	}
	return 0, false
}

// RawSubject is the DER subject name, nil when it could not be read.
func (c *Cert) RawSubject() []byte {
	switch {
	case c.X509 != nil:
		return c.X509.RawSubject
	case c.read != nil:
		return c.read.rawSubject
	}
	return nil
}

// RawIssuer is the DER issuer name, nil when it could not be read.
func (c *Cert) RawIssuer() []byte {
	switch {
	case c.X509 != nil:
		return c.X509.RawIssuer
	case c.read != nil:
		return c.read.rawIssuer
	}
	return nil
}

// SelfIssued reports whether subject and issuer are the same name.
func (c *Cert) SelfIssued() bool {
	return c.RawSubject() != nil && bytes.Equal(c.RawSubject(), c.RawIssuer())
}

// SelfSigned reports whether the certificate is self-issued and its
// signature verifies with its own key (see [Cert.SelfSignedKnown]).
func (c *Cert) SelfSigned() bool {
	self, known := c.SelfSignedKnown()
	return self && known
}

// SelfSignedKnown reports whether the certificate is self-issued and its
// signature verifies with its own key. A SHA-1 signature counts: whether
// a root signed itself does not depend on the strength of its hash (old
// roots are SHA-1 signed). known is false when that cannot be decided: a
// self-issued certificate whose key or signature algorithm crypto/x509
// cannot use.
func (c *Cert) SelfSignedKnown() (self, known bool) {
	if !c.SelfIssued() {
		return false, c.RawSubject() != nil && c.RawIssuer() != nil
	}
	var err error
	switch {
	case c.X509 != nil:
		x := c.X509
		err = x.CheckSignature(x.SignatureAlgorithm, x.RawTBSCertificate, x.Signature)
	case c.read != nil && c.read.key.pub != nil:
		err = checkSignature(c.read.outerAlg, c.read.tbs, c.read.sig, c.read.key.pub)
	default:
		return false, false
	}
	var unsupported x509.InsecureAlgorithmError
	if errors.Is(err, x509.ErrUnsupportedAlgorithm) || errors.As(err, &unsupported) {
		return false, false
	}
	return err == nil, true
}

// DNSNames are the certificate's DNS subject alternative names.
func (c *Cert) DNSNames() []string {
	if c.X509 != nil {
		return c.X509.DNSNames
	}
	return c.Extensions().DNSNames
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
