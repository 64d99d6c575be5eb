package store

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/testpki"
)

// snapshot is a directory's names and contents, to check that a failed or
// empty change left it byte-identical and added nothing.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		b, _ := os.ReadFile(filepath.Join(dir, de.Name()))
		m[de.Name()] = string(b)
	}
	return m
}

// writeStore writes a store of format f holding roots, with password pw.
func writeStore(t *testing.T, path string, f Format, pw string, roots ...*testpki.Cert) {
	t.Helper()
	s := New(f)
	for _, r := range roots {
		if _, err := s.Import([]*certs.Cert{cert(r)}, ImportOptions{Epoch: testpki.Now}); err != nil {
			t.Fatal(err)
		}
	}
	data, err := s.Encode(EncodeOptions{Password: []byte(pw)})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func given(pw string) Passwords { return Passwords{Store: []byte(pw), StoreGiven: true} }

func TestOpenDetectsFormatFromContent(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Root(t, "Acme Root")
	// A JKS store named like a PKCS#12 file, and a PKCS#12 with no name
	// hint at all.
	writeStore(t, filepath.Join(dir, "really-jks.p12"), FormatJKS, "pw", root)
	writeStore(t, filepath.Join(dir, "store"), FormatPKCS12, "pw", root)
	for name, want := range map[string]Format{"really-jks.p12": FormatJKS, "store": FormatPKCS12} {
		st, err := Open(filepath.Join(dir, name), Options{Passwords: given("pw")})
		if err != nil {
			t.Fatal(err)
		}
		if st.Format != want || len(st.Entries) != 1 {
			t.Errorf("%s: %v with %d entries, want %v with 1", name, st.Format, len(st.Entries), want)
		}
	}
}

func TestOpenRefusesWhatIsNotAStore(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Root(t, "Acme Root")
	der := filepath.Join(dir, "root.cer")
	os.WriteFile(der, root.Cert.Raw, 0o644)
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a store"), 0o644)
	for _, tc := range []struct {
		path string
		want error
		text string
	}{
		{der, ErrNotStore, "root.cer is a DER certificate, not a keystore or truststore"},
		{text, ErrNotStore, "notes.txt: not a keystore or truststore"},
		{filepath.Join(dir, "absent.jks"), fs.ErrNotExist, "absent.jks: no such file or directory"},
		{dir, nil, "a directory, not a regular file"},
	} {
		_, err := Open(tc.path, Options{})
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("Open(%s) = %v; want %v saying %q", filepath.Base(tc.path), err, tc.want, tc.text)
		}
	}
}

