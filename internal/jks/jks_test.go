package jks

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/jdk"
	"github.com/trustctl/trustctl/internal/testpki"
)

var changeit = []byte("changeit")

func readFile(t testing.TB, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pemDER(t testing.TB, dir, name string) []byte {
	t.Helper()
	blk, _ := pem.Decode(readFile(t, dir, name))
	if blk == nil {
		t.Fatalf("%s: no PEM", name)
	}
	return blk.Bytes
}

func byAlias(t testing.TB, f *File, alias string) *Entry {
	t.Helper()
	for i := range f.Entries {
		if f.Entries[i].Alias == alias {
			return &f.Entries[i]
		}
	}
	t.Fatalf("no entry %q in %v", alias, aliases(f))
	return nil
}

func aliases(f *File) []string {
	var a []string
	for _, e := range f.Entries {
		a = append(a, e.Alias)
	}
	slices.Sort(a)
	return a
}

// checkKey asserts that the entry's key decrypted to PKCS #8 matching its leaf.
func checkKey(t testing.TB, e *Entry) {
	t.Helper()
	if e.Key == nil {
		t.Fatalf("%s: key not decrypted", e.Alias)
	}
	key, err := x509.ParsePKCS8PrivateKey(e.Key)
	if err != nil {
		t.Fatalf("%s: key is not PKCS #8: %v", e.Alias, err)
	}
	leaf, err := x509.ParseCertificate(e.Certs[0])
	if err != nil {
		t.Fatal(err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok || !signer.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(leaf.PublicKey) {
		t.Fatalf("%s: key does not match the leaf certificate", e.Alias)
	}
}

// checkMixed asserts what keytool put into mixed.jks (see testdata/README.md).
func checkMixed(t *testing.T, dir string) {
	data := readFile(t, dir, "mixed.jks")
	if !hasMagic(data, magicJKS) {
		t.Fatal("mixed.jks not sniffed as JKS")
	}
	f, err := Decode(data, changeit, func(alias string) []byte {
		if alias == "gen" {
			return []byte("keypass1")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Verified || f.JCEKS {
		t.Fatalf("Verified=%v JCEKS=%v", f.Verified, f.JCEKS)
	}
	if got, want := aliases(f), []string{"acme-int", "acme-root", "gen", "server"}; !slices.Equal(got, want) {
		t.Fatalf("aliases %v, want %v", got, want)
	}
	root, intm, leaf := pemDER(t, dir, "root.pem"), pemDER(t, dir, "int.pem"), pemDER(t, dir, "leaf.pem")
	for alias, want := range map[string][]byte{"acme-root": root, "acme-int": intm} {
		e := byAlias(t, f, alias)
		if !e.Trusted || len(e.Certs) != 1 || !bytes.Equal(e.Certs[0], want) || e.Key != nil {
			t.Errorf("%s: not the trusted certificate from the PEM", alias)
		}
		if e.Created.Before(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: creation time %v", alias, e.Created)
		}
	}
	server := byAlias(t, f, "server")
	if server.Trusted || len(server.Certs) != 3 || !bytes.Equal(server.Certs[0], leaf) ||
		!bytes.Equal(server.Certs[1], intm) || !bytes.Equal(server.Certs[2], root) {
		t.Errorf("server: chain is not leaf, int, root")
	}
	checkKey(t, server)
	gen := byAlias(t, f, "gen")
	if len(gen.Certs) != 1 {
		t.Errorf("gen: chain length %d", len(gen.Certs))
	}
	checkKey(t, gen)

	t.Run("key password left to the store password", func(t *testing.T) {
		f, err := Decode(data, changeit, nil)
		if err != nil {
			t.Fatal(err)
		}
		if e := byAlias(t, f, "gen"); e.Key != nil || e.Protected == nil {
			t.Fatal("gen should stay protected: its key password is not the store password")
		}
		e := byAlias(t, f, "gen")
		if err := e.Decrypt([]byte("wrong")); !errors.Is(err, ErrWrongKeyPassword) {
			t.Fatalf("Decrypt(wrong) = %v", err)
		}
		if err := e.Decrypt([]byte("keypass1")); err != nil {
			t.Fatal(err)
		}
		checkKey(t, e)
		checkKey(t, byAlias(t, f, "server"))
	})
	t.Run("explicit wrong key password", func(t *testing.T) {
		_, err := Decode(data, changeit, func(a string) []byte {
			if a == "gen" {
				return []byte("nope")
			}
			return nil
		})
		var ke *KeyError
		if !errors.Is(err, ErrWrongKeyPassword) || !errors.As(err, &ke) || ke.Alias != "gen" {
			t.Fatalf("err = %v, want ErrWrongKeyPassword for gen", err)
		}
	})
	t.Run("no password", func(t *testing.T) {
		f, err := Decode(data, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.Verified {
			t.Fatal("Verified without a password")
		}
		if len(f.Entries) != 4 || byAlias(t, f, "server").Key != nil || byAlias(t, f, "server").Protected == nil {
			t.Fatal("without a password all entries are listed and keys stay protected")
		}
	})
	t.Run("wrong store password", func(t *testing.T) {
		if _, err := Decode(data, []byte("changeme"), nil); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("err = %v, want ErrWrongPassword", err)
		}
	})
	t.Run("round trip keeps every entry", func(t *testing.T) {
		// Without key passwords: keys are written back byte for byte.
		f0, err := Decode(data, changeit, nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Encode(f0, changeit, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) {
			// keytool sorts nothing; entries may come in another order.
			f1, err := Decode(out, changeit, func(a string) []byte {
				if a == "gen" {
					return []byte("keypass1")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range f.Entries {
				got := byAlias(t, f1, want.Alias)
				if !equalEntry(got, &want) {
					t.Errorf("%s changed in the round trip", want.Alias)
				}
			}
		}
	})
}

func equalEntry(a, b *Entry) bool {
	return a.Alias == b.Alias && a.Created.Equal(b.Created) && a.Trusted == b.Trusted &&
		slices.EqualFunc(a.Certs, b.Certs, bytes.Equal) && bytes.Equal(a.Key, b.Key) &&
		bytes.Equal(a.Protected, b.Protected) && a.Secret == b.Secret
}

// checkJCEKS asserts what keytool put into store.jceks.
func checkJCEKS(t *testing.T, dir string) {
	data := readFile(t, dir, "store.jceks")
	if !hasMagic(data, magicJCEKS) {
		t.Fatal("store.jceks not sniffed as JCEKS")
	}
	f, err := Decode(data, changeit, func(a string) []byte {
		if a == "jgen" {
			return []byte("keypass2")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !f.JCEKS || !f.Verified {
		t.Fatalf("JCEKS=%v Verified=%v", f.JCEKS, f.Verified)
	}
	if got, want := aliases(f), []string{"aes", "hmac", "jgen", "root"}; !slices.Equal(got, want) {
		t.Fatalf("aliases %v, want %v", got, want)
	}
	if e := byAlias(t, f, "root"); !e.Trusted || !bytes.Equal(e.Certs[0], pemDER(t, dir, "root.pem")) {
		t.Error("root: not the trusted root certificate")
	}
	for _, alias := range []string{"aes", "hmac"} {
		if e := byAlias(t, f, alias); !e.Secret || e.Protected == nil || e.Key != nil || len(e.Certs) != 0 {
			t.Errorf("%s: not an opaque secret-key entry", alias)
		}
	}
	jgen := byAlias(t, f, "jgen")
	if len(jgen.Certs) != 1 {
		t.Errorf("jgen: chain length %d", len(jgen.Certs))
	}
	checkKey(t, jgen)

	if _, err := Decode(data, []byte("wrong"), nil); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong store password: %v", err)
	}
	if _, err := Decode(data, changeit, func(string) []byte { return []byte("wrong") }); !errors.Is(err, ErrWrongKeyPassword) {
		t.Errorf("wrong key password: %v", err)
	}
	nf, err := Decode(data, nil, nil)
	if err != nil || nf.Verified || len(nf.Entries) != 4 {
		t.Fatalf("without password: %v, %+v", err, nf)
	}
	// JCEKS is read-only: the secret key and a still-protected JCEKS key
	// cannot go into JKS; once dropped and decrypted, the rest can.
	if _, err := Encode(nf, changeit, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Encode of a JCEKS secret entry: %v", err)
	}
	nf.Entries = slices.DeleteFunc(nf.Entries, func(e Entry) bool { return e.Secret })
	if _, err := Encode(nf, changeit, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Encode of a JCEKS-protected key: %v", err)
	}
	f.Entries = slices.DeleteFunc(f.Entries, func(e Entry) bool { return e.Secret })
	out, err := Encode(f, changeit, nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(out, changeit, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkKey(t, byAlias(t, back, "jgen"))
}

func TestKeytoolJKS(t *testing.T)   { checkMixed(t, "testdata") }
func TestKeytoolJCEKS(t *testing.T) { checkJCEKS(t, "testdata") }

// TestFreshKeytoolStores remakes the test stores with the keytool and
// openssl on this machine and checks them like the checked-in ones, so a
// newer JDK's output is read too. It runs about eight JVMs.
func TestFreshKeytoolStores(t *testing.T) {
	needTool(t, "keytool")
	needTool(t, "openssl")
	dir := t.TempDir()
	runTool(t, "sh", filepath.Join("testdata", "gen.sh"), dir)
	t.Run("jks", func(t *testing.T) { checkMixed(t, dir) })
	t.Run("jceks", func(t *testing.T) { checkJCEKS(t, dir) })
}

// newStore makes a store of n trusted certificates and, with key, one key
// entry with a two-certificate chain.
func newStore(t testing.TB, n int, key bool) (*File, *testpki.Cert) {
	root := testpki.Root(t, "Acme Root")
	f := &File{}
	for i := 0; i < n; i++ {
		c := root
		if i > 0 {
			c = testpki.New(t, testpki.Template{Subject: fmt.Sprintf("CN=CA %d,O=Acme Corp", i), IsCA: true, Key: root.Key}, nil)
		}
		f.Entries = append(f.Entries, Entry{Alias: fmt.Sprintf("ca%04d", i), Trusted: true, Certs: [][]byte{c.Cert.Raw}})
	}
	var leaf *testpki.Cert
	if key {
		leaf = testpki.Leaf(t, "www.example.com", root, "www.example.com")
		blk, _ := pem.Decode(leaf.KeyPEM)
		f.Entries = append(f.Entries, Entry{Alias: "Server", Certs: [][]byte{leaf.Cert.Raw, root.Cert.Raw}, Key: blk.Bytes})
	}
	return f, leaf
}

func TestEncodeDecode(t *testing.T) {
	f, leaf := newStore(t, 3, true)
	out, err := Encode(f, changeit, func(a string) []byte {
		if a == "server" {
			return []byte("keypass")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(out, changeit, func(a string) []byte {
		if a == "server" {
			return []byte("keypass")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ca0000", "ca0001", "ca0002", "server"}; !slices.Equal(aliases(got), want) {
		t.Fatalf("aliases %v, want %v", aliases(got), want)
	}
	s := byAlias(t, got, "server")
	checkKey(t, s)
	if !s.Created.Equal(leaf.Cert.NotBefore) {
		t.Errorf("zero Created written as %v, want the leaf's NotBefore %v", s.Created, leaf.Cert.NotBefore)
	}
	// Written in alias order, so the same entries in another order give the
	// same trusted-entry bytes.
	slices.Reverse(f.Entries)
	f.Entries = f.Entries[1:] // drop the key entry: its salt is random
	out1, _ := Encode(f, changeit, nil)
	slices.Reverse(f.Entries)
	out2, _ := Encode(f, changeit, nil)
	if !bytes.Equal(out1, out2) {
		t.Error("Encode depends on entry order")
	}
}

func TestEncodeRejects(t *testing.T) {
	der := testpki.Root(t, "Acme Root").Cert.Raw
	tests := []struct {
		name    string
		entries []Entry
	}{
		{"duplicate alias in another case", []Entry{{Alias: "a", Trusted: true, Certs: [][]byte{der}}, {Alias: "A", Trusted: true, Certs: [][]byte{der}}}},
		{"empty alias", []Entry{{Trusted: true, Certs: [][]byte{der}}}},
		{"trusted with two certs", []Entry{{Alias: "a", Trusted: true, Certs: [][]byte{der, der}}}},
		{"key without chain", []Entry{{Alias: "a", Key: []byte{0x30, 0}}}},
		{"key entry without key", []Entry{{Alias: "a", Certs: [][]byte{der}}}},
		{"secret entry", []Entry{{Alias: "a", Secret: true, Protected: []byte{1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Encode(&File{Entries: tt.entries}, changeit, nil); err == nil {
				t.Fatal("Encode accepted it")
			}
		})
	}
	if _, err := Encode(&File{}, nil, nil); err == nil {
		t.Fatal("Encode without a store password")
	}
}

func TestWrongStorePassword(t *testing.T) {
	f, _ := newStore(t, 1, true)
	out, err := Encode(f, changeit, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range [][]byte{[]byte("changeme"), {}, []byte("changeit ")} {
		if _, err := Decode(out, pw, nil); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("password %q: err = %v, want ErrWrongPassword", pw, err)
		}
	}
	// The empty password is a password: it verifies a store written with it.
	out, _ = Encode(f, []byte{}, nil)
	if got, err := Decode(out, []byte{}, nil); err != nil || !got.Verified {
		t.Errorf("empty password: %v", err)
	}
}

// TestNonASCIIPassword round-trips a password outside Latin-1 and the BMP;
// TestKeytoolListsEncoded has keytool check the same hashing.
func TestNonASCIIPassword(t *testing.T) {
	f, _ := newStore(t, 1, true)
	pw := []byte("pässwörd-€-𝄞")
	out, err := Encode(f, pw, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(out, pw, nil)
	if err != nil || !got.Verified {
		t.Fatal(err)
	}
	checkKey(t, byAlias(t, got, "server"))
}

func TestDamagedStores(t *testing.T) {
	f, _ := newStore(t, 2, true)
	good, err := Encode(f, changeit, nil)
	if err != nil {
		t.Fatal(err)
	}
	var fe *FormatError
	for n := 0; n < len(good)-sha1Size(); n += 7 {
		if _, err := Decode(good[:n], nil, nil); !errors.As(err, &fe) {
			t.Fatalf("truncated to %d bytes: err = %v, want *FormatError", n, err)
		}
	}
	for _, garbage := range [][]byte{nil, []byte("hello"), bytes.Repeat([]byte{0xFF}, 64), []byte("-----BEGIN CERTIFICATE-----")} {
		if _, err := Decode(garbage, changeit, nil); !errors.As(err, &fe) {
			t.Errorf("garbage %q: err = %v, want *FormatError", garbage, err)
		}
	}
	// A flipped byte anywhere: an error with the password, never a panic.
	for i := 0; i < len(good); i++ {
		b := bytes.Clone(good)
		b[i] ^= 0x01
		if _, err := Decode(b, changeit, nil); err == nil {
			t.Fatalf("flipped byte %d accepted", i)
		}
		Decode(b, nil, nil)
	}
}

func sha1Size() int { return 20 }

// TestCaseInsensitiveAliases: the JDK lower-cases aliases on load.
func TestCaseInsensitiveAliases(t *testing.T) {
	der := testpki.Root(t, "Acme Root").Cert.Raw
	// Hand-made: Encode would lower-case it already.
	var b []byte
	b = append(b, 0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2)
	b, _ = appendUTF(b, "Mixed-Case", "")
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	b, _ = appendCert(b, der)
	b = append(b, storeDigest(changeit, b)...)
	f, err := Decode(b, changeit, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Entries[0].Alias != "mixed-case" {
		t.Fatalf("alias %q", f.Entries[0].Alias)
	}
}

func TestLargeTruststore(t *testing.T) {
	f, _ := newStore(t, 1, false)
	der := f.Entries[0].Certs[0]
	f.Entries = nil
	for i := 0; i < 2000; i++ {
		f.Entries = append(f.Entries, Entry{Alias: fmt.Sprintf("ca%04d", i), Trusted: true, Certs: [][]byte{der}, Created: testpki.Now})
	}
	// Best of three, so that a busy machine does not fail the test.
	enc, dec := time.Hour, time.Hour
	var out []byte
	for range 3 {
		start := time.Now()
		var err error
		if out, err = Encode(f, changeit, nil); err != nil {
			t.Fatal(err)
		}
		enc = min(enc, time.Since(start))
		start = time.Now()
		got, err := Decode(out, changeit, nil)
		if err != nil {
			t.Fatal(err)
		}
		dec = min(dec, time.Since(start))
		if len(got.Entries) != 2000 {
			t.Fatalf("%d entries", len(got.Entries))
		}
	}
	// Speed is measured by bench/ side by side with keytool, never
	// asserted in a test.
	t.Logf("2000 entries, %d bytes: encode %v, decode %v", len(out), enc, dec)
}

func TestModifiedUTF8(t *testing.T) {
	for _, s := range []string{"", "plain", "nul\x00inside", "é", "€", "𝄞 clef", "日本語"} {
		b := encodeMUTF8(s)
		got, err := decodeMUTF8(b)
		if err != nil || got != s {
			t.Errorf("%q: round trip gave %q, %v (bytes %s)", s, got, err, hex.EncodeToString(b))
		}
	}
	// Java writes U+0000 as C0 80 and U+1D11E as a surrogate pair, 6 bytes.
	if got := encodeMUTF8("\x00"); !bytes.Equal(got, []byte{0xC0, 0x80}) {
		t.Errorf("NUL as % x", got)
	}
	if got := encodeMUTF8("𝄞"); len(got) != 6 {
		t.Errorf("U+1D11E as % x", got)
	}
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	var b []byte
	for i, c := range sum {
		if i > 0 {
			b = append(b, ':')
		}
		b = fmt.Appendf(b, "%02X", c)
	}
	return string(b)
}

// TestVersion1 reads a version 1 store, whose certificates carry no type name.
func TestVersion1(t *testing.T) {
	der := testpki.Root(t, "Acme Root").Cert.Raw
	b := []byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2}
	b, _ = appendUTF(b, "old", "")
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	b, _ = appendBytes(b, der, "")
	b = append(b, storeDigest(changeit, b)...)
	f, err := Decode(b, changeit, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 1 || !bytes.Equal(f.Entries[0].Certs[0], der) {
		t.Fatalf("entries %+v", f.Entries)
	}
}

// TestSystemCacerts reads this machine's JDK truststore, if it is JKS, with
// the JDK's well-known default password.
func TestSystemCacerts(t *testing.T) {
	path, err := jdk.Cacerts(jdk.Env{})
	if err != nil {
		t.Skip(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skip(err)
	}
	if !hasMagic(data, magicJKS) {
		t.Skipf("%s is not JKS", path)
	}
	f, err := Decode(data, changeit, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range f.Entries {
		if !e.Trusted {
			t.Errorf("%s: not a trusted certificate entry", e.Alias)
		}
	}
	if !f.Verified || len(f.Entries) < 10 {
		t.Fatalf("Verified=%v, %d entries", f.Verified, len(f.Entries))
	}
	out, err := Encode(f, changeit, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Decode(out, changeit, nil)
	if err != nil || len(g.Entries) != len(f.Entries) {
		t.Fatalf("round trip: %v", err)
	}
}

// hasMagic reports whether b starts with the magic number of a JKS or
// JCEKS store.
func hasMagic(b []byte, magic uint32) bool {
	return len(b) >= 4 && binary.BigEndian.Uint32(b) == magic
}

func TestDerivedSaltsGiveTheSameBytes(t *testing.T) {
	root := testpki.Root(t, "JKS Salt Root")
	leaf := testpki.Leaf(t, "jks-salt.example", root, "jks-salt.example")
	other := testpki.Leaf(t, "other.example", root, "other.example")
	key := func(c *testpki.Cert) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(c.Key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	f := &File{Entries: []Entry{
		{Alias: "one", Key: key(leaf), Certs: [][]byte{leaf.Cert.Raw, root.Cert.Raw}, Created: time.Unix(1700000000, 0)},
		{Alias: "two", Key: key(other), Certs: [][]byte{other.Cert.Raw, root.Cert.Raw}, Created: time.Unix(1700000000, 0)},
	}}
	derived := Options{DerivedSalts: true}
	a, err := EncodeWith(f, changeit, derived)
	if err != nil {
		t.Fatal(err)
	}
	b, err := EncodeWith(f, changeit, derived)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two encodings with derived salts differ")
	}
	back, err := Decode(a, changeit, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(byAlias(t, back, "one").Key, f.Entries[0].Key) {
		t.Error("the key does not decrypt back")
	}
	// The salt is the first 20 bytes of the protected data: each entry
	// has its own, and the password does not change it.
	salt := func(data []byte, alias string) []byte {
		g, err := Decode(data, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var info encryptedPrivateKeyInfo
		if _, err := asn1.Unmarshal(byAlias(t, g, alias).Protected, &info); err != nil {
			t.Fatal(err)
		}
		return info.Data[:20]
	}
	if bytes.Equal(salt(a, "one"), salt(a, "two")) {
		t.Error("two key entries share a derived salt")
	}
	c, err := EncodeWith(f, []byte("another password"), derived)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(salt(a, "one"), salt(c, "one")) {
		t.Error("the derived salt depends on the password")
	}
	r1, _ := Encode(f, changeit, nil)
	r2, _ := Encode(f, changeit, nil)
	if bytes.Equal(r1, r2) {
		t.Error("without DerivedSalts, two encodings of a key entry are equal; want fresh salts")
	}
}

// jceksWithKeys is a JCEKS store of n key entries protected with
// PBEWithMD5AndTripleDES at iterations (with ciphertext no password
// opens), under the store password changeit.
func jceksWithKeys(t *testing.T, n, iterations int) []byte {
	t.Helper()
	cert := readFile(t, "testdata", "root.pem")
	block, _ := pem.Decode(cert)
	params, err := asn1.Marshal(pbeParams{Salt: []byte("saltsalt"), Iterations: iterations})
	if err != nil {
		t.Fatal(err)
	}
	protected, err := asn1.Marshal(encryptedPrivateKeyInfo{
		Algo: pkix.AlgorithmIdentifier{Algorithm: oidSunJCE, Parameters: asn1.RawValue{FullBytes: params}},
		Data: make([]byte, 32),
	})
	if err != nil {
		t.Fatal(err)
	}
	out := binary.BigEndian.AppendUint32(nil, magicJCEKS)
	out = binary.BigEndian.AppendUint32(out, 2)
	out = binary.BigEndian.AppendUint32(out, uint32(n))
	for i := range n {
		out = binary.BigEndian.AppendUint32(out, tagKey)
		out, _ = appendUTF(out, fmt.Sprint("key", i), "alias")
		out = binary.BigEndian.AppendUint64(out, 0)
		out, _ = appendBytes(out, protected, "protected key")
		out = binary.BigEndian.AppendUint32(out, 1)
		out, _ = appendCert(out, block.Bytes)
	}
	return append(out, storeDigest(changeit, out)...)
}

// TestKeyDerivationWorkIsBoundedPerStore: a JCEKS store whose key entries
// each ask for the largest iteration count is refused before any key is
// derived once they add up past maxDecodeWork; many keys at ordinary
// counts open as before, their keys left protected when the password
// does not fit.
func TestKeyDerivationWorkIsBoundedPerStore(t *testing.T) {
	if _, err := Decode(jceksWithKeys(t, 5, maxPBEIterations), changeit, nil); !errors.Is(err, ErrTooMuchWork) {
		t.Errorf("five keys at the largest count: %v, want ErrTooMuchWork", err)
	}
	f, err := Decode(jceksWithKeys(t, 5, maxPBEIterations), nil, nil)
	if err != nil || len(f.Entries) != 5 {
		t.Errorf("read without a password, nothing is derived: %v", err)
	}
	f, err = Decode(jceksWithKeys(t, 100, 1000), changeit, nil)
	if err != nil || len(f.Entries) != 100 || f.Entries[0].Protected == nil {
		t.Errorf("a hundred keys at 1,000 iterations: %v", err)
	}
	if keytoolKeys := maxDecodeWork / (2 * 200_000); keytoolKeys < 100 {
		t.Errorf("maxDecodeWork covers only %d keys at the JDK's 200,000 iterations", keytoolKeys)
	}
}
