package store

import (
	"crypto/x509"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/testpki"
)

func cert(c *testpki.Cert) *certs.Cert { return certs.FromX509(c.Cert) }

// oneSource is a sync from a single SOURCE holding cs.
func oneSource(cs ...*certs.Cert) []SyncSource {
	return []SyncSource{{Name: "bundle.pem", Certs: cs}}
}

func aliases(s *Store) []string {
	s.Sort()
	var out []string
	for _, e := range s.Entries {
		out = append(out, e.Alias)
	}
	return out
}

func TestImportIsIdempotentByFingerprint(t *testing.T) {
	root := testpki.Root(t, "CN=Acme Root,O=Acme Corp")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	s := New(FormatJKS)
	res, err := s.Import([]*certs.Cert{cert(root), cert(inter), cert(root)}, ImportOptions{Epoch: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 2 {
		t.Fatalf("added %d, want 2 (the duplicate in the input counts once)", len(res.Added))
	}
	res, err = s.Import([]*certs.Cert{cert(root), cert(inter)}, ImportOptions{Epoch: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 0 || len(res.Skipped) != 2 {
		t.Fatalf("second import added %d, skipped %d; want 0 and 2", len(res.Added), len(res.Skipped))
	}
	if diff := cmp.Diff([]string{"acme-issuing-ca", "acme-root"}, aliases(s)); diff != "" {
		t.Errorf("aliases (-want +got):\n%s", diff)
	}
}

func TestImportRefusesLeafWithoutAllowLeaf(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	leaf := testpki.Leaf(t, "www.example.com", root, "www.example.com")
	s := New(FormatPKCS12)
	_, err := s.Import([]*certs.Cert{cert(root), cert(leaf)}, ImportOptions{})
	var nca *NotCAError
	if !errors.As(err, &nca) {
		t.Fatalf("err = %v, want NotCAError", err)
	}
	if len(s.Entries) != 0 {
		t.Fatalf("a refused import left %d entries; want none", len(s.Entries))
	}
	if _, err := s.Import([]*certs.Cert{cert(leaf)}, ImportOptions{AllowLeaf: true}); err != nil {
		t.Fatalf("with AllowLeaf: %v", err)
	}
}

func TestImportTakenAliasNeedsForce(t *testing.T) {
	a := testpki.Root(t, "Acme Root")
	b := testpki.Root(t, "Acme Root") // renewed: same name, other key
	s := New(FormatJKS)
	if _, err := s.Import([]*certs.Cert{cert(a)}, ImportOptions{Alias: "acme"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Import([]*certs.Cert{cert(b)}, ImportOptions{Alias: "ACME"})
	var taken *AliasTakenError
	if !errors.As(err, &taken) {
		t.Fatalf("err = %v, want AliasTakenError (aliases are case-insensitive)", err)
	}
	res, err := s.Import([]*certs.Cert{cert(b)}, ImportOptions{Alias: "acme", Force: true})
	if err != nil || len(res.Replaced) != 1 {
		t.Fatalf("force: res=%+v err=%v", res, err)
	}
	if !s.Get("acme").Cert().Equal(cert(b)) {
		t.Error("--force did not replace the certificate")
	}
}

func TestDerivedAliasesAreUniqueAndStable(t *testing.T) {
	a := testpki.Root(t, "Acme Root")
	b := testpki.Root(t, "Acme Root")
	other := testpki.Root(t, "Other Root")
	s := New(FormatJKS)
	if _, err := s.Import([]*certs.Cert{cert(a), cert(other), cert(b)}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	got := aliases(s)
	for _, x := range got[:2] {
		if !strings.HasPrefix(x, "acme-root-") || len(x) != len("acme-root-")+8 {
			t.Fatalf("aliases %q: want both Acme Roots as acme-root-<8 hex digits>", got)
		}
	}
	if got[2] != "other-root" {
		t.Fatalf("aliases %q: want other-root without a suffix", got)
	}
	again := DeriveAlias(cert(b), func(x string) bool { return x == "acme-root" })
	if s.Get(again) == nil {
		t.Errorf("deriving again gave %q, not the stored alias", again)
	}
	// The same certificates in another order get the same aliases.
	r := New(FormatJKS)
	if _, err := r.Import([]*certs.Cert{cert(b), cert(other), cert(a)}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, aliases(r)); diff != "" {
		t.Errorf("aliases depend on the input order (-first +reversed):\n%s", diff)
	}
	// A certificate added later keeps the alias of one already there.
	one := New(FormatJKS)
	one.Import([]*certs.Cert{cert(a)}, ImportOptions{})
	one.Import([]*certs.Cert{cert(b)}, ImportOptions{})
	if x := aliases(one); x[0] != "acme-root" && x[1] != "acme-root" {
		t.Errorf("aliases %q: the entry already there lost its alias", x)
	}
}

func TestCompare(t *testing.T) {
	r1, r2, r3 := testpki.Root(t, "One"), testpki.Root(t, "Two"), testpki.Root(t, "Three")
	r2b := testpki.Root(t, "Two")
	a, b := New(FormatJKS), New(FormatPKCS12)
	a.Import([]*certs.Cert{cert(r1), cert(r2)}, ImportOptions{})
	b.Import([]*certs.Cert{cert(r3)}, ImportOptions{})
	b.Import([]*certs.Cert{cert(r2b)}, ImportOptions{Alias: "two"})
	b.Import([]*certs.Cert{cert(r1)}, ImportOptions{Alias: "another-name-for-one"})
	d := Compare(a, b)
	if len(d.OnlyA) != 0 || len(d.OnlyB) != 1 || len(d.Changed) != 1 {
		t.Fatalf("onlyA=%d onlyB=%d changed=%d; want 0, 1 (three), 1 (two)", len(d.OnlyA), len(d.OnlyB), len(d.Changed))
	}
	if d.OnlyB[0].Alias != "three" || d.Changed[0].A.Alias != "two" {
		t.Errorf("got onlyB %q changed %q", d.OnlyB[0].Alias, d.Changed[0].A.Alias)
	}
	if !Compare(a, a).Empty() {
		t.Error("a store differs from itself")
	}
}

func TestPlanSyncKeepsKeysAndRemovesStrangers(t *testing.T) {
	keep, drop, add := testpki.Root(t, "Keep"), testpki.Root(t, "Drop"), testpki.Root(t, "Add")
	leaf := testpki.Leaf(t, "svc", keep, "svc")
	s := New(FormatJKS)
	s.Import([]*certs.Cert{cert(keep), cert(drop)}, ImportOptions{})
	s.Entries = append(s.Entries, &Entry{Alias: "svc", Kind: PrivateKey, Certs: []*certs.Cert{cert(leaf), cert(keep)}, Key: []byte{1}})
	p, err := s.PlanSync(oneSource(cert(keep), cert(add), cert(leaf)), SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Add) != 1 || p.Add[0].Alias != "add" || len(p.Remove) != 1 || p.Remove[0].Alias != "drop" {
		t.Fatalf("plan add=%v remove=%v", p.Add, p.Remove)
	}
	s.Apply(p)
	if diff := cmp.Diff([]string{"add", "keep", "svc"}, aliases(s)); diff != "" {
		t.Errorf("after sync (-want +got):\n%s", diff)
	}
	if p, err := s.PlanSync(oneSource(cert(keep), cert(add)), SyncOptions{}); err != nil || !p.Empty() {
		t.Errorf("a synced store plans more changes: %+v, %v", p, err)
	}
}

// TestRoundTrip writes each format and reads it back: aliases, kinds,
// certificates, keys and the PKCS#12 protection survive.
func TestRoundTrip(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	leaf := testpki.Leaf(t, "primary-host", inter, "primary-host")
	p8, err := x509.MarshalPKCS8PrivateKey(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    Format
		p    Protection
		pw   string
	}{
		{"jks", FormatJKS, Modern, "changeit"},
		{"p12-modern", FormatPKCS12, Modern, "changeit"},
		{"p12-legacy", FormatPKCS12, Legacy, "changeit"},
		{"p12-empty-password", FormatPKCS12, Modern, ""},
		{"p12-passwordless", FormatPKCS12, Passwordless, ""},
		{"pem", FormatPEM, Modern, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(tc.f)
			s.Protection = tc.p
			s.Import([]*certs.Cert{cert(root)}, ImportOptions{Epoch: testpki.Now})
			s.Entries = append(s.Entries, &Entry{Alias: "primary-host", Kind: PrivateKey, Created: testpki.Now,
				Certs: []*certs.Cert{cert(leaf), cert(inter), cert(root)}, Key: p8})
			data, err := s.Encode(EncodeOptions{Password: []byte(tc.pw)})
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(data, tc.f, Passwords{Store: []byte(tc.pw), StoreGiven: true})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"acme-root", "primary-host"}, aliases(got)); diff != "" {
				t.Fatalf("aliases (-want +got):\n%s", diff)
			}
			k := got.Get("primary-host")
			if k.Kind != PrivateKey || len(k.Certs) != 3 || string(k.Key) != string(p8) {
				t.Errorf("key entry: kind %v, chain %d, key kept %v", k.Kind, len(k.Certs), string(k.Key) == string(p8))
			}
			if tr := got.Get("acme-root"); tr.Kind != TrustedCert || !tr.Cert().Equal(cert(root)) {
				t.Errorf("trusted entry: kind %v", tr.Kind)
			}
			if tc.f == FormatPKCS12 && got.Protection != tc.p {
				t.Errorf("protection %v, want %v", got.Protection, tc.p)
			}
		})
	}
}

func TestWrongPasswordIsReportedAsSuch(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	for _, f := range []Format{FormatJKS, FormatPKCS12} {
		s := New(f)
		s.Import([]*certs.Cert{cert(root)}, ImportOptions{})
		data, err := s.Encode(EncodeOptions{Password: []byte("right")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Decode(data, f, Passwords{Store: []byte("wrong"), StoreGiven: true})
		if !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%v: err = %v, want ErrWrongPassword", f, err)
		}
	}
}

func TestSourceDateEpoch(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64 // seconds; -1 for an error
	}{
		{"", 0},
		{"0", 0},
		{"1700000000", 1700000000},
		{"253402300799", 253402300799},
		{"253402300800", -1},
		{"-1", -1},
		{"1.5", -1},
		{" 1", -1},
		{"abc", -1},
		{"99999999999999999999999999", -1},
	} {
		got, err := SourceDateEpoch(tc.in)
		switch {
		case tc.want < 0 && err == nil:
			t.Errorf("SourceDateEpoch(%q) = %v, want an error", tc.in, got)
		case tc.want >= 0 && err != nil:
			t.Errorf("SourceDateEpoch(%q): %v", tc.in, err)
		case tc.in == "" && !got.IsZero():
			t.Errorf("SourceDateEpoch(\"\") = %v, want the zero time", got)
		case tc.in != "" && tc.want >= 0 && got.Unix() != tc.want:
			t.Errorf("SourceDateEpoch(%q) = %d", tc.in, got.Unix())
		}
	}
}

func TestNewEntriesAreDatedByNotBeforeOrEpoch(t *testing.T) {
	root := testpki.Root(t, "Dated Root")
	s := New(FormatJKS)
	if _, err := s.Import([]*certs.Cert{cert(root)}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := s.Entries[0].Created; !got.Equal(root.Cert.NotBefore) {
		t.Errorf("created %v, want the certificate's notBefore %v", got, root.Cert.NotBefore)
	}
	epoch := time.Unix(1700000000, 0).UTC()
	other := testpki.Root(t, "Other Root")
	p, err := s.PlanSync(oneSource(cert(root), cert(other)), SyncOptions{Epoch: epoch})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Add) != 1 || !p.Add[0].Created.Equal(epoch) {
		t.Errorf("sync added %v, want one entry dated %v", p.Add, epoch)
	}
	if !p.Keep[0].Created.Equal(root.Cert.NotBefore) {
		t.Errorf("the kept entry's date changed to %v", p.Keep[0].Created)
	}
}

func TestPEMBundleAliasesDoNotDependOnOrder(t *testing.T) {
	a, b, c := testpki.Root(t, "Acme Root"), testpki.Root(t, "Acme Root"), testpki.Root(t, "Third Root")
	var enc [][]byte
	for _, data := range [][]byte{testpki.Bundle(a, b, c), testpki.Bundle(c, b, a)} {
		s, err := Decode(data, FormatPEM, Passwords{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.Encode(EncodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		enc = append(enc, out)
	}
	if diff := cmp.Diff(string(enc[0]), string(enc[1])); diff != "" {
		t.Errorf("the same bundle in another order encodes otherwise (-forward +backward):\n%s", diff)
	}
}

// TestDeriveAliasesOfManyCopies: a bundle holding one certificate many
// times (a concatenation gone wrong) gives each copy its own alias, and
// asks about each alias a bounded number of times, not once per earlier
// copy: 20,000 copies took minutes when it did.
func TestDeriveAliasesOfManyCopies(t *testing.T) {
	c := cert(testpki.Root(t, "Acme Root"))
	cs := make([]*certs.Cert, 1000)
	for i := range cs {
		cs[i] = c
	}
	asked := 0
	aliases := deriveAliases(cs, func(string) bool { asked++; return false })
	seen := map[string]bool{}
	for _, a := range aliases {
		if seen[a] {
			t.Fatalf("alias %q given twice", a)
		}
		seen[a] = true
	}
	sum := c.SHA256()
	if aliases[0] != "acme-root-"+hex.EncodeToString(sum[:4]) {
		t.Errorf("first alias %q", aliases[0])
	}
	if asked > 3*len(cs) {
		t.Errorf("asked %d times whether an alias is taken for %d certificates", asked, len(cs))
	}
}
