// Package dn parses distinguished names and subject alternative name lists
// as people type them on a command line, and prints the names certificates,
// CSRs and CRLs carry as OpenSSL prints them.
//
// Names are printed in RFC 4514 form with OpenSSL's attribute names
// ("CN=Jane Doe,emailAddress=jane@example.com,UID=jdoe,DC=example,DC=com"),
// attribute order kept, exactly as `openssl x509 -nameopt RFC2253,-esc_msb`
// prints them; [ParseDER] reads the name leniently, so a name crypto/x509
// would print with OIDs and hex, or refuse, still prints.
//
// Two DN forms are read: RFC 4514 ("CN=Acme Root,O=Acme Corp,C=US", most
// significant RDN last, as Java and LDAP write it) and OpenSSL's -subj form
// ("/C=US/O=Acme Corp/CN=Acme Root", most significant first). Both name the
// same certificate subject: the result is in ASN.1 order (C, O, CN here),
// which is the order openssl and keytool show. Attribute order is otherwise
// kept exactly as given.
//
// Left out: RFC 1779 and LDAPv2 leniencies beyond ';' separators and quoted
// values; OpenSSL's -multivalue-rdn '+' in the slash form (a '+' there is a
// literal character, as OpenSSL reads it by default).
package dn

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError reports a DN that does not parse.
type SyntaxError struct {
	DN     string
	Offset int // byte offset in DN of the problem
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("distinguished name %q: %s (at byte %d)", e.DN, e.Msg, e.Offset)
}

// ErrMultiValued is returned by [Parse] for a DN with a multi-valued RDN
// ("CN=a+UID=b"), which a pkix.Name cannot keep together; use
// [ParseSequence] and marshal the sequence instead.
var ErrMultiValued = errors.New("multi-valued RDN (a '+' joining attributes) cannot be kept in a pkix.Name")

type attr struct {
	name string
	oid  asn1.ObjectIdentifier
}

// attrs are the attribute names accepted (case-insensitively), the first
// name of each OID being the one [Format] writes: OpenSSL's short name, so
// that a name prints as `openssl x509 -nameopt RFC2253` prints it. Sources:
// RFC 4514 section 3, RFC 4519, OpenSSL's objects.txt, and the CA/Browser
// Forum EV jurisdiction attributes.
var attrs = []attr{
	{"CN", asn1.ObjectIdentifier{2, 5, 4, 3}},
	{"SN", asn1.ObjectIdentifier{2, 5, 4, 4}}, // surname (RFC 4519), as OpenSSL names it too
	{"surname", asn1.ObjectIdentifier{2, 5, 4, 4}},
	{"serialNumber", asn1.ObjectIdentifier{2, 5, 4, 5}},
	{"C", asn1.ObjectIdentifier{2, 5, 4, 6}},
	{"L", asn1.ObjectIdentifier{2, 5, 4, 7}},
	{"ST", asn1.ObjectIdentifier{2, 5, 4, 8}},
	{"S", asn1.ObjectIdentifier{2, 5, 4, 8}}, // Microsoft's spelling
	{"street", asn1.ObjectIdentifier{2, 5, 4, 9}},
	{"O", asn1.ObjectIdentifier{2, 5, 4, 10}},
	{"OU", asn1.ObjectIdentifier{2, 5, 4, 11}},
	{"title", asn1.ObjectIdentifier{2, 5, 4, 12}},
	{"description", asn1.ObjectIdentifier{2, 5, 4, 13}},
	{"businessCategory", asn1.ObjectIdentifier{2, 5, 4, 15}},
	{"postalCode", asn1.ObjectIdentifier{2, 5, 4, 17}},
	{"name", asn1.ObjectIdentifier{2, 5, 4, 41}},
	{"GN", asn1.ObjectIdentifier{2, 5, 4, 42}},
	{"givenName", asn1.ObjectIdentifier{2, 5, 4, 42}},
	{"initials", asn1.ObjectIdentifier{2, 5, 4, 43}},
	{"generationQualifier", asn1.ObjectIdentifier{2, 5, 4, 44}},
	{"dnQualifier", asn1.ObjectIdentifier{2, 5, 4, 46}},
	{"pseudonym", asn1.ObjectIdentifier{2, 5, 4, 65}},
	{"organizationIdentifier", asn1.ObjectIdentifier{2, 5, 4, 97}},
	{"DC", asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}},
	{"UID", asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}},
	{"emailAddress", asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}},
	{"E", asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}}, // Windows certutil's spelling
	{"jurisdictionL", asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 1}},
	{"jurisdictionST", asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 2}},
	{"jurisdictionC", asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3}},
	{"x500UniqueIdentifier", asn1.ObjectIdentifier{2, 5, 4, 45}},
	{"postalAddress", asn1.ObjectIdentifier{2, 5, 4, 16}},
	{"postOfficeBox", asn1.ObjectIdentifier{2, 5, 4, 18}},
	{"telephoneNumber", asn1.ObjectIdentifier{2, 5, 4, 20}},
	{"houseIdentifier", asn1.ObjectIdentifier{2, 5, 4, 51}},
	{"role", asn1.ObjectIdentifier{2, 5, 4, 72}},
	{"mail", asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 3}},
	{"unstructuredName", asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 2}},
	{"unstructuredAddress", asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 8}},
	// Long names (RFC 4519), read but never written.
	{"commonName", asn1.ObjectIdentifier{2, 5, 4, 3}},
	{"countryName", asn1.ObjectIdentifier{2, 5, 4, 6}},
	{"localityName", asn1.ObjectIdentifier{2, 5, 4, 7}},
	{"stateOrProvinceName", asn1.ObjectIdentifier{2, 5, 4, 8}},
	{"streetAddress", asn1.ObjectIdentifier{2, 5, 4, 9}},
	{"organizationName", asn1.ObjectIdentifier{2, 5, 4, 10}},
	{"organizationalUnitName", asn1.ObjectIdentifier{2, 5, 4, 11}},
	{"domainComponent", asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}},
	{"userId", asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}},
}

