package p12

import (
	"bytes"
	"crypto/x509"
	"errors"
	"testing"

	gopkcs12 "software.sslmate.com/src/go-pkcs12"
)

// These tests hold the codec against go-pkcs12, the library trustctl was
// planned around, which reads and writes only some shapes (one key per
// file, or an all-trusted store): within those shapes each reads what the
// other writes, and both call a wrong password a wrong password.

func TestGoPKCS12ReadsWhatWeWrite(t *testing.T) {
	p := testPKI(t)
	p8, _ := x509.MarshalPKCS8PrivateKey(p.leaf.Key)
	for _, enc := range []Encryption{Modern, Legacy} {
		trust, err := Encode(&File{Entries: []Entry{
			{Alias: "root", Certs: ders(p.root), Trusted: true},
			{Alias: "inter", Certs: ders(p.inter), Trusted: true},
		}}, []byte("changeit"), enc)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := gopkcs12.DecodeTrustStore(trust, "changeit")
		if err != nil || len(cs) != 2 {
			t.Errorf("%v: go-pkcs12 DecodeTrustStore: %d certificates, %v", enc, len(cs), err)
		}
		keyed, err := Encode(&File{Entries: []Entry{
			{Alias: "www", Key: p8, Certs: ders(p.leaf, p.inter, p.root)},
		}}, []byte("changeit"), enc)
		if err != nil {
			t.Fatal(err)
		}
		_, leaf, cas, err := gopkcs12.DecodeChain(keyed, "changeit")
		if err != nil || !leaf.Equal(p.leaf.Cert) || len(cas) != 2 {
			t.Errorf("%v: go-pkcs12 DecodeChain: %d CAs, %v", enc, len(cas), err)
		}
	}
}

func TestWeReadWhatGoPKCS12Writes(t *testing.T) {
	p := testPKI(t)
	for name, enc := range map[string]*gopkcs12.Encoder{
		"modern": gopkcs12.Modern, "modern2023": gopkcs12.Modern2023, "legacy": gopkcs12.Legacy, "legacy-rc2": gopkcs12.LegacyRC2,
	} {
		der, err := enc.Encode(p.leaf.Key, p.leaf.Cert, []*x509.Certificate{p.root.Cert, p.inter.Cert}, "pw")
		if err != nil {
			t.Fatal(err)
		}
		f, err := Decode(der, []byte("pw"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(f.Entries) != 1 || f.Entries[0].Key == nil || len(f.Entries[0].Certs) != 3 {
			t.Errorf("%s: %d entries", name, len(f.Entries))
		} else if !bytes.Equal(f.Entries[0].Certs[1], p.inter.Cert.Raw) {
			t.Errorf("%s: the chain is not in issuer order", name)
		}
		if _, err := Decode(der, []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s: err = %v, want ErrWrongPassword", name, err)
		}
		if _, _, err := gopkcs12.Decode(der, "wrong"); !errors.Is(err, gopkcs12.ErrIncorrectPassword) {
			t.Errorf("%s: go-pkcs12 itself: %v", name, err)
		}
	}
	ts, err := gopkcs12.Modern.EncodeTrustStore([]*x509.Certificate{p.root.Cert, p.inter.Cert}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(ts, []byte("pw"))
	if err != nil || len(f.Entries) != 2 || !f.Entries[0].Trusted {
		t.Errorf("go-pkcs12 trust store: %+v, %v", f, err)
	}
}
