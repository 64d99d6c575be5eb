package dn

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseOrder(t *testing.T) {
	tests := []struct {
		in   string
		want string // the marshalled name as RFC 4514, most significant last
	}{
		{"CN=Acme Root,O=Acme Corp,C=US", "CN=Acme Root,O=Acme Corp,C=US"},
		{"/C=US/O=Acme Corp/CN=Acme Root", "CN=Acme Root,O=Acme Corp,C=US"},
		{"cn=db01, ou=Ops ; o=Acme", "CN=db01,OU=Ops,O=Acme"},
		{"/CN=postgresql.corp.domain.com", "CN=postgresql.corp.domain.com"},
		{"/O=Acme/OU=B/OU=A/CN=x", "CN=x,OU=A,OU=B,O=Acme"},
		{"CN=x,OU=A,OU=B,O=Acme", "CN=x,OU=A,OU=B,O=Acme"},
		{`CN=Smith\, John,O=Acme\2C Inc.`, `CN=Smith\, John,O=Acme\, Inc.`},
		{`CN=\C3\A9t\C3\A9`, "CN=été"},
		{`CN="quoted, value"`, `CN=quoted\, value`},
		{`/CN=a\/b/O=x+y`, `O=x\+y,CN=a/b`},
		{"CN=#0c03616263", "CN=abc"},
		{"2.5.4.3=by oid,OID.2.5.4.10=org", "CN=by oid,O=org"},
		{"DC=example,DC=com", "DC=example,DC=com"},
	}
	for _, tt := range tests {
		n, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		// Marshal through crypto/x509's path and read back, as a CSR would.
		der, err := asn1.Marshal(n.ToRDNSequence())
		if err != nil {
			t.Fatal(err)
		}
		var seq pkix.RDNSequence
		if _, err := asn1.Unmarshal(der, &seq); err != nil {
			t.Fatal(err)
		}
		if got := Format(seq); got != tt.want {
			t.Errorf("Parse(%q) marshals as %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseASN1OrderOfSlashForm(t *testing.T) {
	seq, err := ParseSequence("/C=US/ST=CA/O=Acme Corp/CN=Acme Root")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, rdn := range seq {
		names = append(names, AttrName(rdn[0].Type))
	}
	if got := strings.Join(names, ","); got != "C,ST,O,CN" {
		t.Errorf("ASN.1 order %s, want C,ST,O,CN", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"", "CN", "CN=", "XX=1", "CN=a,", "/CN", "/C=USA", "C=1", `CN=a\`, `CN=a\q`, `CN="open`, "CN=a<b", "emailAddress=é@x",
	} {
		_, err := Parse(in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a SyntaxError", in, err)
		}
	}
	if _, err := Parse("CN=a+UID=b"); !errors.Is(err, ErrMultiValued) {
		t.Errorf("multi-valued: %v", err)
	}
	seq, err := ParseSequence("CN=a+UID=b,O=x")
	if err != nil || len(seq) != 2 || len(seq[1]) != 2 {
		t.Errorf("ParseSequence multi-valued: %v %v", seq, err)
	}
}

func TestMarshalStringTypes(t *testing.T) {
	seq, _ := ParseSequence("/C=US/DC=example/emailAddress=a_b@example.com/CN=x_y")
	der, err := Marshal(seq)
	if err != nil {
		t.Fatal(err)
	}
	var back pkix.RDNSequence
	if _, err := asn1.Unmarshal(der, &back); err != nil {
		t.Fatal(err)
	}
	want := []int{asn1.TagPrintableString, asn1.TagIA5String, asn1.TagIA5String, asn1.TagUTF8String}
	for i, rdn := range splitTags(t, der) {
		if rdn != want[i] {
			t.Errorf("attribute %d has tag %d, want %d", i, rdn, want[i])
		}
	}
}

// splitTags returns the value tag of each single-valued RDN.
func splitTags(t *testing.T, der []byte) []int {
	var seq []asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		t.Fatal(err)
	}
	var tags []int
	for _, set := range seq {
		var atv struct {
			Type  asn1.ObjectIdentifier
			Value asn1.RawValue
		}
		var inner asn1.RawValue
		asn1.Unmarshal(set.Bytes, &inner)
		asn1.Unmarshal(inner.FullBytes, &atv)
		tags = append(tags, atv.Value.Tag)
	}
	return tags
}

func TestParseSANs(t *testing.T) {
	s, err := ParseSANs("dns:db.example.com, DNS:*.example.com,ip:10.0.0.1,IP:::1,email:ops@example.com,uri:spiffe://acme/db")
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatSANs(s); got != "dns:db.example.com,dns:*.example.com,ip:10.0.0.1,ip:::1,email:ops@example.com,uri:spiffe://acme/db" {
		t.Errorf("got %s", got)
	}
	for _, bad := range []string{"db.example.com", "ip:300.1.1.1", "email:nobody", "uri:relative/path", "uri:a: #", "uri:https://example.com/a b", "dns:a b", "foo:bar", "dns:"} {
		if _, err := ParseSANs(bad); err == nil {
			t.Errorf("ParseSANs(%q): no error", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"CN=Acme Root,O=Acme Corp,C=US", "/C=US/O=Acme Corp/CN=Acme Root", `CN=\C3\A9,O=a\,b`, `CN="q"`, "CN=#0c0161", "CN=a+UID=b", `/CN=a\/b`, "2.5.4.3=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seq, err := ParseSequence(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		out := Format(seq)
		again, err := ParseSequence(out)
		if err != nil {
			t.Fatalf("%q formats as %q which does not parse: %v", s, out, err)
		}
		if !reflect.DeepEqual(seq, again) {
			t.Fatalf("%q -> %q -> %v, want %v", s, out, again, seq)
		}
		if _, err := Marshal(seq); err != nil {
			t.Fatalf("marshal %q: %v", s, err)
		}
	})
}

func FuzzParseSANs(f *testing.F) {
	for _, s := range []string{"dns:a.example,ip:10.0.0.1", "IP:::1,email:a@b", "uri:https://x/y?z", "dns:*.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sans, err := ParseSANs(s)
		if err != nil {
			var se *SANError
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		out := FormatSANs(sans)
		again, err := ParseSANs(out)
		if err != nil {
			t.Fatalf("%q formats as %q which does not parse: %v", s, out, err)
		}
		if FormatSANs(again) != out {
			t.Fatalf("%q -> %q -> %q", s, out, FormatSANs(again))
		}
	})
}

func TestParseNameKeepsTypesAndFormats(t *testing.T) {
	in := "emailAddress=pki@acme.example,CN=Acme Root,O=Acme Corp,DC=acme,C=US"
	n, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := Format(n.ToRDNSequence()); got != in {
		t.Errorf("Format = %q, want %q", got, in)
	}
	if f := Fields(n); f.CommonName != "Acme Root" || len(f.Organization) != 1 || f.Country[0] != "US" {
		t.Errorf("Fields: %+v", f)
	}
	der, err := asn1.Marshal(n.ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	want := []int{asn1.TagPrintableString, asn1.TagIA5String, asn1.TagPrintableString, asn1.TagPrintableString, asn1.TagIA5String}
	if got := splitTags(t, der); !reflect.DeepEqual(got, want) {
		t.Errorf("value tags %v, want %v", got, want)
	}
}