var (
	oidCountry = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidEmail   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidDC      = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
	oidJurC    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3}
)

func lookupAttr(name string) (asn1.ObjectIdentifier, bool) {
	for _, a := range attrs {
		if strings.EqualFold(a.name, name) {
			return a.oid, true
		}
	}
	// RFC 4514 section 3 allows "OID.2.5.4.3" in old texts (RFC 1779); and a dotted OID.
	n := name
	if len(n) > 4 && strings.EqualFold(n[:4], "oid.") {
		n = n[4:]
	}
	return parseOID(n)
}

func parseOID(s string) (asn1.ObjectIdentifier, bool) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, false
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 9 || (len(p) > 1 && p[0] == '0') {
			return nil, false
		}
		n := 0
		for _, c := range p {
			if c < '0' || c > '9' {
				return nil, false
			}
			n = n*10 + int(c-'0')
		}
		oid[i] = n
	}
	// X.660: the first arc is 0, 1 or 2, and the second below 40 under 0 and 1.
	if oid[0] > 2 || (oid[0] < 2 && oid[1] >= 40) {
		return nil, false
	}
	return oid, true
}

// AttrName returns the short name [Format] uses for oid, or its dotted form.
func AttrName(oid asn1.ObjectIdentifier) string {
	name, _ := attrName(oid)
	return name
}

func attrName(oid asn1.ObjectIdentifier) (string, bool) {
	for _, a := range attrs {
		if a.oid.Equal(oid) {
			return a.name, true
		}
	}
	return oid.String(), false
}

// Parse reads a DN in RFC 4514 or OpenSSL slash form and returns it as a
// pkix.Name whose ExtraNames hold every attribute in ASN.1 order (values
// are strings, except C, emailAddress and DC, which are asn1.RawValue of
// the string type RFC 5280 asks for), so that
// marshalling it (crypto/x509 uses ToRDNSequence) writes exactly that
// order. The named fields (CommonName, Organization, ...) are left empty,
// since ToRDNSequence would write them a second time; read them from
// [Fields] or with FillFromRDNSequence on a copy. Names is filled too
// (crypto/x509 ignores it when marshalling).
//
// Errors: [*SyntaxError], [ErrMultiValued].
func Parse(s string) (pkix.Name, error) {
	seq, err := ParseSequence(s)
	if err != nil {
		return pkix.Name{}, err
	}
	var n pkix.Name
	for _, rdn := range seq {
		if len(rdn) != 1 {
			return pkix.Name{}, fmt.Errorf("distinguished name %q: %w", s, ErrMultiValued)
		}
		atv := typedValue(rdn[0])
		n.ExtraNames = append(n.ExtraNames, atv)
		n.Names = append(n.Names, atv)
	}
	return n, nil
}