// TestOpenAsksOnceForAMissingPassword: a PKCS#12 store that neither the
// empty password nor none opens is asked for once; without anyone to ask
// its password is needed (not wrong: none was given).
func TestOpenAsksOnceForAMissingPassword(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ts.p12")
	writeStore(t, p, FormatPKCS12, "s3cret", testpki.Root(t, "Acme Root"))
	var need *NeedPasswordError
	if _, err := Open(p, Options{}); !errors.As(err, &need) || need.Secret != StorePassword {
		t.Fatalf("without a password: %v; want the store password needed", err)
	}
	var asked []Prompt
	ask := func(pr Prompt) ([]byte, error) { asked = append(asked, pr); return []byte("s3cret"), nil }
	st, err := Open(p, Options{Passwords: Passwords{Ask: ask}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Prompt{{Secret: StorePassword, Path: p}}, asked); diff != "" {
		t.Errorf("prompts (-want +got):\n%s", diff)
	}
	if pw, ok := st.Password(); !ok || string(pw) != "s3cret" {
		t.Errorf("the store does not keep the password it was opened with")
	}
}

// TestJKSKeyEntryPasswordIsAskedOnlyWhenNeeded: mixed.jks (keytool) has
// a key entry protected by the store password and one, "gen", with a
// password of its own; only that one is asked for, and an unanswered
// question keeps it protected.
func TestJKSKeyEntryPasswordIsAskedOnlyWhenNeeded(t *testing.T) {
	p := "../jks/testdata/mixed.jks"
	var asked []string
	open := func(answer string) *Store {
		t.Helper()
		asked = nil
		st, err := Open(p, Options{Passwords: Passwords{Store: []byte("changeit"), StoreGiven: true,
			Ask: func(pr Prompt) ([]byte, error) {
				asked = append(asked, pr.Alias)
				if answer == "" {
					return nil, nil
				}
				return []byte(answer), nil
			}}})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open("keypass1")
	if diff := cmp.Diff([]string{"gen"}, asked); diff != "" {
		t.Errorf("asked for (-want +got):\n%s", diff)
	}
	if e := st.Get("gen"); e.Key == nil || string(e.KeyPassword) != "keypass1" {
		t.Errorf("gen: key decrypted %v, own password kept %q", e.Key != nil, e.KeyPassword)
	}
	if st.Get("server").Key == nil {
		t.Error("server: the store password did not open it")
	}
	st = open("")
	if e := st.Get("gen"); e.Key != nil || e.Protected == nil {
		t.Error("gen: without an answer the key should stay protected")
	}
}

func TestEditWritesOnlyWhatChanged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ts.jks")
	r1, r2 := testpki.Root(t, "Root One"), testpki.Root(t, "Root Two")
	writeStore(t, p, FormatJKS, "pw", r1)
	before := snapshot(t, dir)
	for _, tc := range []struct {
		name   string
		change func(*Store) (bool, error)
	}{
		{"no change", func(*Store) (bool, error) { return false, nil }},
		{"failed change", func(s *Store) (bool, error) {
			s.Entries = nil
			return true, errors.New("refused")
		}},
		{"import of what is there", func(s *Store) (bool, error) {
			res, err := s.Import([]*certs.Cert{cert(r1)}, ImportOptions{})
			return len(res.Added) > 0, err
		}},
	} {
		changed, err := Edit(p, Options{Passwords: given("pw")}, tc.change)
		if changed {
			t.Errorf("%s: Edit reports a change", tc.name)
		}
		if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
			t.Errorf("%s: the directory changed (err %v):\n%s", tc.name, err, diff)
		}
	}
	changed, err := Edit(p, Options{Passwords: given("pw")}, func(s *Store) (bool, error) {
		res, err := s.Import([]*certs.Cert{cert(r2)}, ImportOptions{})
		return len(res.Added) > 0, err
	})
	if err != nil || !changed {
		t.Fatalf("import of a new root: changed %v, %v", changed, err)
	}
	if names := snapshot(t, dir); len(names) != 1 {
		t.Errorf("the directory holds %d files after a change; want the store alone", len(names))
	}
	if st, err := Open(p, Options{Passwords: given("pw")}); err != nil || len(st.Entries) != 2 {
		t.Errorf("after the change: %v", err)
	}
}

