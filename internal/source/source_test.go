package source

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/pemfile"
	"github.com/trustctl/trustctl/internal/store"
	"github.com/trustctl/trustctl/internal/testpki"
)

func TestSniff(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	jksStore := store.New(store.FormatJKS)
	jksStore.Import([]*certs.Cert{certs.FromX509(root.Cert)}, store.ImportOptions{})
	jksBytes, err := jksStore.Encode(store.EncodeOptions{Password: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	p12Store := store.New(store.FormatPKCS12)
	p12Store.Import([]*certs.Cert{certs.FromX509(root.Cert)}, store.ImportOptions{})
	p12Bytes, err := p12Store.Encode(store.EncodeOptions{Password: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := pemfile.Decode(root.KeyPEM)
	for _, tc := range []struct {
		name string
		data []byte
		want Kind
	}{
		{"pem", root.CertPEM, PEM},
		{"pem-with-text", append([]byte("subject=CN = Acme Root\n"), root.CertPEM...), PEM},
		{"der-cert", root.Cert.Raw, DERCert},
		{"der-key", keyDER[0].Bytes, DERKey},
		{"jks", jksBytes, JKS},
		{"jceks-magic", []byte{0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2}, JCEKS},
		{"pkcs12", p12Bytes, PKCS12},
		{"pkcs12-truncated", p12Bytes[:len(p12Bytes)/2], PKCS12},
		{"pkcs12-header-only", p12Bytes[:7], PKCS12},
		{"text", []byte("hello"), Unknown},
		{"empty", nil, Unknown},
	} {
		if got := Sniff(tc.data); got != tc.want {
			t.Errorf("%s: Sniff = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestDamagedPKCS12IsAnError: a truncated PKCS#12 file is a damaged store,
// never a file without certificates to be passed over (in a directory, or
// by expiry).
func TestDamagedPKCS12IsAnError(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	st := store.New(store.FormatPKCS12)
	st.Import([]*certs.Cert{certs.FromX509(root.Cert)}, store.ImportOptions{})
	data, err := st.Encode(store.EncodeOptions{Password: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "half.p12"), data[:len(data)/2], 0o644)
	for _, path := range []string{filepath.Join(dir, "half.p12"), dir} {
		_, err := Load(path, Options{Password: []byte("pw"), HavePassword: true})
		var fe *FormatError
		if err == nil || errors.As(err, &fe) && fe.Err == nil {
			t.Errorf("Load(%s) = %v; want the PKCS#12 file's damage", path, err)
		}
	}
}

// TestUnparsableCertificateIsKept: a root crypto/x509 refuses (negative
// serial, made by openssl) is listed, imported and written back unchanged.
func TestUnparsableCertificateIsKept(t *testing.T) {
	pemBytes, err := os.ReadFile("../../testdata/certs/negative-serial.pem")
	if err != nil {
		t.Fatal(err)
	}
	set, err := Parse(pemBytes, "negative-serial.pem", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Certs) != 1 || set.Certs[0].X509 != nil {
		t.Fatalf("want one certificate that crypto/x509 refuses, got %d", len(set.Certs))
	}
	c := set.Certs[0]
	if c.Subject() != "CN=Old Negative Serial Root,O=Old Roots Inc,C=US" {
		t.Errorf("lenient subject %q", c.Subject())
	}
	if got := certs.SerialHex(c.Serial()); got != "-04:D2" {
		t.Errorf("serial %q, want -04:D2 (as openssl prints it)", got)
	}
	if !c.IsCA() {
		t.Error("a self-signed CA root is not seen as a CA")
	}
	for _, f := range []store.Format{store.FormatJKS, store.FormatPKCS12, store.FormatPEM} {
		st := store.New(f)
		if _, err := st.Import(set.CertList(), store.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		data, err := st.Encode(store.EncodeOptions{Password: []byte("pw")})
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		back, err := store.Decode(data, f, store.Passwords{Store: []byte("pw"), StoreGiven: true})
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		if len(back.Entries) != 1 || !bytes.Equal(back.Entries[0].Cert().Raw, c.Raw) {
			t.Errorf("%v: the certificate did not survive a rewrite", f)
		}
	}
}

func TestLoadDirectoryPassesOverOtherFiles(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	root.Write(t, dir, "root")
	os.WriteFile(filepath.Join(dir, "inter.der"), inter.Cert.Raw, 0o644)
	os.WriteFile(filepath.Join(dir, "README"), []byte("corporate CAs\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden.pem"), []byte("garbage"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	set, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Certs) != 2 || len(set.Keys) != 1 {
		t.Fatalf("found %d certificates and %d keys, want 2 and 1", len(set.Certs), len(set.Keys))
	}
	if len(set.Notes) != 2 || !strings.Contains(set.Notes[0], "README: passed over") || !strings.Contains(set.Notes[1], "sub: passed over: a directory") {
		t.Errorf("notes %q, want one for README and one for sub/", set.Notes)
	}
}

func TestLoadStandardInput(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	set, err := LoadAll([]string{"-"}, Options{Stdin: bytes.NewReader(root.CertPEM)})
	if err != nil || len(set.Certs) != 1 || set.Certs[0].Origin != "standard input" {
		t.Fatalf("stdin: %v", err)
	}
	if _, err := LoadAll([]string{"-", "-"}, Options{Stdin: bytes.NewReader(root.CertPEM)}); err == nil {
		t.Error("standard input given twice was accepted")
	}
}

// TestLoadEachKeepsSourcesApart: one set per source, in order, even for a
// directory that holds nothing, and standard input named as such.
func TestLoadEachKeepsSourcesApart(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.d")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	sets, err := LoadEach([]string{"-", empty}, Options{Stdin: bytes.NewReader(root.CertPEM)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 2 || len(sets[0].Certs) != 1 || len(sets[1].Certs) != 0 {
		t.Fatalf("got %d sets; want the root from standard input, then nothing", len(sets))
	}
	if got := Name("-"); got != sets[0].Certs[0].Origin {
		t.Errorf("Name(-) = %q, want %q", got, sets[0].Certs[0].Origin)
	}
	if got := Name(empty); got != empty {
		t.Errorf("Name(%q) = %q", empty, got)
	}
}

// TestCertForFindsTheKeysCertificate: in a bundle the key's certificate
// may come anywhere; the others are its pool, in order.
func TestCertForFindsTheKeysCertificate(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	leaf := testpki.Leaf(t, "www.example.com", inter, "www.example.com")
	set, err := Parse(testpki.Bundle(root, inter, leaf), "bundle.pem", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, rest, err := set.CertFor(leaf.Key)
	if err != nil || !got.Equal(leaf.Cert) || len(rest) != 2 || !rest[0].Equal(root.Cert) {
		t.Fatalf("CertFor: %v, rest %d", err, len(rest))
	}
	if _, _, err := set.CertFor(testpki.ECKey(t)); !errors.Is(err, ErrNoMatchingCert) {
		t.Errorf("another key: %v; want ErrNoMatchingCert", err)
	}
}

func TestEncryptedKeyNeedsPassword(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	signer := root.Key
	enc, err := encryptForTest(signer)
	if err != nil {
		t.Fatal(err)
	}
	// Without a password function the key is passed over with a note.
	set, err := Parse(enc, "k.pem", Options{})
	if err != nil || len(set.Keys) != 0 || len(set.Notes) != 1 {
		t.Fatalf("without password: keys %d notes %q err %v", len(set.Keys), set.Notes, err)
	}
	_, err = Parse(enc, "k.pem", Options{KeyPassword: func() ([]byte, error) { return []byte("wrong"), nil }})
	if err == nil {
		t.Fatal("a wrong passphrase was accepted")
	}
	set, err = Parse(enc, "k.pem", Options{KeyPassword: func() ([]byte, error) { return []byte("right"), nil }})
	if err != nil || len(set.Keys) != 1 {
		t.Fatalf("right passphrase: %v", err)
	}
}

// FuzzParse: no input makes Parse panic, and what it reads as a
// certificate re-encodes to the same bytes.
func FuzzParse(f *testing.F) {
	root := testpki.Root(f, "Acme Root")
	f.Add(root.CertPEM)
	f.Add(root.Cert.Raw)
	f.Add(root.KeyPEM)
	f.Add([]byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1})
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	if b, err := os.ReadFile("../../testdata/certs/negative-serial.pem"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := Parse(data, "fuzz", Options{})
		if err != nil {
			return
		}
		for _, c := range set.Certs {
			if len(c.Raw) == 0 {
				t.Fatal("a certificate with no bytes")
			}
			if again := certs.Parse(c.Raw); !bytes.Equal(again.Raw, c.Raw) {
				t.Fatal("re-parsing changed the bytes")
			}
		}
	})
}

// FuzzSniff: Sniff never panics, and it agrees with store.Detect on what
// is a store, so that a file read as a source and opened as a store is
// read the same way.
func FuzzSniff(f *testing.F) {
	f.Add([]byte("-----BEGIN X"))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03})
	f.Add([]byte{0xce, 0xce, 0xce, 0xce})
	f.Fuzz(func(t *testing.T, data []byte) {
		k := Sniff(data)
		if got, want := storeFormat(k), store.Detect(data); got != want {
			t.Fatalf("Sniff says %v, store.Detect %v", k, want)
		}
	})
}

// TestLoadDirectoryRefusesLinksToNothing: a link to a root that has gone
// is not passed over in silence, or sync would drop that root.
func TestLoadDirectoryRefusesLinksToNothing(t *testing.T) {
	dir := t.TempDir()
	testpki.Root(t, "Acme Root").Write(t, dir, "root")
	if err := os.Symlink(filepath.Join(dir, "gone.crt"), filepath.Join(dir, "other-root.crt")); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "other-root.crt: a symbolic link to "+filepath.Join(dir, "gone.crt")+", which does not exist") {
		t.Fatalf("err = %v, want one naming the dangling link", err)
	}
}
