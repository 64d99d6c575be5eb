package p12

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"hash"
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
		attrs := bagAttributes([]string{"", "Acme Root", "www ünïcode"}[i], []byte{byte(i), 2, 3}, i != 2)
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

// refKDF is RFC 7292 appendix B.2 written plainly with hash.Hash, the
// reference for pkcs12KDF's faster iteration.
func refKDF(newHash func() hash.Hash, v int, password, salt []byte, iterations int, id byte, size int) []byte {
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		out := make([]byte, v*((len(src)+v-1)/v))
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	h := newHash()
	u := h.Size()
	d := bytes.Repeat([]byte{id}, v)
	in := append(fill(salt), fill(password)...)
	var out []byte
	for len(out) < size {
		h.Reset()
		h.Write(d)
		h.Write(in)
		a := h.Sum(nil)
		for r := 1; r < iterations; r++ {
			h.Reset()
			h.Write(a)
			a = h.Sum(nil)
		}
		out = append(out, a...)
		b := make([]byte, v)
		for i := range b {
			b[i] = a[i%u]
		}
		for j := 0; j < len(in); j += v {
			carry := uint16(1)
			for k := v - 1; k >= 0; k-- {
				x := uint16(in[j+k]) + uint16(b[k]) + carry
				in[j+k] = byte(x)
				carry = x >> 8
			}
		}
	}
	return out[:size]
}

func TestPKCS12KDFMatchesReference(t *testing.T) {
	bmp := bmpPassword([]byte("changeit"))
	salt := []byte("saltsalt")
	for _, tc := range []struct {
		kh      kdfHash
		newHash func() hash.Hash
	}{
		{kdfSHA1, sha1.New}, {kdfSHA224, sha256.New224}, {kdfSHA256, sha256.New},
		{kdfSHA384, sha512.New384}, {kdfSHA512, sha512.New},
	} {
		for _, iter := range []int{1, 2, 2048} {
			for _, size := range []int{8, 24, 32, 100} {
				for _, id := range []byte{1, 2, 3} {
					got := pkcs12KDF(tc.kh, bmp, salt, iter, id, size)
					want := refKDF(tc.newHash, tc.kh.v, bmp, salt, iter, id, size)
					if !bytes.Equal(got, want) {
						t.Fatalf("hash size %d, %d iterations, id %d, %d bytes: %x, want %x", tc.newHash().Size(), iter, id, size, got, want)
					}
				}
			}
		}
	}
}

// macSalt returns the MAC salt of an encoded store.
func macSalt(t *testing.T, der []byte) []byte {
	t.Helper()
	var pfx pfxPDU
	if err := unmarshalAll(der, &pfx); err != nil {
		t.Fatal(err)
	}
	var md macData
	if err := unmarshalAll(pfx.MacData.FullBytes, &md); err != nil {
		t.Fatal(err)
	}
	return md.MacSalt
}

func TestDerivedSaltsAreAFunctionOfTheEntries(t *testing.T) {
	p := testPKI(t)
	trust := &File{Entries: []Entry{
		{Alias: "other-root", Certs: ders(p.root2), Trusted: true},
		{Alias: "root", Certs: ders(p.root), Trusted: true},
	}}
	keys := &File{Entries: []Entry{
		{Alias: "api", Key: pkcs8(t, p.leaf2), Certs: ders(p.leaf2, p.inter, p.root)},
		{Alias: "www", Key: pkcs8(t, p.leaf), Certs: ders(p.leaf, p.inter, p.root)},
	}}
	for _, enc := range []Encryption{Modern, Legacy} {
		for name, f := range map[string]*File{"truststore": trust, "keystore": keys} {
			opts := Options{Encryption: enc, Derived: true, Iterations: 16}
			a, err := EncodeWith(f, []byte("pw"), opts)
			if err != nil {
				t.Fatal(err)
			}
			b, err := EncodeWith(f, []byte("pw"), opts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%v %s: two derived encodings differ", enc, name)
			}
			back, err := Decode(a, []byte("pw"))
			if err != nil || len(back.Entries) != len(f.Entries) {
				t.Fatalf("%v %s: decoding the derived encoding: %v", enc, name, err)
			}
			other, err := EncodeWith(f, []byte("another password"), opts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(macSalt(t, a), macSalt(t, other)) {
				t.Errorf("%v %s: the MAC salt depends on the password", enc, name)
			}
			random, err := EncodeWith(f, []byte("pw"), Options{Encryption: enc, Iterations: 16})
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(macSalt(t, a), macSalt(t, random)) {
				t.Errorf("%v %s: the default encoding has the derived MAC salt", enc, name)
			}
		}
		one := &File{Entries: trust.Entries[:1]}
		a, _ := EncodeWith(trust, []byte("pw"), Options{Encryption: enc, Derived: true, Iterations: 16})
		b, _ := EncodeWith(one, []byte("pw"), Options{Encryption: enc, Derived: true, Iterations: 16})
		if bytes.Equal(macSalt(t, a), macSalt(t, b)) {
			t.Errorf("%v: stores with other entries have the same MAC salt", enc)
		}
	}
}

// TestDerivedKeySaltsDiffer: two keys in one store, and the certificates,
// each get salts of their own.
func TestDerivedKeySaltsDiffer(t *testing.T) {
	p := testPKI(t)
	f := &File{Entries: []Entry{
		{Alias: "api", Key: pkcs8(t, p.leaf2), Certs: ders(p.leaf2, p.inter)},
		{Alias: "www", Key: pkcs8(t, p.leaf), Certs: ders(p.leaf, p.inter)},
	}}
	der, err := EncodeWith(f, []byte("pw"), Options{Encryption: Modern, Derived: true, Iterations: 16})
	if err != nil {
		t.Fatal(err)
	}
	// Every salt is written as an OCTET STRING of 16 bytes after the
	// PBKDF2 OID; count the distinct ones.
	pbkdf2 := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c, 0x30}
	seen := map[string]bool{}
	n := 0
	for rest := der; ; {
		i := bytes.Index(rest, pbkdf2)
		if i < 0 {
			break
		}
		rest = rest[i+len(pbkdf2):]
		j := bytes.Index(rest, []byte{0x04, 0x10})
		if j < 0 || j > 4 {
			t.Fatalf("no salt after a PBKDF2 identifier")
		}
		seen[string(rest[j+2:j+18])] = true
		n++
	}
	if n != 3 || len(seen) != 3 {
		t.Errorf("%d PBKDF2 salts, %d distinct; want 3 distinct (two keys, the certificates)", n, len(seen))
	}
}
