package jks

import (
	"bytes"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/trustctl/trustctl/internal/testpki"
)

// These tests hold the codec against keystore-go, the JKS library trustctl
// was planned around: each reads what the other writes, and a wrong store
// password, which keystore-go reports only as the text "got invalid
// digest", is ErrWrongPassword here.

func TestKeystoreGoReadsWhatWeWrite(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	leaf := testpki.Leaf(t, "app.example.com", root, "app.example.com")
	p8, _ := x509.MarshalPKCS8PrivateKey(leaf.Key)
	f := &File{Entries: []Entry{
		{Alias: "acme-root", Trusted: true, Certs: [][]byte{root.Cert.Raw}, Created: testpki.Now},
		{Alias: "app", Certs: [][]byte{leaf.Cert.Raw, root.Cert.Raw}, Key: p8, Created: testpki.Now},
	}}
	data, err := Encode(f, []byte("changeit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ks := keystore.New()
	if err := ks.Load(bytes.NewReader(data), []byte("changeit")); err != nil {
		t.Fatalf("keystore-go cannot load our JKS: %v", err)
	}
	tc, err := ks.GetTrustedCertificateEntry("acme-root")
	if err != nil || !bytes.Equal(tc.Certificate.Content, root.Cert.Raw) {
		t.Errorf("trusted entry: %v", err)
	}
	pk, err := ks.GetPrivateKeyEntry("app", []byte("changeit"))
	if err != nil {
		t.Fatalf("key entry: %v", err)
	}
	if !bytes.Equal(pk.PrivateKey, p8) || len(pk.CertificateChain) != 2 {
		t.Errorf("key entry: key kept %v, chain %d", bytes.Equal(pk.PrivateKey, p8), len(pk.CertificateChain))
	}
}

func TestWeReadWhatKeystoreGoWrites(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	leaf := testpki.Leaf(t, "app.example.com", root, "app.example.com")
	p8, _ := x509.MarshalPKCS8PrivateKey(leaf.Key)
	ks := keystore.New()
	if err := ks.SetTrustedCertificateEntry("Acme-Root", keystore.TrustedCertificateEntry{
		CreationTime: time.Unix(1700000000, 0),
		Certificate:  keystore.Certificate{Type: "X509", Content: root.Cert.Raw},
	}); err != nil {
		t.Fatal(err)
	}
	if err := ks.SetPrivateKeyEntry("app", keystore.PrivateKeyEntry{
		CreationTime: time.Unix(1700000000, 0),
		PrivateKey:   p8,
		CertificateChain: []keystore.Certificate{
			{Type: "X509", Content: leaf.Cert.Raw}, {Type: "X509", Content: root.Cert.Raw},
		},
	}, []byte("keypass")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ks.Store(&buf, []byte("changeit")); err != nil {
		t.Fatal(err)
	}
	f, err := Decode(buf.Bytes(), []byte("changeit"), func(string) []byte { return []byte("keypass") })
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 2 || !f.Verified {
		t.Fatalf("%d entries, verified %v", len(f.Entries), f.Verified)
	}
	for _, e := range f.Entries {
		switch e.Alias {
		case "acme-root":
			if !e.Trusted || !bytes.Equal(e.Certs[0], root.Cert.Raw) {
				t.Error("trusted entry differs")
			}
		case "app":
			if !bytes.Equal(e.Key, p8) || len(e.Certs) != 2 {
				t.Error("key entry differs")
			}
		default:
			t.Errorf("unexpected alias %q", e.Alias)
		}
	}

	// keystore-go says only "invalid digest" for a wrong password; we say
	// what it is.
	if err := keystore.New().Load(bytes.NewReader(buf.Bytes()), []byte("wrong")); err == nil || !strings.Contains(err.Error(), "invalid digest") {
		t.Fatalf("keystore-go's own error changed: %v", err)
	}
	if _, err := Decode(buf.Bytes(), []byte("wrong"), nil); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("err = %v, want ErrWrongPassword", err)
	}
	if _, err := Decode(buf.Bytes(), []byte("changeit"), func(string) []byte { return []byte("wrong") }); !errors.Is(err, ErrWrongKeyPassword) {
		t.Errorf("wrong key password: err = %v, want ErrWrongKeyPassword", err)
	}
}
