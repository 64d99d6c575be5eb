package p12

import (
	"bytes"
	"encoding/asn1"
	"reflect"
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

// dataContent is the reflection-built ContentInfo of type data, for tests
// that assemble PKCS#12 files by hand.
func dataContent(b []byte) contentInfo {
	os, _ := asn1.Marshal(b)
	return contentInfo{ContentType: oidDataContentType, Content: explicit0(os)}
}

// TestEncodeIsCanonicalDER reads what Encode writes back into the structs
// of RFC 7292 with encoding/asn1 and writes them again: the hand-built
// PFX, AuthenticatedSafe, EncryptedData and SafeContents must come out
// byte for byte as encoding/asn1 writes them, level by level.
func TestEncodeIsCanonicalDER(t *testing.T) {
	p := testPKI(t)
	f := &File{Entries: []Entry{
		{Alias: "server", Key: pkcs8(t, p.leaf), Certs: ders(p.leaf, p.inter, p.root)},
		{Alias: "acme root", Certs: ders(p.root2), Trusted: true},
		{Certs: ders(p.inter)},
	}}
	same := func(what string, got []byte, v any) {
		t.Helper()
		if _, err := asn1.Unmarshal(got, v); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		want, err := asn1.Marshal(reflect.ValueOf(v).Elem().Interface())
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s differs from encoding/asn1:\n got %x\nwant %x", what, got, want)
		}
	}
	for _, enc := range []Encryption{Modern, Legacy, None} {
		for _, entries := range [][]Entry{f.Entries, f.Entries[1:], f.Entries[:1]} {
			der, err := Encode(&File{Entries: entries}, []byte("changeit"), enc)
			if err != nil {
				t.Fatal(err)
			}
			var pfx pfxPDU
			same(enc.String()+" PFX", der, &pfx)
			authSafe, ok := octetString(pfx.AuthSafe.Content)
			if !ok {
				t.Fatalf("%s: authSafe is not [0] OCTET STRING", enc)
			}
			var cis []contentInfo
			same(enc.String()+" AuthenticatedSafe", authSafe, &cis)
			for _, ci := range cis {
				switch {
				case ci.ContentType.Equal(oidEncryptedDataContentType):
					inner, ok := unwrap0(ci.Content)
					if !ok {
						t.Fatalf("%s: EncryptedData is not [0] EXPLICIT", enc)
					}
					var ed encryptedData
					same(enc.String()+" EncryptedData", inner.FullBytes, &ed)
				case ci.ContentType.Equal(oidDataContentType):
					sc, ok := octetString(ci.Content)
					if !ok {
						t.Fatalf("%s: data is not [0] OCTET STRING", enc)
					}
					var bags []safeBag
					same(enc.String()+" SafeContents", sc, &bags)
				default:
					t.Fatalf("%s: content type %v", enc, ci.ContentType)
				}
			}
		}
	}
}
