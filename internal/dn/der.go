package dn

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ErrNotName is returned by [ParseDER] for bytes that are not a DER
// distinguished name (RFC 5280 section 4.1.2.4: a SEQUENCE of SETs of
// type-and-value SEQUENCEs).
var ErrNotName = errors.New("not a distinguished name")

// ParseDER reads a DER-encoded name as a certificate, CSR or CRL carries
// it, keeping every attribute in its encoded order. It is lenient where
// crypto/x509 and encoding/asn1 are not: a PrintableString holding '@' or
// '*', a T61String (read as Latin-1, as OpenSSL does), a BMPString or a
// UniversalString all become Go strings; a value of any other type, or a
// string that is not valid in its encoding, and the value of an attribute
// type [Format] has no name for, is kept as an asn1.RawValue whose
// FullBytes [Format] writes as '#' and hex, as RFC 4514 section 2.4 says.
// Only a broken structure is an error ([ErrNotName]).
func ParseDER(der []byte) (pkix.RDNSequence, error) {
	in := cryptobyte.String(der)
	var name cryptobyte.String
	if !in.ReadASN1(&name, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, ErrNotName
	}
	seq := pkix.RDNSequence{}
	for !name.Empty() {
		var set cryptobyte.String
		if !name.ReadASN1(&set, cbasn1.SET) {
			return nil, ErrNotName
		}
		var rdn pkix.RelativeDistinguishedNameSET
		for !set.Empty() {
			var atv, value cryptobyte.String
			var oid asn1.ObjectIdentifier
			var tag cbasn1.Tag
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) ||
				!atv.ReadASN1ObjectIdentifier(&oid) ||
				!atv.ReadAnyASN1Element(&value, &tag) || !atv.Empty() {
				return nil, ErrNotName
			}
			var v any = asn1.RawValue{FullBytes: append([]byte(nil), value...)}
			if _, known := attrName(oid); known {
				v = decodeValue(value, tag)
			}
			rdn = append(rdn, pkix.AttributeTypeAndValue{Type: oid, Value: v})
		}
		if len(rdn) > 0 {
			seq = append(seq, rdn)
		}
	}
	return seq, nil
}

// FormatDER writes a DER name as [Format] does. ok is false, and the
// result empty, when der is not a name.
func FormatDER(der []byte) (s string, ok bool) {
	seq, err := ParseDER(der)
	if err != nil {
		return "", false
	}
	return Format(seq), true
}

// decodeValue turns an attribute value (a whole DER element) into a Go
// string when it is a string type whose content decodes, and into an
// asn1.RawValue otherwise.
func decodeValue(elem cryptobyte.String, tag cbasn1.Tag) any {
	raw := asn1.RawValue{FullBytes: append([]byte(nil), elem...)}
	var body cryptobyte.String
	if !elem.ReadASN1(&body, tag) {
		return raw
	}
	switch tag {
	case cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.IA5String, cbasn1.Tag(26), cbasn1.Tag(18): // VisibleString, NumericString
		if utf8.Valid(body) {
			return string(body)
		}
	case cbasn1.T61String:
		// OpenSSL and most readers take TeletexString as Latin-1.
		r := make([]rune, len(body))
		for i, c := range body {
			r[i] = rune(c)
		}
		return string(r)
	case cbasn1.Tag(30): // BMPString, UTF-16 big-endian
		if len(body)%2 == 0 {
			u := make([]uint16, len(body)/2)
			for i := range u {
				u[i] = uint16(body[2*i])<<8 | uint16(body[2*i+1])
			}
			if s, ok := validRunes(utf16.Decode(u)); ok {
				return s
			}
		}
	case cbasn1.Tag(28): // UniversalString, UTF-32 big-endian
		if len(body)%4 == 0 {
			r := make([]rune, len(body)/4)
			for i := range r {
				r[i] = rune(uint32(body[4*i])<<24 | uint32(body[4*i+1])<<16 | uint32(body[4*i+2])<<8 | uint32(body[4*i+3]))
			}
			if s, ok := validRunes(r); ok {
				return s
			}
		}
	}
	return raw
}

// validRunes returns r as a string unless it holds a rune that is not a
// valid Unicode scalar value (an unpaired surrogate, say), which would
// print as U+FFFD: a wrong value.
func validRunes(r []rune) (string, bool) {
	for _, c := range r {
		if !utf8.ValidRune(c) || c == utf8.RuneError {
			return "", false
		}
	}
	return string(r), true
}

// Subject writes the subject of a certificate crypto/x509 parsed as
// [Format] does, so that trustctl prints every name as openssl does.
// Should the raw name not read, it falls back on crypto/x509's form.
func Subject(c *x509.Certificate) string { return formatRaw(c.RawSubject, c.Subject) }

// Issuer writes the issuer name of a certificate as [Subject] does.
func Issuer(c *x509.Certificate) string { return formatRaw(c.RawIssuer, c.Issuer) }

func formatRaw(der []byte, parsed pkix.Name) string {
	if s, ok := FormatDER(der); ok {
		return s
	}
	return parsed.String()
}
