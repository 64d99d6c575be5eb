package dn

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/trustctl/trustctl/internal/testpki"
)

// av is one attribute written exactly: its type, the ASN.1 tag of its
// value and the value's content bytes.
type av struct {
	oid  asn1.ObjectIdentifier
	tag  cbasn1.Tag
	body string
}

var (
	oCN    = asn1.ObjectIdentifier{2, 5, 4, 3}
	oO     = asn1.ObjectIdentifier{2, 5, 4, 10}
	oOU    = asn1.ObjectIdentifier{2, 5, 4, 11}
	oC     = asn1.ObjectIdentifier{2, 5, 4, 6}
	oL     = asn1.ObjectIdentifier{2, 5, 4, 7}
	oSN    = asn1.ObjectIdentifier{2, 5, 4, 5}
	oStr   = asn1.ObjectIdentifier{2, 5, 4, 9}
	oOrgID = asn1.ObjectIdentifier{2, 5, 4, 97}
	oUID   = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	oMail  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oPriv  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}
)

const (
	tUTF8  = cbasn1.UTF8String
	tPrint = cbasn1.PrintableString
	tIA5   = cbasn1.IA5String
	tT61   = cbasn1.T61String
	tBMP   = cbasn1.Tag(30)
	tUniv  = cbasn1.Tag(28)
)

// buildName encodes RDNs (each a list of attributes) in the given order.
func buildName(rdns ...[]av) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, rdn := range rdns {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for _, a := range rdn {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(a.oid)
						b.AddASN1(a.tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.body)) })
					})
				}
			})
		}
	})
	return b.BytesOrPanic()
}

func one(oid asn1.ObjectIdentifier, tag cbasn1.Tag, body string) []av {
	return []av{{oid, tag, body}}
}

func bmp(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return string(b)
}

func univ(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
	}
	return string(b)
}

var nameTests = []struct {
	name string
	der  []byte
	want string
}{
	{"plain", buildName(one(oC, tPrint, "US"), one(oO, tUTF8, "Acme Corp"), one(oCN, tUTF8, "Acme Root")),
		"CN=Acme Root,O=Acme Corp,C=US"},
	{"order kept", buildName(one(oCN, tUTF8, "first"), one(oOU, tUTF8, "B"), one(oOU, tUTF8, "A"), one(oC, tPrint, "DE")),
		"C=DE,OU=A,OU=B,CN=first"},
	{"ldap names", buildName(
		one(asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, tIA5, "com"),
		one(asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, tIA5, "example"),
		one(oUID, tUTF8, "jdoe"), one(oMail, tIA5, "jdoe@example.com"), one(oCN, tUTF8, "Jane Doe")),
		"CN=Jane Doe,emailAddress=jdoe@example.com,UID=jdoe,DC=example,DC=com"},
	{"eIDAS and EV", buildName(one(oC, tPrint, "DE"), one(oOrgID, tUTF8, "VATDE-123456789"),
		one(oSN, tPrint, "HRB 12345"), one(oStr, tUTF8, "1 Main St"),
		one(asn1.ObjectIdentifier{2, 5, 4, 15}, tUTF8, "Private Organization"),
		one(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3}, tPrint, "DE"), one(oCN, tUTF8, "Acme")),
		"CN=Acme,jurisdictionC=DE,businessCategory=Private Organization,street=1 Main St,serialNumber=HRB 12345,organizationIdentifier=VATDE-123456789,C=DE"},
	{"multi-valued", buildName(one(oC, tPrint, "US"), []av{{oCN, tUTF8, "db01"}, {oUID, tUTF8, "42"}}),
		"UID=42+CN=db01,C=US"},
	{"escapes", buildName(one(oO, tUTF8, `Acme, Inc.`), one(oCN, tUTF8, ` #lead;"q" <x> a=b+c\ `)),
		`CN=\ #lead\;\"q\" \<x\> a=b\+c\\\ ,O=Acme\, Inc.`},
	{"leading hash", buildName(one(oCN, tUTF8, "#1")), `CN=\#1`},
	{"control character", buildName(one(oCN, tUTF8, "a\x01b")), `CN=a\01b`},
	{"UTF-8", buildName(one(oL, tUTF8, "München"), one(oCN, tUTF8, "été")), "CN=été,L=München"},
	{"PrintableString with @", buildName(one(oCN, tPrint, "ops@example.com")), "CN=ops@example.com"},
	{"T61String as Latin-1", buildName(one(oCN, tT61, "M\xfcnchen")), "CN=München"},
	{"BMPString", buildName(one(oCN, tBMP, bmp("Ĳsselmeer €"))), "CN=Ĳsselmeer €"},
	{"UniversalString", buildName(one(oCN, tUniv, univ("日本"))), "CN=日本"},
	{"unknown type", buildName(one(oPriv, tUTF8, "custom"), one(oCN, tUTF8, "x")), "CN=x,1.3.6.1.4.1.99999.1=#0C06637573746F6D"},
	{"value not a string", buildName(one(oCN, cbasn1.SEQUENCE, "\x02\x01\x05")), "CN=#3003020105"},
	{"empty", buildName(), ""},
}

