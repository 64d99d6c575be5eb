package p12

import (
	"encoding/asn1"
	"fmt"
	"testing"
)

// sharedIDFile is a passwordless store of n key bags and m certificate
// bags that all share one localKeyID. The certificates are only names
// (what the grouping reads): certificate i is issued by i+1, in a ring,
// so every one issued another and none holds a key's public key.
func sharedIDFile(t testing.TB, n, m int) []byte {
	p := testPKI(t)
	attrs := bagAttributes("", []byte("id"), false)
	var bags []safeBag
	for range n {
		bags = append(bags, safeBag{ID: oidKeyBag, Value: explicit0(pkcs8(t, p.leaf)), Attributes: attrs})
	}
	name := func(i int) asn1.RawValue {
		b, _ := asn1.Marshal(fmt.Sprint("name", i))
		return asn1.RawValue{FullBytes: b}
	}
	for i := range m {
		tbs, _ := asn1.Marshal(struct {
			Serial   int
			Alg      asn1.RawValue
			Issuer   asn1.RawValue
			Validity asn1.RawValue
			Subject  asn1.RawValue
		}{1, asn1.NullRawValue, name((i + 1) % m), asn1.NullRawValue, name(i)})
		raw, _ := asn1.Marshal(struct{ TBS asn1.RawValue }{asn1.RawValue{FullBytes: tbs}})
		b, err := newCertBag(raw, attrs)
		if err != nil {
			t.Fatal(err)
		}
		bags = append(bags, b)
	}
	return unprotected(bags)
}

// BenchmarkDecodeSharedLocalKeyID: grouping keys and certificates that
// share a localKeyID costs time in proportion to the file (3,000 of each,
// 0.8 MB: 0.12 s here), where comparing every certificate with every
// other for each key took 4 s and grew with the cube.
func BenchmarkDecodeSharedLocalKeyID(b *testing.B) {
	der := sharedIDFile(b, 3000, 3000)
	for b.Loop() {
		if _, err := Decode(der, nil); err != nil {
			b.Fatal(err)
		}
	}
}