func TestEditRefusesJCEKS(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../jks/testdata/store.jceks")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "store.jceks")
	os.WriteFile(p, data, 0o644)
	called := false
	_, err = Edit(p, Options{Passwords: given("changeit")}, func(*Store) (bool, error) { called = true; return true, nil })
	if !errors.Is(err, ErrReadOnly) || called {
		t.Fatalf("Edit of a JCEKS store: %v (change called: %v); want ErrReadOnly before any change", err, called)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
		t.Error("the JCEKS store was rewritten")
	}
	// Reading it is fine, and so is converting it.
	st, err := Open(p, Options{Passwords: Passwords{Store: []byte("changeit"), StoreGiven: true, Key: []byte("keypass2"), KeyGiven: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Convert(FormatPKCS12); err == nil || !strings.Contains(err.Error(), "secret key") {
		t.Errorf("converting a store with secret keys: %v", err)
	}
}

// TestEditJKSNeedsItsPassword: a JKS store reads without its password
// but cannot be written without it: asked for, or a NeedPasswordError.
func TestEditJKSNeedsItsPassword(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ts.jks")
	writeStore(t, p, FormatJKS, "pw", testpki.Root(t, "Root One"))
	st, err := Open(p, Options{})
	if err != nil || st.Verified {
		t.Fatalf("reading without the password: %v, verified %v", err, st.Verified)
	}
	touch := func(*Store) (bool, error) { return true, nil }
	_, err = Edit(p, Options{}, touch)
	var need *NeedPasswordError
	if !errors.As(err, &need) || !need.Change || need.Secret != StorePassword {
		t.Fatalf("Edit without the password: %v; want a NeedPasswordError for a change", err)
	}
	_, err = Edit(p, Options{Passwords: Passwords{Ask: func(Prompt) ([]byte, error) { return []byte("wrong"), nil }}}, touch)
	if !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("Edit with a wrong answer: %v", err)
	}
	if _, err = Edit(p, Options{Passwords: Passwords{Ask: func(Prompt) ([]byte, error) { return []byte("pw"), nil }}}, touch); err != nil {
		t.Fatalf("Edit with the right answer: %v", err)
	}
	if names := snapshot(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v", names)
	}
}

// TestEditDryRun: a dry run reports what a change would write, for a
// store that exists and for one it would create (whose password is not
// asked for), and leaves the directory as it was: no store, no lock file.
func TestEditDryRun(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ts.jks")
	r1, r2 := testpki.Root(t, "Root One"), testpki.Root(t, "Root Two")
	writeStore(t, p, FormatJKS, "pw", r1)
	before := snapshot(t, dir)
	add := func(c *testpki.Cert) func(*Store) (bool, error) {
		return func(s *Store) (bool, error) {
			res, err := s.Import([]*certs.Cert{cert(c)}, ImportOptions{})
			return res != nil && res.Changed(), err
		}
	}
	for _, tc := range []struct {
		name, path string
		opts       Options
		change     func(*Store) (bool, error)
		want       bool
	}{
		{"a new root", p, Options{Passwords: given("pw"), DryRun: true}, add(r2), true},
		{"a root that is there", p, Options{Passwords: given("pw"), DryRun: true}, add(r1), false},
		{"a store to create", filepath.Join(dir, "new.jks"), Options{Create: true, DryRun: true}, add(r1), true},
	} {
		changed, err := Edit(tc.path, tc.opts, tc.change)
		if err != nil || changed != tc.want {
			t.Errorf("%s: changed %v, %v; want %v", tc.name, changed, err, tc.want)
		}
		if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
			t.Errorf("%s: a dry run changed the directory:\n%s", tc.name, diff)
		}
	}
}

func TestEditCreates(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Root(t, "Acme Root")
	leaf := testpki.Leaf(t, "svc", root, "svc")
	p8, _ := x509.MarshalPKCS8PrivateKey(leaf.Key)
	addRoot := func(s *Store) (bool, error) {
		_, err := s.Import([]*certs.Cert{cert(root)}, ImportOptions{})
		return true, err
	}
	addKey := func(s *Store) (bool, error) {
		s.Entries = append(s.Entries, &Entry{Alias: "svc", Kind: PrivateKey, Key: p8, Certs: []*certs.Cert{cert(leaf), cert(root)}})
		return true, nil
	}
	for _, tc := range []struct {
		name   string
		opts   Options
		change func(*Store) (bool, error)
		format Format
		mode   fs.FileMode
		err    string
	}{
		{"ts.p12", Options{Create: true, Passwords: given("pw")}, addRoot, FormatPKCS12, 0o644, ""},
		{"ts.pem", Options{Create: true}, addRoot, FormatPEM, 0o644, ""},
		{"ks", Options{Create: true, Type: FormatJKS, Passwords: given("pw")}, addKey, FormatJKS, 0o600, ""},
		{"absent.p12", Options{Passwords: given("pw")}, addRoot, 0, 0, "no such file or directory"},
		{"noname", Options{Create: true, Passwords: given("pw")}, addRoot, 0, 0, "its name does not say which type"},
		{"nopw.jks", Options{Create: true}, addRoot, 0, 0, "a password for the new store is needed"},
	} {
		p := filepath.Join(dir, tc.name)
		_, err := Edit(p, tc.opts, tc.change)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v; want an error saying %q", tc.name, err, tc.err)
			}
			if _, err := os.Lstat(p); err == nil {
				t.Errorf("%s: created although Edit failed", tc.name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		fi, _ := os.Stat(p)
		st, err := Open(p, Options{Passwords: given("pw")})
		if err != nil || st.Format != tc.format || fi.Mode().Perm() != tc.mode {
			t.Errorf("%s: %v, format %v, mode %v; want %v, %v", tc.name, err, st.Format, fi.Mode().Perm(), tc.format, tc.mode)
		}
	}
	var names []string
	for n := range snapshot(t, dir) {
		names = append(names, n)
	}
	sort.Strings(names)
	if diff := cmp.Diff([]string{"ks", "ts.p12", "ts.pem"}, names); diff != "" {
		t.Errorf("directory (-want +got):\n%s", diff)
	}
}

func TestCreateLeavesTheSameContentAlone(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.p12")
	r1, r2 := testpki.Root(t, "Root One"), testpki.Root(t, "Root Two")
	build := func(roots ...*testpki.Cert) func() (*Store, error) {
		return func() (*Store, error) {
			s := New(FormatPKCS12)
			for _, r := range roots {
				s.Import([]*certs.Cert{cert(r)}, ImportOptions{})
			}
			return s, nil
		}
	}
	opts := Options{Passwords: given("pw")}
	if changed, err := Create(p, opts, build(r1)); err != nil || !changed {
		t.Fatalf("first Create: %v, %v", changed, err)
	}
	before := snapshot(t, dir)
	if changed, err := Create(p, opts, build(r1)); err != nil || changed {
		t.Errorf("the same content again: changed %v, %v; want no change", changed, err)
	}
	if _, err := Create(p, opts, build(r2)); !errors.Is(err, ErrExists) {
		t.Errorf("other content without Replace: %v; want ErrExists", err)
	}
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Errorf("the directory changed:\n%s", diff)
	}
	opts.Replace = true
	if changed, err := Create(p, opts, build(r2)); err != nil || !changed {
		t.Errorf("other content with Replace: %v, %v", changed, err)
	}
	if _, err := Create(filepath.Join(dir, "no", "out.p12"), opts, func() (*Store, error) {
		t.Error("build ran for a path that cannot be written")
		return nil, errors.New("unreachable")
	}); err == nil || !strings.HasPrefix(err.Error(), "cannot write in ") {
		t.Errorf("Create in a missing directory: %v", err)
	}
}

func TestPasswdTwiceChangesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ts.p12")
	writeStore(t, p, FormatPKCS12, "old", testpki.Root(t, "Root One"))
	if changed, err := Passwd(p, Options{Passwords: given("old")}, []byte("new")); err != nil || !changed {
		t.Fatalf("passwd: %v, %v", changed, err)
	}
	before := snapshot(t, dir)
	if changed, err := Passwd(p, Options{Passwords: given("old")}, []byte("new")); err != nil || changed {
		t.Errorf("passwd again: %v, %v; want no change and no error", changed, err)
	}
	if changed, err := Passwd(p, Options{Passwords: given("new")}, []byte("new")); err != nil || changed {
		t.Errorf("passwd to the same password: %v, %v; want no change", changed, err)
	}
	if _, err := Passwd(p, Options{Passwords: given("nope")}, []byte("other")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("passwd with a wrong password: %v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Errorf("the directory changed:\n%s", diff)
	}
}

func TestPlanSyncRefusesNothingToTrust(t *testing.T) {
	root := testpki.Root(t, "Root One")
	leaf := testpki.Leaf(t, "svc", root, "svc")
	s := New(FormatJKS)
	s.Import([]*certs.Cert{cert(root)}, ImportOptions{})
	for _, want := range [][]*certs.Cert{nil, {cert(leaf)}} {
		if _, err := s.PlanSync(oneSource(want...), SyncOptions{}); !errors.Is(err, ErrNothingToTrust) {
			t.Errorf("sync to %d leaves: %v; want ErrNothingToTrust", len(want), err)
		}
	}
	p, err := s.PlanSync(oneSource(), SyncOptions{AllowEmpty: true})
	if err != nil || len(p.Remove) != 1 {
		t.Errorf("with AllowEmpty: %+v, %v; want the root removed", p, err)
	}
	if p, err := s.PlanSync(oneSource(cert(leaf)), SyncOptions{AllowLeaf: true}); err != nil || len(p.Add) != 1 {
		t.Errorf("with AllowLeaf: %+v, %v", p, err)
	}
}

// TestPlanSyncRefusesASourceWithoutCA: a source that holds no CA
// certificate next to one that does (an empty directory, a leaf, a key)
// is named and refused, not passed over: its CA certificates would be
// removed from the store.
func TestPlanSyncRefusesASourceWithoutCA(t *testing.T) {
	corp, partner := testpki.Root(t, "Corp Root"), testpki.Root(t, "Partner Root")
	inter := testpki.Intermediate(t, "Corp Issuing CA", corp)
	leaf := testpki.Leaf(t, "www.example.com", inter, "www.example.com")
	s := New(FormatJKS)
	if _, err := s.Import([]*certs.Cert{cert(corp), cert(partner)}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	corpSrc := SyncSource{Name: "corp.pem", Certs: []*certs.Cert{cert(corp)}}
	tests := []struct {
		name string
		from []SyncSource
		opts SyncOptions
		want []string // the sources named in the NoCAError; nil: no error
	}{
		{"empty directory", []SyncSource{corpSrc, {Name: "partner.d"}}, SyncOptions{}, []string{"partner.d"}},
		{"leaf only", []SyncSource{corpSrc, {Name: "leaf.crt", Certs: []*certs.Cert{cert(leaf)}}}, SyncOptions{}, []string{"leaf.crt"}},
		{"first of two", []SyncSource{{Name: "key.pem"}, corpSrc}, SyncOptions{}, []string{"key.pem"}},
		{"each one named", []SyncSource{{Name: "a.d"}, corpSrc, {Name: "b.d"}}, SyncOptions{}, []string{"a.d", "b.d"}},
		{"a fullchain gives its CAs", []SyncSource{corpSrc, {Name: "fullchain.pem", Certs: []*certs.Cert{cert(leaf), cert(inter)}}}, SyncOptions{}, nil},
		{"a leaf with AllowLeaf", []SyncSource{corpSrc, {Name: "leaf.crt", Certs: []*certs.Cert{cert(leaf)}}}, SyncOptions{AllowLeaf: true}, nil},
		{"with AllowEmpty", []SyncSource{corpSrc, {Name: "partner.d"}}, SyncOptions{AllowEmpty: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.PlanSync(tt.from, tt.opts)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("PlanSync: %v", err)
				}
				return
			}
			var nca *NoCAError
			if !errors.As(err, &nca) {
				t.Fatalf("PlanSync: %+v, %v; want a NoCAError", p, err)
			}
			if diff := cmp.Diff(tt.want, nca.Sources); diff != "" {
				t.Errorf("sources named (-want +got):\n%s", diff)
			}
			if got, want := err.Error(), strings.Join(tt.want, ", ")+": no CA certificate to trust"; got != want {
				t.Errorf("message %q, want %q", got, want)
			}
		})
	}
	if diff := cmp.Diff([]string{"corp-root", "partner-root"}, aliases(s)); diff != "" {
		t.Errorf("the store changed (-want +got):\n%s", diff)
	}
}

