package certs

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"strconv"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// fields is a certificate read field by field with cryptobyte, for the
// certificates crypto/x509 refuses as a whole (RFC 5280 section 4.1). Each
// field is read on its own, as OpenSSL reads them; a field that cannot be
// read is left at its zero value, which the accessors of [Cert] report as
// unknown, never as a value.
type fields struct {
	version  int      // 1, 2 or 3; 0 when unreadable
	serial   *big.Int // nil when unreadable
	innerAlg asn1.ObjectIdentifier
	outerAlg asn1.ObjectIdentifier
	// rawIssuer and rawSubject are the whole DER names.
	rawIssuer, rawSubject []byte
	// notBefore and notAfter are zero when unreadable.
	notBefore, notAfter time.Time
	key                 keyInfo
	// exts is nil when the certificate has no extensions; extsBroken is
	// true when the extensions field is there but could not be read.
	exts       []pkix.Extension
	extsBroken bool
	tbs, sig   []byte
}

// readFields reads der's structure: a SEQUENCE of the to-be-signed
// SEQUENCE, an AlgorithmIdentifier and a BIT STRING, the to-be-signed part
// holding, in order, an optional [0] version, a serial INTEGER and five
// SEQUENCEs (signature algorithm, issuer, validity, subject, key), then
// optional [1], [2] and [3] fields. It returns nil when der does not have
// that shape: then der is not a certificate (a CRL's fourth field is a
// time, a CSR's an [0] attribute set). Within the shape it never fails.
func readFields(der []byte) *fields {
	in := cryptobyte.String(der)
	var cert, tbs, alg, sig cryptobyte.String
	var tbsFull cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !in.Empty() ||
		!cert.ReadASN1Element(&tbsFull, cbasn1.SEQUENCE) ||
		!cert.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!cert.ReadASN1(&sig, cbasn1.BIT_STRING) || !cert.Empty() {
		return nil
	}
	tbsCopy := tbsFull
	if !tbsCopy.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil
	}
	f := &fields{tbs: tbsFull, version: 1}
	if len(sig) > 0 && sig[0] == 0 {
		f.sig = sig[1:]
	}
	f.outerAlg = readAlgOID(alg)

	tagVersion := cbasn1.Tag(0).Constructed().ContextSpecific()
	if tbs.PeekASN1Tag(tagVersion) {
		var v cryptobyte.String
		tbs.ReadASN1(&v, tagVersion)
		f.version = 0
		var n cryptobyte.String
		if v.ReadASN1(&n, cbasn1.INTEGER) && v.Empty() && len(n) == 1 && n[0] <= 2 {
			f.version = int(n[0]) + 1
		}
	}
	var serial, inner, issuer, validity, subject, spki cryptobyte.String
	if !tbs.ReadASN1(&serial, cbasn1.INTEGER) ||
		!tbs.ReadASN1(&inner, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1(&validity, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return nil
	}
	f.serial = twosComplement(serial)
	f.innerAlg = readAlgOID(inner)
	f.rawIssuer, f.rawSubject = issuer, subject
	f.notBefore = readTime(&validity)
	f.notAfter = readTime(&validity)
	f.key = describeSPKI(spki)
	for _, tag := range []cbasn1.Tag{cbasn1.Tag(1).ContextSpecific(), cbasn1.Tag(2).ContextSpecific(),
		cbasn1.Tag(1).ContextSpecific().Constructed(), cbasn1.Tag(2).ContextSpecific().Constructed()} {
		tbs.SkipOptionalASN1(tag)
	}
	tagExts := cbasn1.Tag(3).Constructed().ContextSpecific()
	if tbs.PeekASN1Tag(tagExts) {
		var wrap cryptobyte.String
		tbs.ReadASN1(&wrap, tagExts)
		f.exts, f.extsBroken = readExtensions(wrap)
	}
	return f
}

// twosComplement reads an INTEGER's content as OpenSSL does, accepting the
// non-minimal encodings (a leading 00 or FF) that old certificates have
// and that crypto/x509 refuses. It returns nil for empty content.
func twosComplement(b []byte) *big.Int {
	if len(b) == 0 {
		return nil
	}
	n := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b)*8)))
	}
	return n
}

func readAlgOID(alg cryptobyte.String) asn1.ObjectIdentifier {
	var oid asn1.ObjectIdentifier
	if !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil
	}
	return oid
}

func readExtensions(wrap cryptobyte.String) ([]pkix.Extension, bool) {
	var list cryptobyte.String
	if !wrap.ReadASN1(&list, cbasn1.SEQUENCE) || !wrap.Empty() {
		return nil, true
	}
	exts := []pkix.Extension{}
	for !list.Empty() {
		var ext cryptobyte.String
		var e pkix.Extension
		if !list.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&e.Id) {
			return exts, true
		}
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) {
			var b cryptobyte.String
			ext.ReadASN1(&b, cbasn1.BOOLEAN)
			e.Critical = len(b) == 1 && b[0] != 0
		}
		var v cryptobyte.String
		if !ext.ReadASN1(&v, cbasn1.OCTET_STRING) {
			return exts, true
		}
		e.Value = v
		exts = append(exts, e)
	}
	return exts, false
}

