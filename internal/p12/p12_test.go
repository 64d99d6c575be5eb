package p12

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

// pki is one hierarchy shared by the tests of the package: a root, an
// intermediate, two leaves under it, and a second root.
type pki struct {
	root, inter, leaf, leaf2, root2 *testpki.Cert
}

var (
	pkiOnce sync.Once
	pkiVal  pki
)

func testPKI(t testing.TB) pki {
	pkiOnce.Do(func() {
		root := testpki.Root(t, "CN=P12 Test Root,O=Acme Corp,C=US")
		inter := testpki.Intermediate(t, "CN=P12 Test Issuing CA,O=Acme Corp", root)
		pkiVal = pki{
			root:  root,
			inter: inter,
			leaf:  testpki.Leaf(t, "www.example.com", inter, "www.example.com"),
			leaf2: testpki.Leaf(t, "api.example.com", inter, "api.example.com"),
			root2: testpki.Root(t, "Other Root"),
		}
	})
	return pkiVal
}

func pkcs8(t testing.TB, c *testpki.Cert) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func ders(cs ...*testpki.Cert) [][]byte {
	var out [][]byte
	for _, c := range cs {
		out = append(out, c.Cert.Raw)
	}
	return out
}

// sampleFile has two trusted certificates and two key entries, one with a
// three-certificate chain sharing its CAs with the other.
func sampleFile(t testing.TB) *File {
	p := testPKI(t)
	return &File{Entries: []Entry{
		{Alias: "root", Certs: ders(p.root), Trusted: true},
		{Alias: "other root", Certs: ders(p.root2), Trusted: true},
		{Alias: "server", Key: pkcs8(t, p.leaf), Certs: ders(p.leaf, p.inter, p.root)},
		{Alias: "api", Key: pkcs8(t, p.leaf2), Certs: ders(p.leaf2, p.inter, p.root)},
	}}
}

// fastOpts keeps the iteration count low so round trips stay quick.
// unprotected is a PKCS#12 file of bags in one plain SafeContents, with
// no MAC, for tests that lay out the bags themselves.
func unprotected(bags []safeBag) []byte {
	sc, _ := marshal(bags)
	authSafe, _ := marshal([]contentInfo{dataContent(sc)})
	der, _ := marshal(pfxPDU{Version: 3, AuthSafe: dataContent(authSafe)})
	return der
}

func fastOpts(enc Encryption) Options { return Options{Encryption: enc, Iterations: 16} }