// Fields returns n with the named fields (CommonName, Organization, ...)
// filled from its ExtraNames, for reading; do not marshal the result.
func Fields(n pkix.Name) pkix.Name {
	var out pkix.Name
	var seq pkix.RDNSequence
	for _, a := range n.ExtraNames {
		if s, ok := stringValue(a.Value); ok {
			a.Value = s // FillFromRDNSequence reads Go strings only
		}
		seq = append(seq, pkix.RelativeDistinguishedNameSET{a})
	}
	out.FillFromRDNSequence(&seq)
	return out
}

// ParseSequence reads a DN like [Parse] and returns its RDN sequence in
// ASN.1 order, keeping multi-valued RDNs. Values are Go strings; asn1
// marshals them as PrintableString when they fit, else UTF8String, except
// C, DC and emailAddress which [Marshal] writes as X.520/RFC 4519 asks.
func ParseSequence(s string) (pkix.RDNSequence, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, &SyntaxError{DN: s, Msg: "empty"}
	}
	var (
		seq pkix.RDNSequence
		err error
	)
	if t[0] == '/' {
		seq, err = parseSlash(s)
	} else {
		seq, err = parse4514(s)
		// RFC 4514 section 2.1: the string starts with the last RDN of the
		// sequence. Inside a multi-valued RDN, whose order DER fixes anyway,
		// the attributes are reversed too, as OpenSSL writes them.
		for i, j := 0, len(seq)-1; i < j; i, j = i+1, j-1 {
			seq[i], seq[j] = seq[j], seq[i]
		}
		for _, rdn := range seq {
			for i, j := 0, len(rdn)-1; i < j; i, j = i+1, j-1 {
				rdn[i], rdn[j] = rdn[j], rdn[i]
			}
		}
	}
	if err != nil {
		return nil, err
	}
	for _, rdn := range seq {
		for _, atv := range rdn {
			if err := checkValue(s, atv); err != nil {
				return nil, err
			}
		}
	}
	return seq, nil
}

func checkValue(s string, atv pkix.AttributeTypeAndValue) error {
	v, ok := atv.Value.(string)
	if !ok {
		return nil
	}
	if !utf8.ValidString(v) {
		return &SyntaxError{DN: s, Msg: AttrName(atv.Type) + " value is not valid UTF-8"}
	}
	// X.520: countryName is a two-letter PrintableString (ISO 3166); OpenSSL
	// refuses others too ("string too long").
	if atv.Type.Equal(oidCountry) || atv.Type.Equal(oidJurC) {
		if len(v) != 2 || !isAlpha(v) {
			return &SyntaxError{DN: s, Msg: fmt.Sprintf("%s must be a two-letter country code, not %q", AttrName(atv.Type), v)}
		}
	}
	if (atv.Type.Equal(oidEmail) || atv.Type.Equal(oidDC)) && !isASCII(v) {
		return &SyntaxError{DN: s, Msg: AttrName(atv.Type) + " must be ASCII (IA5String)"}
	}
	return nil
}

func isAlpha(s string) bool {
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// parseSlash reads OpenSSL's "/type0=value0/type1=value1" (openssl req
// -subj): a backslash escapes the next character, '/' separates RDNs.
func parseSlash(s string) (pkix.RDNSequence, error) {
	var seq pkix.RDNSequence
	i := strings.IndexByte(s, '/') + 1
	for i <= len(s) {
		start := i
		var typ, val strings.Builder
		inVal := false
		for i < len(s) && s[i] != '/' {
			c := s[i]
			if c == '\\' {
				if i+1 >= len(s) {
					return nil, &SyntaxError{DN: s, Offset: i, Msg: "trailing backslash"}
				}
				i++
				c = s[i]
				if inVal {
					val.WriteByte(c)
				} else {
					typ.WriteByte(c)
				}
				i++
				continue
			}
			if c == '=' && !inVal {
				inVal = true
				i++
				continue
			}
			if inVal {
				val.WriteByte(c)
			} else {
				typ.WriteByte(c)
			}
			i++
		}
		i++ // skip '/'
		name := strings.TrimSpace(typ.String())
		if name == "" && !inVal && start >= len(s) {
			break // a trailing '/'
		}
		if !inVal {
			return nil, &SyntaxError{DN: s, Offset: start, Msg: fmt.Sprintf("%q has no '='", typ.String())}
		}
		oid, ok := lookupAttr(name)
		if !ok {
			return nil, &SyntaxError{DN: s, Offset: start, Msg: fmt.Sprintf("unknown attribute %q", name)}
		}
		if val.Len() == 0 {
			return nil, &SyntaxError{DN: s, Offset: start, Msg: fmt.Sprintf("empty value for %s", name)}
		}
		seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: val.String()}})
	}
	if len(seq) == 0 {
		return nil, &SyntaxError{DN: s, Msg: "no attributes"}
	}
	return seq, nil
}

