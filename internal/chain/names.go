package chain

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"net"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	dnfmt "github.com/trustctl/trustctl/internal/dn"
)

// dn is a distinguished name as encoded: a sequence of RDNs, each a set of
// attribute type and value pairs, with each value's tag kept so names can
// be compared as RFC 5280 §7.1 says.
type dn []rdnSet

type rdnSet []atv

type atv struct {
	oid asn1.ObjectIdentifier
	tag cbasn1.Tag
	raw []byte
}

func parseDN(der []byte) (dn, error) {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed name")
	}
	var out dn
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) {
			return nil, errors.New("malformed relative distinguished name")
		}
		var r rdnSet
		for !set.Empty() {
			var a cryptobyte.String
			var x atv
			var v cryptobyte.String
			if !set.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&x.oid) || !a.ReadAnyASN1(&v, &x.tag) {
				return nil, errors.New("malformed attribute")
			}
			x.raw = v
			r = append(r, x)
		}
		if len(r) == 0 {
			return nil, errors.New("empty relative distinguished name")
		}
		out = append(out, r)
	}
	return out, nil
}

// text decodes a string value; ok is false for a value of another type.
func (a atv) textOK() (string, bool) {
	switch a.tag {
	case cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.IA5String, cbasn1.T61String, 26 /* VisibleString */, 27 /* GeneralString */ :
		if a.tag == cbasn1.UTF8String && !utf8.Valid(a.raw) {
			return "", false
		}
		if a.tag == cbasn1.T61String || a.tag == 27 {
			// Latin-1 is the usual reading of TeletexString in practice.
			r := make([]rune, len(a.raw))
			for i, b := range a.raw {
				r[i] = rune(b)
			}
			return string(r), true
		}
		return string(a.raw), true
	case 30: // BMPString
		if len(a.raw)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(a.raw)/2)
		for i := range u {
			u[i] = uint16(a.raw[2*i])<<8 | uint16(a.raw[2*i+1])
		}
		return string(utf16.Decode(u)), true
	case 28: // UniversalString
		if len(a.raw)%4 != 0 {
			return "", false
		}
		r := make([]rune, len(a.raw)/4)
		for i := range r {
			b := a.raw[4*i:]
			r[i] = rune(uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]))
		}
		return string(r), true
	}
	return "", false
}

func (a atv) text() any {
	if s, ok := a.textOK(); ok {
		return s
	}
	return asn1.RawValue{Tag: int(a.tag & 0x1f), Class: int(a.tag >> 6), Bytes: a.raw}
}

// normalise is RFC 5280 §7.1's comparison form of a string value (a
// simplification of RFC 4518): case folded, leading and trailing
// whitespace removed and inner runs of whitespace folded to one space, the
// same whatever the string type.
func normalise(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

func (a atv) key() string {
	if s, ok := a.textOK(); ok {
		return a.oid.String() + "=" + normalise(s)
	}
	return a.oid.String() + "#" + string(rune(a.tag)) + string(a.raw)
}

func (r rdnSet) key() string {
	ks := make([]string, len(r))
	for i, a := range r {
		ks[i] = a.key()
	}
	sort.Strings(ks)
	return strings.Join(ks, "\x01")
}

// key is the normalised form of a name: two names match (RFC 5280 §7.1)
// exactly when their keys are equal.
func (d dn) key() string {
	ks := make([]string, len(d))
	for i, r := range d {
		ks[i] = r.key()
	}
	return strings.Join(ks, "\x00")
}

// within reports whether base is a prefix of d, RDN by RDN (the
// directoryName subtree test of RFC 5280 §4.2.1.10).
func (d dn) within(base dn) bool {
	if len(base) > len(d) {
		return false
	}
	for i := range base {
		if base[i].key() != d[i].key() {
			return false
		}
	}
	return true
}

// String is the RFC 4514 form as openssl prints it (see package
// internal/dn), as trustctl prints every name.
func (d dn) String() string {
	var seq pkix.RDNSequence
	for _, r := range d {
		var set pkix.RelativeDistinguishedNameSET
		for _, a := range r {
			set = append(set, pkix.AttributeTypeAndValue{Type: a.oid, Value: a.text()})
		}
		seq = append(seq, set)
	}
	return dnfmt.Format(seq)
}

// emails are the legacy emailAddress attributes of a subject (RFC 5280
// §4.2.1.10: they are held to rfc822Name constraints).
func (d dn) emails() []string { return d.values(oidEmailAttr) }

// commonNames are the CN attribute values.
func (d dn) commonNames() []string { return d.values(oidCNAttr) }

// values are the readable values of the attributes of type oid, in order.
func (d dn) values(oid asn1.ObjectIdentifier) []string {
	var out []string
	for _, r := range d {
		for _, a := range r {
			if a.oid.Equal(oid) {
				if s, ok := a.textOK(); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// parseGeneralNames reads a GeneralNames SEQUENCE's content into names;
// it returns the number of names of kinds it does not keep.
func parseGeneralNames(s cryptobyte.String, out *names) (other int, err error) {
	for !s.Empty() {
		var v cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1(&v, &tag) {
			return other, errors.New("malformed general name")
		}
		switch tag {
		case cbasn1.Tag(1).ContextSpecific():
			out.Email = append(out.Email, string(v))
		case cbasn1.Tag(2).ContextSpecific():
			out.DNS = append(out.DNS, string(v))
		case cbasn1.Tag(6).ContextSpecific():
			out.URI = append(out.URI, string(v))
		case cbasn1.Tag(7).ContextSpecific():
			if len(v) != 4 && len(v) != 16 {
				return other, errors.New("an IP address that is neither 4 nor 16 bytes")
			}
			out.IP = append(out.IP, net.IP(append([]byte(nil), v...)))
		case cbasn1.Tag(4).ContextSpecific().Constructed():
			var inner cryptobyte.String
			if !v.ReadASN1Element(&inner, cbasn1.SEQUENCE) {
				return other, errors.New("malformed directory name")
			}
			d, err := parseDN(inner)
			if err != nil {
				return other, err
			}
			out.Dir = append(out.Dir, d)
		default:
			other++
		}
	}
	return other, nil
}