// summary describes entries the way a user checks them: alias, kind, and
// the SHA-256 of each certificate.
func summary(f *File) []string {
	var out []string
	for _, e := range f.Entries {
		kind := "cert"
		switch {
		case e.Key != nil:
			kind = "key"
		case e.Trusted:
			kind = "trusted"
		}
		s := fmt.Sprintf("%s %s", e.Alias, kind)
		for _, c := range e.Certs {
			sum := sha256.Sum256(c)
			s += fmt.Sprintf(" %x", sum[:4])
		}
		out = append(out, s)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	f := sampleFile(t)
	for _, enc := range []Encryption{Modern, Legacy, None} {
		for _, pw := range []string{"changeit", "", "pässwörd 𝄞"} {
			t.Run(fmt.Sprintf("%s/%q", enc, pw), func(t *testing.T) {
				der, err := EncodeWith(f, []byte(pw), fastOpts(enc))
				if err != nil {
					t.Fatal(err)
				}
				got, err := Decode(der, []byte(pw))
				if err != nil {
					t.Fatal(err)
				}
				if got.Encryption != enc {
					t.Errorf("Encryption = %v, want %v", got.Encryption, enc)
				}
				if d := diffLines(summary(f), summary(got)); d != "" {
					t.Errorf("entries differ (-want +got):\n%s", d)
				}
				for i, e := range got.Entries {
					if !bytes.Equal(e.Key, f.Entries[i].Key) {
						t.Errorf("entry %q: key differs", e.Alias)
					}
				}
			})
		}
	}
}

func TestDefaultIterationsAreTheProfiles(t *testing.T) {
	p := testPKI(t)
	f := &File{Entries: []Entry{{Alias: "root", Certs: ders(p.root), Trusted: true}}}
	for enc, want := range map[Encryption]int{Modern: 10000, Legacy: 2048} {
		der, err := Encode(f, []byte("pw"), enc)
		if err != nil {
			t.Fatal(err)
		}
		var pfx pfxPDU
		if err := unmarshalAll(der, &pfx); err != nil {
			t.Fatal(err)
		}
		var md macData
		if err := unmarshalAll(pfx.MacData.FullBytes, &md); err != nil {
			t.Fatal(err)
		}
		if md.Iterations != want {
			t.Errorf("%v: MAC iterations = %d, want %d", enc, md.Iterations, want)
		}
	}
}

func TestWrongPassword(t *testing.T) {
	f := sampleFile(t)
	for _, enc := range []Encryption{Modern, Legacy, None} {
		der, err := EncodeWith(f, []byte("right"), fastOpts(enc))
		if err != nil {
			t.Fatal(err)
		}
		for _, pw := range []string{"wrong", ""} {
			_, err := Decode(der, []byte(pw))
			if !errors.Is(err, ErrWrongPassword) {
				t.Errorf("%v with %q: err = %v, want ErrWrongPassword", enc, pw, err)
			}
		}
	}
}

// TestPasswordlessOpensWithAnyPassword: a store without MAC and without
// encrypted parts has no password to check.
func TestPasswordlessOpensWithAnyPassword(t *testing.T) {
	p := testPKI(t)
	f := &File{Entries: []Entry{
		{Alias: "root", Certs: ders(p.root), Trusted: true},
		{Alias: "plain", Certs: ders(p.root2)},
	}}
	der, err := EncodeWith(f, nil, fastOpts(None))
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range [][]byte{nil, {}, []byte("changeit")} {
		got, err := Decode(der, pw)
		if err != nil {
			t.Fatalf("password %q: %v", pw, err)
		}
		if d := diffLines(summary(f), summary(got)); d != "" {
			t.Errorf("entries differ (-want +got):\n%s", d)
		}
	}
}

// TestPasswordlessKeyWithoutPassword writes the key as a plain keyBag.
func TestPasswordlessKeyWithoutPassword(t *testing.T) {
	p := testPKI(t)
	f := &File{Entries: []Entry{{Alias: "k", Key: pkcs8(t, p.leaf), Certs: ders(p.leaf)}}}
	der, err := EncodeWith(f, nil, fastOpts(None))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(der, []byte("anything"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 1 || !bytes.Equal(got.Entries[0].Key, f.Entries[0].Key) {
		t.Fatalf("got %v", summary(got))
	}
}

// TestEmptyPasswordForms: RFC 7292 B.1 encodes "" as two zero bytes, but
// OpenSSL also writes and accepts the absent form (no bytes at all).
func TestEmptyPasswordForms(t *testing.T) {
	p := testPKI(t)
	f := &File{Entries: []Entry{{Alias: "k", Key: pkcs8(t, p.leaf), Certs: ders(p.leaf)}}}
	der, err := EncodeWith(f, nil, fastOpts(Legacy))
	if err != nil {
		t.Fatal(err)
	}
	// Rewrite the MAC and encryption with the absent form by encoding
	// through the internal password type.
	if _, err := Decode(der, nil); err != nil {
		t.Fatalf("two-zero-byte form: %v", err)
	}
	absent := encodeWithPasswords(t, f, passwords{})
	for _, pw := range [][]byte{nil, {}} {
		if _, err := Decode(absent, pw); err != nil {
			t.Errorf("absent form, password %q: %v", pw, err)
		}
	}
	if _, err := Decode(absent, []byte("x")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("absent form, password x: err = %v, want ErrWrongPassword", err)
	}
}

// encodeWithPasswords builds a legacy store keyed with exact password bytes.
func encodeWithPasswords(t *testing.T, f *File, pw passwords) []byte {
	t.Helper()
	prof := profile{iterations: 16, saltLen: 8, macAlg: oidSHA1}
	r := rand.New(rand.NewPCG(1, 2))
	rnd := readerFunc(func(b []byte) (int, error) {
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return len(b), nil
	})
	e := f.Entries[0]
	attrs := bagAttributes(e.Alias, []byte{1}, false)
	cb, _ := newCertBag(e.Certs[0], attrs)
	alg, ct, err := encrypt(prof, pw, rnd, e.Key)
	if err != nil {
		t.Fatal(err)
	}
	epki, _ := marshal(encryptedPrivateKeyInfo{Algorithm: alg, Data: ct})
	sc, _ := marshal([]safeBag{cb, {ID: oidPKCS8ShroudedKeyBag, Value: explicit0(epki), Attributes: attrs}})
	authSafe, _ := marshal([]contentInfo{dataContent(sc)})
	mac, _ := computeMAC(oidSHA1, pw.bmp, []byte("saltsalt"), 16, authSafe)
	md, _ := marshal(macData{Mac: digestInfo{Algorithm: algID(oidSHA1), Digest: mac}, MacSalt: []byte("saltsalt"), Iterations: 16})
	der, err := marshal(pfxPDU{Version: 3, AuthSafe: dataContent(authSafe), MacData: rawFull(md)})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }

func TestDeterministicWithFixedRand(t *testing.T) {
	f := sampleFile(t)
	enc := func() []byte {
		r := rand.New(rand.NewPCG(7, 7))
		opts := fastOpts(Modern)
		opts.Rand = readerFunc(func(b []byte) (int, error) {
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			return len(b), nil
		})
		der, err := EncodeWith(f, []byte("pw"), opts)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	if !bytes.Equal(enc(), enc()) {
		t.Error("two encodings with the same random stream differ")
	}
}

func TestDamagedInput(t *testing.T) {
	der, err := EncodeWith(sampleFile(t), []byte("pw"), fastOpts(Modern))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("truncated", func(t *testing.T) {
		for _, n := range []int{0, 1, 10, len(der) / 2, len(der) - 1} {
			_, err := Decode(der[:n], []byte("pw"))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("truncated to %d: err = %v, want *FormatError", n, err)
			}
		}
	})
	t.Run("trailing bytes are ignored", func(t *testing.T) {
		if _, err := Decode(append(bytes.Clone(der), 0, 0, 0, 0), []byte("pw")); err != nil {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		_, err := Decode([]byte("-----BEGIN CERTIFICATE-----\nnot pkcs12\n"), nil)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("err = %v, want *FormatError", err)
		}
	})
	t.Run("flipped bytes", func(t *testing.T) {
		// Every byte flipped in turn must give an error or (for bytes the
		// MAC does not cover, like the salt's tag) a result, never a panic.
		step := len(der)/200 + 1
		for i := 0; i < len(der); i += step {
			b := bytes.Clone(der)
			b[i] ^= 0x55
			if _, err := Decode(b, []byte("pw")); err == nil && i > 40 && i < len(der)-80 {
				t.Errorf("byte %d flipped: no error", i)
			}
		}
	})
	t.Run("bad MAC", func(t *testing.T) {
		b := bytes.Clone(der)
		b[len(b)-30] ^= 1 // inside the MAC digest or salt
		if _, err := Decode(b, []byte("pw")); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("err = %v, want ErrWrongPassword", err)
		}
	})
}

// TestChainOrderFromShuffledBags: certificates without localKeyID in any
// order become the key's chain ordered by issuer links.
func TestChainOrderFromShuffledBags(t *testing.T) {
	p := testPKI(t)
	var bags []safeBag
	for _, c := range [][]byte{p.root.Cert.Raw, p.root2.Cert.Raw, p.inter.Cert.Raw} {
		b, err := newCertBag(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		bags = append(bags, b)
	}
	attrs := bagAttributes("server", []byte("id"), false)
	leaf, _ := newCertBag(p.leaf.Cert.Raw, attrs)
	bags = append(bags, leaf, safeBag{ID: oidKeyBag, Value: explicit0(pkcs8(t, p.leaf)), Attributes: attrs})
	der := unprotected(bags)
	got, err := Decode(der, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		summary(&File{Entries: []Entry{{Alias: "other root", Certs: ders(p.root2)}}})[0][len("other root"):],
		summary(&File{Entries: []Entry{{Alias: "server", Key: []byte{0}, Certs: ders(p.leaf, p.inter, p.root)}}})[0],
	}
	want[0] = " cert" + want[0][len(" cert"):]
	if d := diffLines(want, summary(got)); d != "" {
		t.Errorf("entries differ (-want +got):\n%s", d)
	}
}

// TestKeysWithoutLocalKeyIDParseEachCertificateOnce: key bags without a
// localKeyID are matched with a certificate by public key; each unbound
// certificate is parsed once, not once per such key, which made a file
// of a few hundred keys and certificates take seconds to open.
func TestKeysWithoutLocalKeyIDParseEachCertificateOnce(t *testing.T) {
	p := testPKI(t)
	const n = 200
	var bags []safeBag
	for range n {
		bags = append(bags, safeBag{ID: oidKeyBag, Value: explicit0(pkcs8(t, p.leaf))})
	}
	for range n {
		b, err := newCertBag(p.root.Cert.Raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		bags = append(bags, b)
	}
	der := unprotected(bags)
	var f *File
	allocs := testing.AllocsPerRun(1, func() {
		var err error
		if f, err = Decode(der, nil); err != nil {
			t.Fatal(err)
		}
	})
	if len(f.Entries) != 2*n {
		t.Fatalf("%d entries, want %d", len(f.Entries), 2*n)
	}
	// Parsing a certificate allocates some sixty times, comparing two
	// public keys a few: parsing each certificate again for each key shows
	// as tens of allocations per key and certificate.
	if perPair := allocs / (n * n); perPair > 20 {
		t.Errorf("%.0f allocations per key and certificate (%d of each), want at most 20", perPair, n)
	}
}

// TestLargeTruststore: 2,000 trusted certificates encode and decode in tens
// of milliseconds because the certificates are encrypted and MACed once.
// TestLargeTruststore checks that 2,000 trusted entries survive a round
// trip in every profile. How fast that is, is measured by
// BenchmarkEncode20000, BenchmarkDecode20000 and bench/, never
// asserted here.
func TestLargeTruststore(t *testing.T) {
	f := largeTruststore(t)
	for _, enc := range []Encryption{Modern, Legacy, None} {
		der, err := Encode(f, []byte("changeit"), enc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(der, []byte("changeit"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Entries) != 2000 || got.Entries[1999].Alias != "ca-1999" || !got.Entries[1999].Trusted {
			t.Fatalf("%v: got %d entries", enc, len(got.Entries))
		}
	}
}

// diffLines returns "" when the lists are equal, else both lists.
func diffLines(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	return "want:\n\t" + strings.Join(want, "\n\t") + "\ngot:\n\t" + strings.Join(got, "\n\t")
}

func largeTruststore(b testing.TB) *File {
	p := testPKI(b)
	f := &File{}
	for i := 0; i < 2000; i++ {
		f.Entries = append(f.Entries, Entry{Alias: fmt.Sprintf("ca-%04d", i), Certs: ders(p.root), Trusted: true})
	}
	return f
}

func marshal(v any) ([]byte, error) { return asn1.Marshal(v) }

func rawFull(b []byte) asn1.RawValue { return asn1.RawValue{FullBytes: b} }

func algID(oid asn1.ObjectIdentifier) pkix.AlgorithmIdentifier {
	return pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue}
}

// TestSkippedBagsAreCounted: a secret key bag (keytool -genseckey) is not
// an entry this package returns, but the caller learns it was there.
func TestSkippedBagsAreCounted(t *testing.T) {
	p := testPKI(t)
	attrs := bagAttributes("root", nil, true)
	cb, _ := newCertBag(p.root.Cert.Raw, attrs)
	secret := safeBag{ID: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 5}, Value: explicit0([]byte{0x30, 0})}
	sc, _ := encodeSafeContents([]safeBag{cb, secret})
	authSafe, _ := marshal([]contentInfo{dataContent(sc)})
	der, _ := marshal(pfxPDU{Version: 3, AuthSafe: dataContent(authSafe)})
	f, err := Decode(der, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 1 || f.Skipped != 1 {
		t.Errorf("%d entries, %d skipped; want 1 and 1", len(f.Entries), f.Skipped)
	}
}

// A file of many keys, each at the largest iteration count accepted, is
// refused once their derivations together pass maxWork, instead of
// keeping trustctl busy for as long as the file asks (each key at the
// JDK's 5,000,000 iterations costs seconds).
func TestKeyDerivationWorkIsBoundedPerFile(t *testing.T) {
	saved := maxIterations
	maxIterations = 1000
	defer func() { maxIterations = saved }()
	key := pkcs8(t, testPKI(t).leaf)
	withKeys := func(n int, enc Encryption) []byte {
		f := &File{}
		for i := range n {
			f.Entries = append(f.Entries, Entry{Alias: fmt.Sprint("key ", i), Key: key})
		}
		der, err := EncodeWith(f, []byte("changeit"), Options{Encryption: enc, Iterations: maxIterations})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	// Modern keys cost 2 compressions per iteration (HMAC-SHA-256, one
	// block), Legacy ones 3 (two SHA-1 blocks of key, one of IV).
	for _, tc := range []struct {
		enc       Encryption
		fit, over int
	}{{Modern, 3, 5}, {Legacy, 2, 3}} {
		if _, err := Decode(withKeys(tc.fit, tc.enc), []byte("changeit")); err != nil {
			t.Errorf("%v, %d keys at the largest count: %v", tc.enc, tc.fit, err)
		}
		_, err := Decode(withKeys(tc.over, tc.enc), []byte("changeit"))
		if !errors.Is(err, ErrTooMuchWork) {
			t.Errorf("%v, %d keys at the largest count: got %v, want ErrTooMuchWork", tc.enc, tc.over, err)
		}
	}
	// What keytool writes stays far inside the bound.
	maxIterations = saved
	if keytoolKey := 2 * 10000; maxWork() < 2000*keytoolKey {
		t.Errorf("maxWork %d does not cover 2,000 keys at keytool's 10,000 iterations", maxWork())
	}
}