func TestImportSkipLeavesNamesThem(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	leaf := testpki.Leaf(t, "www.example.com", inter, "www.example.com")
	s := New(FormatPKCS12)
	res, err := s.Import([]*certs.Cert{cert(leaf), cert(inter), cert(root)}, ImportOptions{SkipLeaves: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 2 || len(res.Skipped) != 1 || res.Skipped[0].Reason != ReasonLeaf || !res.Skipped[0].Cert.Equal(cert(leaf)) {
		t.Errorf("added %d, skipped %+v; want 2 added and the leaf skipped", len(res.Added), res.Skipped)
	}
}

// TestImportRefusesUnreadableCertificates: bytes no parser reads (a PEM
// CERTIFICATE block of junk) never go into a store, even with AllowLeaf:
// keytool would refuse the whole store.
func TestImportRefusesUnreadableCertificates(t *testing.T) {
	junk := certs.Parse([]byte{0x30, 0x03, 0x02, 0x01, 0x07})
	s := New(FormatJKS)
	_, err := s.Import([]*certs.Cert{junk}, ImportOptions{AllowLeaf: true})
	var ue *UnreadableError
	if !errors.As(err, &ue) || len(s.Entries) != 0 {
		t.Errorf("import of junk: %v, %d entries; want UnreadableError and none", err, len(s.Entries))
	}
	if _, err := s.PlanSync(oneSource(junk), SyncOptions{AllowLeaf: true}); !errors.As(err, &ue) {
		t.Errorf("sync to junk: %v; want UnreadableError", err)
	}
}

func TestCompareNamesOtherAliases(t *testing.T) {
	r1 := testpki.Root(t, "Root One")
	a, b := New(FormatJKS), New(FormatJKS)
	a.Import([]*certs.Cert{cert(r1)}, ImportOptions{Alias: "one"})
	b.Import([]*certs.Cert{cert(r1)}, ImportOptions{Alias: "uno"})
	d := Compare(a, b)
	if !d.Empty() || d.Identical() || len(d.Renamed) != 1 || d.Renamed[0].B.Alias != "uno" {
		t.Errorf("same certificate under another alias: empty %v identical %v renamed %+v", d.Empty(), d.Identical(), d.Renamed)
	}
	if d := Compare(a, a); !d.Identical() {
		t.Error("a store is not identical to itself")
	}
}

func TestEditKeepsTheOtherBlocksOfAPEMBundle(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bundle.pem")
	r1, r2 := testpki.Root(t, "Root One"), testpki.Root(t, "Root Two")
	crl := &pem.Block{Type: "X509 CRL", Headers: map[string]string{}, Bytes: []byte("the CRL of Root One")}
	dh := &pem.Block{Type: "DH PARAMETERS", Headers: map[string]string{"Comment": "ffdhe2048"}, Bytes: []byte("dh")}
	var b bytes.Buffer
	b.Write(testpki.Bundle(r1))
	pem.Encode(&b, crl)
	pem.Encode(&b, dh)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, change := range []func(*Store) (bool, error){
		func(s *Store) (bool, error) {
			res, err := s.Import([]*certs.Cert{cert(r2)}, ImportOptions{})
			return res.Changed(), err
		},
		func(s *Store) (bool, error) {
			s.Entries = s.Entries[:1]
			return true, nil
		},
	} {
		if _, err := Edit(p, Options{}, change); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var others []*pem.Block
		for rest := data; ; {
			var blk *pem.Block
			if blk, rest = pem.Decode(rest); blk == nil {
				break
			}
			if blk.Type != "CERTIFICATE" {
				others = append(others, blk)
			}
		}
		if diff := cmp.Diff([]*pem.Block{crl, dh}, others); diff != "" {
			t.Errorf("the bundle's CRL and DH parameters after a change (-want +got):\n%s", diff)
		}
	}
}

// TestEditKeepsTheTextOfAPEMBundle: a change to a bundle's entries
// changes the bundle there and nowhere else. Its heading and the other
// certificates' titles stay; a removed certificate's title goes with it;
// a new one gets a comment line; a comment trustctl wrote is written anew.
func TestEditKeepsTheTextOfAPEMBundle(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cacert.pem")
	one, two, three := testpki.Root(t, "CN=Root One"), testpki.Root(t, "CN=Root Two"), testpki.Root(t, "CN=Root Three")
	heading := "##\n## Bundle of CA Root Certificates\n##\n\n"
	titled := func(title string, c *testpki.Cert) string {
		return title + "\n" + strings.Repeat("=", len(title)) + "\n" + string(c.CertPEM)
	}
	orig := heading + titled("Root One", one) + "\n" + titled("Root Two", two) + "# end of bundle\n"
	write := func(data string) {
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func() string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	write(orig)
	if _, err := Edit(p, Options{}, func(s *Store) (bool, error) {
		res, err := s.Import([]*certs.Cert{cert(three)}, ImportOptions{})
		return res.Changed(), err
	}); err != nil {
		t.Fatal(err)
	}
	// Import keeps the entries in the order of their aliases.
	want := heading + titled("Root One", one) + "# root-three: CN=Root Three\n" + string(three.CertPEM) + "\n" + titled("Root Two", two) + "# end of bundle\n"
	if diff := cmp.Diff(want, read()); diff != "" {
		t.Errorf("after an import (-want +got):\n%s", diff)
	}

	write(orig)
	if _, err := Edit(p, Options{}, func(s *Store) (bool, error) {
		s.Entries = s.Entries[1:]
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	want = heading + "\n" + titled("Root Two", two) + "# end of bundle\n"
	if diff := cmp.Diff(want, read()); diff != "" {
		t.Errorf("after the first certificate is removed (-want +got):\n%s", diff)
	}

	write("# an old alias: CN=Root One\n" + string(one.CertPEM))
	if _, err := Edit(p, Options{}, func(s *Store) (bool, error) {
		res, err := s.Import([]*certs.Cert{cert(two)}, ImportOptions{})
		return res.Changed(), err
	}); err != nil {
		t.Fatal(err)
	}
	want = "# root-one: CN=Root One\n" + string(one.CertPEM) + "# root-two: CN=Root Two\n" + string(two.CertPEM)
	if diff := cmp.Diff(want, read()); diff != "" {
		t.Errorf("a bundle trustctl wrote, after an import (-want +got):\n%s", diff)
	}
}