// parse4514 reads RFC 4514 section 3 (with ';' as an RDN separator and
// quoted values, from RFC 1779, accepted) and returns the RDNs in string order.
func parse4514(s string) (pkix.RDNSequence, error) {
	p := &parser{s: s}
	var seq pkix.RDNSequence
	var rdn pkix.RelativeDistinguishedNameSET
	for {
		p.skipSpace()
		start := p.i
		typ := p.readType()
		p.skipSpace()
		if p.i >= len(s) || s[p.i] != '=' {
			if typ == "" {
				return nil, p.errAt(start, "missing attribute type")
			}
			return nil, p.errAt(p.i, fmt.Sprintf("%q is not followed by '='", typ))
		}
		p.i++
		oid, ok := lookupAttr(typ)
		if !ok {
			return nil, p.errAt(start, fmt.Sprintf("unknown attribute %q", typ))
		}
		p.skipSpace()
		val, err := p.readValue()
		if err != nil {
			return nil, err
		}
		if v, ok := val.(string); ok && v == "" {
			return nil, p.errAt(start, fmt.Sprintf("empty value for %s", typ))
		}
		rdn = append(rdn, pkix.AttributeTypeAndValue{Type: oid, Value: val})
		if p.i >= len(s) {
			seq = append(seq, rdn)
			return seq, nil
		}
		switch s[p.i] {
		case '+':
			p.i++
		case ',', ';':
			seq = append(seq, rdn)
			rdn = nil
			p.i++
		default:
			return nil, p.errAt(p.i, fmt.Sprintf("unexpected %q", s[p.i]))
		}
	}
}

type parser struct {
	s string
	i int
}

func (p *parser) errAt(i int, msg string) error { return &SyntaxError{DN: p.s, Offset: i, Msg: msg} }

func (p *parser) skipSpace() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *parser) readType() string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

// readValue reads an attribute value up to an unescaped ',', ';' or '+'
// (RFC 4514 section 3): '#' hex of a BER encoding, a "quoted" string, or
// a string with '\' escapes of special characters and '\XX' hex pairs.
// Unescaped trailing spaces are dropped.
func (p *parser) readValue() (any, error) {
	s := p.s
	if p.i < len(s) && s[p.i] == '#' {
		start := p.i
		p.i++
		for p.i < len(s) && isHex(s[p.i]) {
			p.i++
		}
		raw, err := hex.DecodeString(s[start+1 : p.i])
		if err != nil || len(raw) == 0 {
			return nil, p.errAt(start, "bad #hex value")
		}
		p.skipSpace()
		var rv asn1.RawValue
		if rest, err := asn1.Unmarshal(raw, &rv); err != nil || len(rest) != 0 {
			return nil, p.errAt(start, "#hex value is not one BER element")
		}
		// Keep strings as strings so they print and marshal naturally;
		// any other value is written back exactly as given.
		var str string
		if _, err := asn1.Unmarshal(raw, &str); err == nil {
			return str, nil
		}
		return rv, nil
	}
	if p.i < len(s) && s[p.i] == '"' {
		start := p.i
		p.i++
		var b strings.Builder
		for {
			if p.i >= len(s) {
				return nil, p.errAt(start, "unterminated quoted value")
			}
			c := s[p.i]
			if c == '"' {
				p.i++
				break
			}
			if c == '\\' {
				r, err := p.readEscape()
				if err != nil {
					return nil, err
				}
				b.WriteString(r)
				continue
			}
			b.WriteByte(c)
			p.i++
		}
		p.skipSpace()
		return b.String(), nil
	}
	var b strings.Builder
	keep := 0 // length of b up to the last escaped or non-space character
	for p.i < len(s) {
		c := s[p.i]
		if c == ',' || c == ';' || c == '+' {
			break
		}
		if c == '\\' {
			r, err := p.readEscape()
			if err != nil {
				return nil, err
			}
			b.WriteString(r)
			keep = b.Len()
			continue
		}
		if c == '"' || c == '<' || c == '>' || c == '=' {
			// RFC 4514 requires these escaped; OpenSSL and Java accept a bare
			// '=' in values ("description=a=b") so we do too, but not quotes.
			if c != '=' {
				return nil, p.errAt(p.i, fmt.Sprintf("%q must be escaped as \\%c", c, c))
			}
		}
		b.WriteByte(c)
		p.i++
		if c != ' ' {
			keep = b.Len()
		}
	}
	return b.String()[:keep], nil
}