// readTime reads the next UTCTime or GeneralizedTime of s as OpenSSL does
// when it prints a certificate (crypto/x509 is stricter): seconds may be
// left out, a GeneralizedTime may have fractional seconds, and the zone is
// Z or an offset from UTC. It returns the zero time for anything else, and
// still moves past the element.
func readTime(s *cryptobyte.String) time.Time {
	var body cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&body, &tag) {
		return time.Time{}
	}
	switch tag {
	case cbasn1.UTCTime:
		return parseTime(string(body), false)
	case cbasn1.GeneralizedTime:
		return parseTime(string(body), true)
	}
	return time.Time{}
}

// parseTime reads YYMMDDhhmm[ss]Z (UTCTime; years 50-99 are 19xx, RFC 5280
// section 4.1.2.5.1) or YYYYMMDDhhmm[ss[.f...]]Z (GeneralizedTime), where
// Z may also be +hhmm or -hhmm. A value out of its range (month 13, 31
// April) gives the zero time.
func parseTime(s string, generalized bool) time.Time {
	num := func(n int) (int, bool) {
		if len(s) < n {
			return 0, false
		}
		v := 0
		for i := 0; i < n; i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			v = v*10 + int(s[i]-'0')
		}
		s = s[n:]
		return v, true
	}
	var year int
	var ok bool
	if generalized {
		year, ok = num(4)
	} else {
		year, ok = num(2)
		if year < 50 {
			year += 2000
		} else {
			year += 1900
		}
	}
	month, ok1 := num(2)
	day, ok2 := num(2)
	hour, ok3 := num(2)
	minute, ok4 := num(2)
	if !ok || !ok1 || !ok2 || !ok3 || !ok4 {
		return time.Time{}
	}
	sec := 0
	if len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
		if sec, ok = num(2); !ok {
			return time.Time{}
		}
	}
	nsec := 0
	if generalized && len(s) > 1 && s[0] == '.' {
		s = s[1:]
		digits := 0
		for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
			digits++
		}
		if digits == 0 {
			return time.Time{}
		}
		frac := s[:min(digits, 9)]
		n, _ := strconv.Atoi(frac)
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		nsec, s = n, s[digits:]
	}
	offset := 0
	switch {
	case s == "Z":
	case len(s) == 5 && (s[0] == '+' || s[0] == '-'):
		sign := 1
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
		oh, ok1 := num(2)
		om, ok2 := num(2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}
		}
		offset = sign * (oh*3600 + om*60)
	default:
		return time.Time{}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Month() != time.Month(month) || t.Day() != day || t.Hour() != hour || t.Minute() != minute || t.Second() != sec {
		return time.Time{}
	}
	return t.Add(-time.Duration(offset) * time.Second)
}

// signatureAlgorithms maps the signature algorithm identifiers crypto/x509
// can check to its constants (RFC 3279, RFC 4055, RFC 5758, RFC 8410).
var signatureAlgorithms = []struct {
	oid asn1.ObjectIdentifier
	alg x509.SignatureAlgorithm
}{
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}, x509.MD5WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, x509.SHA1WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, x509.SHA256WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, x509.SHA384WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, x509.SHA512WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 3}, x509.DSAWithSHA1},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 2}, x509.DSAWithSHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, x509.ECDSAWithSHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, x509.ECDSAWithSHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, x509.ECDSAWithSHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, x509.ECDSAWithSHA512},
	{asn1.ObjectIdentifier{1, 3, 101, 112}, x509.PureEd25519},
}

// signatureAlgorithm returns crypto/x509's constant for oid, or
// UnknownSignatureAlgorithm (RSASSA-PSS among them: its hash is in
// parameters this table does not read).
func signatureAlgorithm(oid asn1.ObjectIdentifier) x509.SignatureAlgorithm {
	for _, s := range signatureAlgorithms {
		if s.oid.Equal(oid) {
			return s.alg
		}
	}
	return x509.UnknownSignatureAlgorithm
}

// signatureName names a signature algorithm as crypto/x509 does
// ("ECDSA-SHA256"), or "RSASSA-PSS", or its dotted OID; "" for none.
func signatureName(oid asn1.ObjectIdentifier) string {
	if oid == nil {
		return ""
	}
	if a := signatureAlgorithm(oid); a != x509.UnknownSignatureAlgorithm {
		return a.String()
	}
	if oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}) {
		return "RSASSA-PSS"
	}
	return oid.String()
}

// checkSignature reports whether pub made sig over signed with the
// algorithm oid names. Like crypto/x509's Certificate.CheckSignature it
// accepts SHA-1 (whether a certificate is self-signed does not depend on
// how strong its hash is) and refuses MD5; an algorithm it does not know
// is an error.
func checkSignature(oid asn1.ObjectIdentifier, signed, sig []byte, pub crypto.PublicKey) error {
	probe := &x509.Certificate{PublicKey: pub}
	return probe.CheckSignature(signatureAlgorithm(oid), signed, sig)
}