func TestFormatDER(t *testing.T) {
	for _, tt := range nameTests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FormatDER(tt.der)
			if !ok || got != tt.want {
				t.Errorf("FormatDER = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
	for _, bad := range [][]byte{nil, {0x30}, {0x31, 0}, {0x30, 0x02, 0x31, 0x00, 0x00}, append(buildName(one(oCN, tUTF8, "x")), 0)} {
		if _, err := ParseDER(bad); !errors.Is(err, ErrNotName) {
			t.Errorf("ParseDER(%x) = %v, want ErrNotName", bad, err)
		}
	}
}

// TestFormatDERMatchesOpenSSL: every name of the table prints as
// `openssl x509 -noout -subject -nameopt RFC2253,-esc_msb` prints it.
func TestFormatDERMatchesOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed:", err)
	}
	dir := t.TempDir()
	for _, tt := range nameTests {
		if tt.name == "empty" {
			continue // openssl prints "subject=" with nothing to compare
		}
		t.Run(tt.name, func(t *testing.T) {
			der, _ := testpki.RawCert(t, testpki.RawTemplate{SubjectDER: tt.der, IssuerDER: tt.der})
			path := filepath.Join(dir, "c.der")
			if err := os.WriteFile(path, der, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("openssl", "x509", "-inform", "DER", "-in", path, "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb").CombinedOutput()
			if err != nil {
				t.Fatalf("openssl: %v\n%s", err, out)
			}
			want := strings.TrimSuffix(strings.TrimPrefix(string(out), "subject="), "\n")
			if got, _ := FormatDER(tt.der); got != want {
				t.Errorf("FormatDER = %q\nopenssl     %q", got, want)
			}
		})
	}
}

// TestFormatDERParsesBack: what FormatDER writes of a name whose values
// are all strings, ParseSequence reads back to the same attributes.
func TestFormatDERParsesBack(t *testing.T) {
	for _, tt := range nameTests {
		seq, err := ParseDER(tt.der)
		if err != nil || len(seq) == 0 {
			continue
		}
		again, err := ParseSequence(Format(seq))
		if err != nil {
			t.Errorf("%s: %q does not parse: %v", tt.name, Format(seq), err)
			continue
		}
		checkSameName(t, seq, again)
	}
}

// checkSameName fails unless b names what a names: the same types and, for
// string values, the same text (a value written as #hex reads back as the
// string it encodes).
func checkSameName(t *testing.T, a, b pkix.RDNSequence) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d RDNs read back as %d", len(a), len(b))
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			t.Fatalf("RDN %d: %d attributes read back as %d", i, len(a[i]), len(b[i]))
		}
		for j := range a[i] {
			x, y := a[i][j], b[i][j]
			if !x.Type.Equal(y.Type) {
				t.Fatalf("RDN %d: type %v read back as %v", i, x.Type, y.Type)
			}
			xs, xok := x.Value.(string)
			if rv, ok := x.Value.(asn1.RawValue); ok {
				if _, err := asn1.Unmarshal(rv.FullBytes, &xs); err == nil {
					xok = true
				}
			}
			if ys, ok := y.Value.(string); xok && (!ok || xs != ys) {
				t.Fatalf("RDN %d: value %q read back as %#v", i, xs, y.Value)
			}
		}
	}
}

// FuzzParseDER: no input makes ParseDER panic; a name it reads formats as
// a string that parses back to the same attributes when its values are
// strings ParseSequence accepts.
func FuzzParseDER(f *testing.F) {
	for _, tt := range nameTests {
		f.Add(tt.der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		seq, err := ParseDER(der)
		if err != nil {
			if !errors.Is(err, ErrNotName) {
				t.Fatalf("error %v is not ErrNotName", err)
			}
			return
		}
		s := Format(seq)
		if s2, ok := FormatDER(der); !ok || s2 != s {
			t.Fatalf("FormatDER %q, Format %q", s2, s)
		}
		again, err := ParseSequence(s)
		if err != nil {
			// Values ParseSequence refuses by design: an empty one, a
			// country code that is not two letters, invalid text.
			return
		}
		if len(seq) > 0 && bytes.Contains([]byte(s), []byte{0}) {
			return
		}
		checkSameName(t, seq, again)
	})
}
