package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// RawTemplate describes a certificate field by field, for certificates
// that crypto/x509 refuses to make or to read but that exist in the wild
// and that openssl prints: a version 1 certificate whose inner and outer
// signature algorithms differ, a key with explicit curve parameters, a
// malformed time, a name constraint with a bad netmask.
type RawTemplate struct {
	// Version is 1 or 3 (0 means 3). A version 1 certificate has no
	// extensions, whatever Extensions holds.
	Version int
	// Serial is the serial number; nil picks the next serial of the process.
	Serial *big.Int
	// Subject and Issuer are in the forms [Name] reads; an empty Issuer
	// is the Subject. SubjectDER and IssuerDER, when set, are written
	// instead, as they are.
	Subject, Issuer       string
	SubjectDER, IssuerDER []byte
	// NotBefore and NotAfter default as in [Template]. NotBeforeRaw and
	// NotAfterRaw, when set, are written instead as whole DER elements
	// (see [RawTime]).
	NotBefore, NotAfter       time.Time
	NotBeforeRaw, NotAfterRaw []byte
	// Key is the subject's key (nil: a fresh P-256 key); SPKI, when set,
	// is written instead of Key's public key.
	Key  crypto.Signer
	SPKI []byte
	// InnerSigAlg is the signature algorithm written inside the signed
	// part; nil writes the outer one, which follows the signer's key.
	InnerSigAlg asn1.ObjectIdentifier
	Extensions  []pkix.Extension
	// SignWith signs the certificate; nil signs with Key (self-signed).
	SignWith crypto.Signer
}

// Signature algorithm identifiers used by [RawCert].
var (
	OIDECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	OIDSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
)

// RawCert builds and signs the certificate t describes and returns its DER
// and the subject's key. It writes every field itself with cryptobyte, so
// it makes what crypto/x509.CreateCertificate would refuse.
func RawCert(tb testing.TB, t RawTemplate) ([]byte, crypto.Signer) {
	tb.Helper()
	if t.Key == nil {
		t.Key = ECKey(tb)
	}
	signer := t.SignWith
	if signer == nil {
		signer = t.Key
	}
	outer := OIDECDSAWithSHA256
	if _, ok := signer.Public().(*rsa.PublicKey); ok {
		outer = OIDSHA256WithRSA
	}
	inner := t.InnerSigAlg
	if inner == nil {
		inner = outer
	}
	sn := t.Serial
	if sn == nil {
		sn = big.NewInt(1000 + serial.Add(1))
	}
	subject := t.SubjectDER
	if subject == nil {
		subject = mustMarshal(tb, Name(t.Subject).ToRDNSequence())
	}
	issuer := t.IssuerDER
	switch {
	case issuer != nil:
	case t.Issuer != "":
		issuer = mustMarshal(tb, Name(t.Issuer).ToRDNSequence())
	default:
		issuer = subject
	}
	nb, na := t.NotBeforeRaw, t.NotAfterRaw
	if nb == nil {
		when := t.NotBefore
		if when.IsZero() {
			when = Now.AddDate(-1, 0, 0)
		}
		nb = RawTime(when.UTC().Format("060102150405Z"))
	}
	if na == nil {
		when := t.NotAfter
		if when.IsZero() {
			when = Now.AddDate(10, 0, 0)
		}
		na = RawTime(when.UTC().Format("060102150405Z"))
	}
	spki := t.SPKI
	if spki == nil {
		var err error
		if spki, err = x509.MarshalPKIXPublicKey(t.Key.Public()); err != nil {
			tb.Fatal(err)
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if t.Version != 1 {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1Int64(2)
			})
		}
		b.AddASN1BigInt(sn)
		addAlg(b, inner)
		b.AddBytes(issuer)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(nb)
			b.AddBytes(na)
		})
		b.AddBytes(subject)
		b.AddBytes(spki)
		if t.Version != 1 && len(t.Extensions) > 0 {
			b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddBytes(mustMarshal(tb, t.Extensions))
			})
		}
	})
	tbs := b.BytesOrPanic()
	sum := sha256.Sum256(tbs)
	sig, err := signer.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		tb.Fatal(err)
	}
	var c cryptobyte.Builder
	c.AddASN1(cbasn1.SEQUENCE, func(c *cryptobyte.Builder) {
		c.AddBytes(tbs)
		addAlg(c, outer)
		c.AddASN1BitString(sig)
	})
	return c.BytesOrPanic(), t.Key
}

// addAlg writes an AlgorithmIdentifier; RSA algorithms carry NULL
// parameters, ECDSA ones none (RFC 4055, RFC 5758).
func addAlg(b *cryptobyte.Builder, oid asn1.ObjectIdentifier) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if oid[0] == 1 && oid[1] == 2 && len(oid) > 5 && oid[4] == 113549 {
			b.AddASN1NULL()
		}
	})
}

// RawTime is a UTCTime element holding s as it is, well-formed or not
// ("2401011200Z" has no seconds, which RFC 5280 requires).
func RawTime(s string) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.UTCTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
	return b.BytesOrPanic()
}