// readEscape reads '\' followed by a special character or two hex digits.
// Consecutive hex pairs form UTF-8 (RFC 4514 section 3: "\C3\A9").
func (p *parser) readEscape() (string, error) {
	start := p.i
	p.i++ // '\'
	if p.i >= len(p.s) {
		return "", p.errAt(start, "trailing backslash")
	}
	if p.i+1 < len(p.s) && isHex(p.s[p.i]) && isHex(p.s[p.i+1]) {
		b, _ := hex.DecodeString(p.s[p.i : p.i+2])
		p.i += 2
		return string(b), nil
	}
	c := p.s[p.i]
	switch c {
	case ' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\', '/':
		p.i++
		return string(c), nil
	}
	return "", p.errAt(start, fmt.Sprintf("bad escape \\%c", c))
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// Format writes seq (in ASN.1 order) as an RFC 4514 string: last RDN first
// (and, inside a multi-valued RDN, the last attribute first, joined by
// '+'), short names from [AttrName] (an unknown type as its dotted OID),
// special characters escaped as RFC 4514 section 2.4 asks, and a value that
// is not a string as '#' and the upper-case hex of its DER. This is what
// `openssl x509 -noout -subject -nameopt RFC2253,-esc_msb` prints.
func Format(seq pkix.RDNSequence) string {
	var b strings.Builder
	for i := len(seq) - 1; i >= 0; i-- {
		if i != len(seq)-1 {
			b.WriteByte(',')
		}
		for j := len(seq[i]) - 1; j >= 0; j-- {
			atv := seq[i][j]
			if j != len(seq[i])-1 {
				b.WriteByte('+')
			}
			name, known := attrName(atv.Type)
			b.WriteString(name)
			b.WriteByte('=')
			if known {
				b.WriteString(escape(atv.Value))
			} else {
				// RFC 4514 section 2.4: the value of a type written as
				// an OID is written as the hex of its BER encoding.
				b.WriteString(hexValue(atv.Value))
			}
		}
	}
	return b.String()
}

// hexValue writes v as '#' and the upper-case hex of its DER, as OpenSSL
// does; "#" alone when v cannot be encoded.
func hexValue(v any) string {
	der, err := asn1.Marshal(v)
	if err != nil {
		return "#"
	}
	return "#" + strings.ToUpper(hex.EncodeToString(der))
}

func escape(v any) string {
	s, ok := stringValue(v)
	if !ok {
		return hexValue(v)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';':
			b.WriteByte('\\')
			b.WriteByte(c)
		case (c == ' ' || c == '#') && i == 0, c == ' ' && i == len(s)-1:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Marshal returns the DER of seq as a certificate or CSR subject (for
// x509.CertificateRequest.RawSubject), with C as PrintableString and
// emailAddress and DC as IA5String (RFC 5280 appendix A.1, RFC 4519).
func Marshal(seq pkix.RDNSequence) ([]byte, error) {
	out := make(pkix.RDNSequence, len(seq))
	for i, rdn := range seq {
		out[i] = make(pkix.RelativeDistinguishedNameSET, len(rdn))
		for j, atv := range rdn {
			out[i][j] = typedValue(atv)
		}
	}
	return asn1.Marshal(out)
}

// typedValue gives C a PrintableString and emailAddress and DC an
// IA5String, as RFC 5280 appendix A.1 and RFC 4519 define them; other
// strings stay Go strings (PrintableString when they fit, else UTF8String).
func typedValue(atv pkix.AttributeTypeAndValue) pkix.AttributeTypeAndValue {
	s, ok := atv.Value.(string)
	if !ok {
		return atv
	}
	switch {
	case atv.Type.Equal(oidCountry) || atv.Type.Equal(oidJurC):
		atv.Value = asn1.RawValue{Tag: asn1.TagPrintableString, Bytes: []byte(s)}
	case atv.Type.Equal(oidEmail) || atv.Type.Equal(oidDC):
		atv.Value = asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte(s)}
	}
	return atv
}

// stringValue returns a Go string, or the text of a RawValue of one of the
// string types [typedValue] makes.
func stringValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case asn1.RawValue:
		if v.Class == asn1.ClassUniversal && !v.IsCompound &&
			(v.Tag == asn1.TagPrintableString || v.Tag == asn1.TagIA5String || v.Tag == asn1.TagUTF8String) &&
			utf8.Valid(v.Bytes) {
			return string(v.Bytes), true
		}
	}
	return "", false
}
