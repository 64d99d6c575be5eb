package p12

import (
	"bytes"
	"encoding/asn1"
	"testing"
)

// encodeSafeContentsReflect is the plain asn1.Marshal encoding that
// encodeSafeContents must match byte for byte.
func encodeSafeContentsReflect(bags []safeBag) ([]byte, error) {
	return asn1.Marshal(bags)
}

func TestEncodeSafeContentsMatchesReflection(t *testing.T) {
	p := testPKI(t)
	var bags []safeBag
	for i, c := range [][]byte{p.root.Cert.Raw, p.inter.Cert.Raw, p.leaf.Cert.Raw} {
		attrs, err := bagAttributes([]string{"", "Acme Root", "www ünïcode"}[i], []byte{byte(i), 2, 3}, i != 2)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			attrs = nil // a bag without attributes
		}
		b, err := newCertBag(c, attrs)
		if err != nil {
			t.Fatal(err)
		}
		bags = append(bags, b)
	}
	// A value not in the [0] EXPLICIT shape takes the reflection path.
	bags = append(bags, safeBag{ID: oidKeyBag, Value: asn1.RawValue{FullBytes: []byte{0xa0, 0x03, 0x02, 0x01, 0x05}}})
	got, err := encodeSafeContents(bags)
	if err != nil {
		t.Fatal(err)
	}
	want, err := encodeSafeContentsReflect(bags)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("hand encoding differs from asn1.Marshal:\n got %x\nwant %x", got, want)
	}
}