// ExplicitP256SPKI is the subject public key info of pub with the P-256
// curve spelled out as explicit parameters (RFC 3279 section 2.3.5
// ECParameters) rather than named by its OID, as some old smart-card and
// Java-made certificates have it.
func ExplicitP256SPKI(tb testing.TB, pub *ecdsa.PublicKey) []byte {
	tb.Helper()
	p := elliptic.P256().Params()
	point, err := pub.Bytes()
	if err != nil {
		tb.Fatal(err)
	}
	fe := func(n *big.Int) []byte { return n.FillBytes(make([]byte, 32)) }
	a := new(big.Int).Sub(p.P, big.NewInt(3))
	base := append([]byte{4}, append(fe(p.Gx), fe(p.Gy)...)...)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1})
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1})
					b.AddASN1BigInt(p.P)
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(fe(a))
					b.AddASN1OctetString(fe(p.B))
				})
				b.AddASN1OctetString(base)
				b.AddASN1BigInt(p.N)
				b.AddASN1Int64(1)
			})
		})
		b.AddASN1BitString(point)
	})
	return b.BytesOrPanic()
}

// BasicConstraints is the basicConstraints extension, critical, with
// pathLen written when it is 0 or more.
func BasicConstraints(tb testing.TB, ca bool, pathLen int) pkix.Extension {
	tb.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if ca {
			b.AddASN1Boolean(true)
		}
		if pathLen >= 0 {
			b.AddASN1Int64(int64(pathLen))
		}
	})
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: b.BytesOrPanic()}
}

// IPConstraint is a nameConstraints extension permitting one iPAddress
// subtree given as address and mask bytes exactly (RFC 5280 section
// 4.2.1.10), so a mask that is not a prefix can be written.
func IPConstraint(tb testing.TB, addr, mask []byte) pkix.Extension {
	tb.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(7).ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddBytes(addr)
					b.AddBytes(mask)
				})
			})
		})
	})
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 30}, Critical: true, Value: b.BytesOrPanic()}
}

// PEMCert wraps DER in a CERTIFICATE block.
func PEMCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func mustMarshal(tb testing.TB, v any) []byte {
	tb.Helper()
	der, err := asn1.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

// Refused is a certificate crypto/x509 refuses and openssl prints, with
// what a reader should find in it.
type Refused struct {
	Name    string // a short name for tests and files
	DER     []byte
	Subject string // RFC 4514, as openssl -nameopt RFC2253 prints it
	IsCA    bool
	// CAKnown is false when the CA flag cannot be read.
	CAKnown bool
	Key     string // as trustctl describes it
}

// RefusedCerts makes one certificate of each kind crypto/x509 refuses and
// openssl prints: a version 1 root whose inner and outer signature
// algorithms differ, a CA whose EC key has explicit curve parameters, a CA
// whose notAfter has fractional seconds, a CA with an IP name constraint
// whose netmask is not a prefix, and a certificate whose basicConstraints
// extension does not decode (its CA flag cannot be read).
func RefusedCerts(tb testing.TB) []Refused {
	tb.Helper()
	k := ECKey(tb)
	ecPub := k.Public().(*ecdsa.PublicKey)
	ca := BasicConstraints(tb, true, -1)
	build := func(t RawTemplate) []byte {
		t.Key = k
		der, _ := RawCert(tb, t)
		return der
	}
	return []Refused{
		{Name: "v1-mismatched-algorithms", IsCA: true, CAKnown: true, Key: "ECDSA P-256",
			Subject: "CN=Old V1 Root,O=Old Roots Inc,C=US",
			DER: build(RawTemplate{Version: 1, Subject: "CN=Old V1 Root,O=Old Roots Inc,C=US",
				InnerSigAlg: OIDSHA256WithRSA})},
		{Name: "explicit-curve", IsCA: true, CAKnown: true, Key: "ECDSA P-256 (explicit curve parameters)",
			Subject: "CN=Explicit Curve CA,O=Smartcard Corp",
			DER: build(RawTemplate{Subject: "CN=Explicit Curve CA,O=Smartcard Corp",
				SPKI: ExplicitP256SPKI(tb, ecPub), Extensions: []pkix.Extension{ca}})},
		{Name: "fractional-time", IsCA: true, CAKnown: true, Key: "ECDSA P-256",
			Subject: "CN=Fractional Time CA",
			DER: build(RawTemplate{Subject: "CN=Fractional Time CA", Extensions: []pkix.Extension{ca},
				NotAfterRaw: rawGeneralizedTime("20360601120000.5Z")})},
		{Name: "bad-netmask", IsCA: true, CAKnown: true, Key: "ECDSA P-256",
			Subject: "CN=Netmask CA,O=Acme Corp",
			DER: build(RawTemplate{Subject: "CN=Netmask CA,O=Acme Corp", Extensions: []pkix.Extension{ca,
				IPConstraint(tb, []byte{10, 0, 0, 0}, []byte{255, 0, 255, 0})}})},
		{Name: "unreadable-basic-constraints", IsCA: false, CAKnown: false, Key: "ECDSA P-256",
			Subject: "CN=Garbled Constraints CA",
			DER: build(RawTemplate{Subject: "CN=Garbled Constraints CA", Extensions: []pkix.Extension{
				{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: []byte{0x30, 0x03, 0x01, 0x01}}}})},
	}
}

func rawGeneralizedTime(s string) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
	return b.BytesOrPanic()
}
