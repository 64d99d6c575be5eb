package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/secret"
	"github.com/trustctl/trustctl/internal/testpki"
)

var now = testpki.Now

func name(cn string) pkix.Name { return testpki.Name(cn) }

// newCA makes a CA in a fresh directory.
func newCA(t *testing.T, o InitOptions) *CA {
	t.Helper()
	if o.Subject.ExtraNames == nil && o.Subject.CommonName == "" {
		o.Subject = name("CN=Test Root,O=Acme Corp,C=US")
	}
	if o.Now.IsZero() {
		o.Now = now
	}
	if o.PathLen == 0 {
		o.PathLen = -1
	}
	dir := filepath.Join(t.TempDir(), "ca")
	c, err := Init(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func csrFor(t testing.TB, key crypto.Signer, subject string, dns ...string) *x509.CertificateRequest {
	t.Helper()
	if key == nil {
		key = testpki.ECKey(t)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: name(subject), DNSNames: dns}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

// hashDir returns a digest of every file's name, mode and contents.
func hashDir(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %v\n", p, fi.Mode())
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestInitWritesLayout(t *testing.T) {
	c := newCA(t, InitOptions{PathLen: 1, Config: Config{IssueDays: 90, MaxDays: 398, OCSPURL: "http://ocsp.test", CRLURL: "http://crl.test/ca.crl"}})
	fi, err := os.Stat(filepath.Join(c.Dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("ca.key mode = %v, want 0600", fi.Mode().Perm())
	}
	for _, f := range []string{CertFile, ConfigFile, SerialFile, IndexFile, IssuedDir} {
		if _, err := os.Stat(filepath.Join(c.Dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	o, err := Open(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	cert := o.Cert
	if !cert.IsCA || !cert.BasicConstraintsValid || cert.MaxPathLen != 1 {
		t.Errorf("basic constraints: CA=%v pathlen=%d", cert.IsCA, cert.MaxPathLen)
	}
	if cert.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("key usage = %v", cert.KeyUsage)
	}
	if len(cert.SubjectKeyId) != 20 {
		t.Errorf("subject key id %x", cert.SubjectKeyId)
	}
	if got := cert.Subject.String(); got != "CN=Test Root,O=Acme Corp,C=US" {
		t.Errorf("subject %q", got)
	}
	for _, e := range cert.Extensions {
		if (e.Id.Equal([]int{2, 5, 29, 19}) || e.Id.Equal([]int{2, 5, 29, 15})) && !e.Critical {
			t.Errorf("extension %v is not critical", e.Id)
		}
	}
	if o.Config.MaxDays != 398 || o.Config.OCSPURL != "http://ocsp.test" {
		t.Errorf("config %+v", o.Config)
	}
	if err := o.LoadKey(nil); err != nil {
		t.Fatal(err)
	}
}

func TestInitRefusesExistingCA(t *testing.T) {
	c := newCA(t, InitOptions{})
	before := hashDir(t, c.Dir)
	_, err := Init(c.Dir, InitOptions{Subject: name("Other"), PathLen: -1, Now: now})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v, want ErrExists", err)
	}
	if hashDir(t, c.Dir) != before {
		t.Error("the CA directory changed")
	}
}

func TestReinitNeverRepeatsSerial(t *testing.T) {
	c := newCA(t, InitOptions{})
	first, err := c.Sign(csrFor(t, nil, "a.test"), SignOptions{Profile: "server", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// A new CA in the same directory, even created at an earlier clock.
	c2, err := Init(c.Dir, InitOptions{Subject: name("Test Root 2"), PathLen: -1, Force: true, Now: now.Add(-48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	second, err := c2.Sign(csrFor(t, nil, "b.test"), SignOptions{Profile: "server", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if second.Cert.SerialNumber.Cmp(first.Cert.SerialNumber) <= 0 {
		t.Errorf("serial after re-init %v is not above %v", second.Cert.SerialNumber, first.Cert.SerialNumber)
	}
	st, err := c2.Records(now)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Entries) != 2 || st.Entries[0].Current || !st.Entries[1].Current {
		t.Errorf("records after re-init: %+v", st.Entries)
	}
	// The old CA's certificate is not ours to revoke any more.
	if _, err := c2.Revoke(first.Cert.SerialNumber, "superseded", now); !errors.Is(err, ErrUnknownSerial) {
		t.Errorf("revoke of the previous CA's serial: %v", err)
	}
}

func TestSignProfiles(t *testing.T) {
	c := newCA(t, InitOptions{Config: Config{OCSPURL: "http://ocsp.test", CRLURL: "http://crl.test/ca.crl"}})
	rsaKey := testpki.RSAKey(t)
	_, edKey, _ := ed25519Key()
	tests := []struct {
		name    string
		profile string
		key     crypto.Signer
		cn      string
		dns     []string
		eku     []x509.ExtKeyUsage
		ku      x509.KeyUsage
		isCA    bool
		wantDNS []string
	}{
		{"server ec", "server", nil, "www.example.com", nil, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, x509.KeyUsageDigitalSignature, false, []string{"www.example.com"}},
		{"server rsa", "server", rsaKey, "Web", []string{"a.example.com"}, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, false, []string{"a.example.com"}},
		{"server ed25519", "server", edKey, "ed.example.com", nil, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, x509.KeyUsageDigitalSignature, false, []string{"ed.example.com"}},
		{"client", "client", nil, "alice", nil, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, x509.KeyUsageDigitalSignature, false, nil},
		{"server-client", "server-client", rsaKey, "node1.cluster.test", nil, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, false, []string{"node1.cluster.test"}},
		{"codesign", "codesign", nil, "Acme Release Signing", nil, []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}, x509.KeyUsageDigitalSignature, false, nil},
		{"intermediate", "intermediate", nil, "Acme Issuing CA", nil, nil, x509.KeyUsageCertSign | x509.KeyUsageCRLSign, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, err := c.Sign(csrFor(t, tt.key, tt.cn, tt.dns...), SignOptions{Profile: tt.profile, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			cert := iss.Cert
			if !slices.Equal(cert.ExtKeyUsage, tt.eku) {
				t.Errorf("EKU = %v, want %v", cert.ExtKeyUsage, tt.eku)
			}
			if cert.KeyUsage != tt.ku {
				t.Errorf("KU = %v, want %v", cert.KeyUsage, tt.ku)
			}
			if cert.IsCA != tt.isCA || (tt.isCA && (cert.MaxPathLen != 0 || !cert.MaxPathLenZero)) {
				t.Errorf("CA=%v pathlen=%d", cert.IsCA, cert.MaxPathLen)
			}
			if !slices.Equal(cert.DNSNames, tt.wantDNS) {
				t.Errorf("DNS = %v, want %v", cert.DNSNames, tt.wantDNS)
			}
			if len(cert.SubjectKeyId) == 0 || !slices.Equal(cert.AuthorityKeyId, c.Cert.SubjectKeyId) {
				t.Errorf("SKI %x AKI %x", cert.SubjectKeyId, cert.AuthorityKeyId)
			}
			if !slices.Equal(cert.OCSPServer, []string{"http://ocsp.test"}) || !slices.Equal(cert.CRLDistributionPoints, []string{"http://crl.test/ca.crl"}) {
				t.Errorf("AIA %v CDP %v", cert.OCSPServer, cert.CRLDistributionPoints)
			}
			if err := cert.CheckSignatureFrom(c.Cert); err != nil {
				t.Error(err)
			}
		})
	}
}

func ed25519Key() (crypto.PublicKey, crypto.Signer, error) {
	pub, k, err := ed25519.GenerateKey(rand.Reader)
	return pub, k, err
}

func TestSignRefuses(t *testing.T) {
	c := newCA(t, InitOptions{Days: 100, Config: Config{IssueDays: 30, MaxDays: 60}})
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	bad := csrFor(t, nil, "bad.example.com")
	bad.Signature[len(bad.Signature)-3] ^= 0xff
	tests := []struct {
		name string
		csr  *x509.CertificateRequest
		o    SignOptions
		want error
	}{
		{"bad signature", bad, SignOptions{Profile: "server"}, ErrBadCSR},
		{"rsa 1024", csrFor(t, weak, "weak.example.com"), SignOptions{Profile: "client"}, ErrProfile},
		{"p-224", csrFor(t, p224, "p224.example.com"), SignOptions{Profile: "server"}, ErrProfile},
		{"beyond max days", csrFor(t, nil, "a.example.com"), SignOptions{Profile: "server", Days: 61}, ErrValidity},
		{"beyond the CA", csrFor(t, nil, "a.example.com"), SignOptions{Profile: "server", Days: 59, Now: now.AddDate(0, 0, 50)}, ErrValidity},
		{"unknown profile", csrFor(t, nil, "a.example.com"), SignOptions{Profile: "email"}, ErrProfile},
	}
	before := hashDir(t, c.Dir)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.o.Now.IsZero() {
				tt.o.Now = now
			}
			_, err := c.Sign(tt.csr, tt.o)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if hashDir(t, c.Dir) != before {
				t.Error("the CA directory changed")
			}
		})
	}
	// Without --days the validity is capped quietly at the CA's end.
	iss, err := c.Sign(csrFor(t, nil, "late.example.com"), SignOptions{Profile: "server", Now: now.AddDate(0, 0, 80)})
	if err != nil {
		t.Fatal(err)
	}
	if !iss.Capped || !iss.Cert.NotAfter.Equal(c.Cert.NotAfter) {
		t.Errorf("capped=%v notAfter=%v, CA ends %v", iss.Capped, iss.Cert.NotAfter, c.Cert.NotAfter)
	}
}

// period is a certificate's validity period counted as RFC 5280 section
// 4.1.2.5 and the CA/Browser Forum do: notBefore and notAfter included.
func period(c *x509.Certificate) time.Duration {
	return c.NotAfter.Sub(c.NotBefore) + time.Second
}

// TestValidityWithinDays: a certificate is valid for the days asked for
// and never longer, backdated notBefore included, whether the days are
// asked for, the CA's issue days, capped by --max-days, or the CA's own.
func TestValidityWithinDays(t *testing.T) {
	const week = 7 * 24 * time.Hour
	// A clock with nanoseconds, as a real one has.
	at := now.Add(1234567890 * time.Nanosecond)
	c := newCA(t, InitOptions{Days: 3650, Config: Config{IssueDays: 7, MaxDays: 7}, Now: at})
	if got, want := period(c.Cert), 3650*24*time.Hour; got != want {
		t.Errorf("CA certificate of --days 3650 valid for %v, want %v", got, want)
	}
	if c.Cert.NotBefore.After(at) {
		t.Errorf("CA certificate starts %v, after it was made (%v)", c.Cert.NotBefore, at)
	}
	tests := []struct {
		name string
		days int
	}{
		{"days asked, the cap", 7},
		{"days asked, below the cap", 2},
		{"issue days", 0},
	}
	for _, tt := range tests {
		iss, err := c.Sign(csrFor(t, nil, "node1.example.com"), SignOptions{Profile: "server-client", Days: tt.days, Now: at})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		want := week
		if tt.days != 0 {
			want = time.Duration(tt.days) * 24 * time.Hour
		}
		if got := period(iss.Cert); got != want {
			t.Errorf("%s: valid for %v (%v to %v), want %v", tt.name, got, iss.Cert.NotBefore, iss.Cert.NotAfter, want)
		}
		if iss.Cert.NotBefore.After(at) {
			t.Errorf("%s: starts %v, after it was signed (%v)", tt.name, iss.Cert.NotBefore, at)
		}
		if !iss.Record.NotAfter.Equal(iss.Cert.NotAfter) || !iss.Record.NotBefore.Equal(iss.Cert.NotBefore) {
			t.Errorf("%s: recorded %v to %v, certificate %v to %v", tt.name, iss.Record.NotBefore, iss.Record.NotAfter, iss.Cert.NotBefore, iss.Cert.NotAfter)
		}
	}
	// A default longer than --max-days is shortened to it.
	c2 := newCA(t, InitOptions{Config: Config{IssueDays: 365}, Now: at})
	c2.Config.MaxDays = 30
	iss, err := c2.Sign(csrFor(t, nil, "node2.example.com"), SignOptions{Profile: "server", Now: at})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := period(iss.Cert), 30*24*time.Hour; got != want {
		t.Errorf("issue days capped by max days 30: valid for %v, want %v", got, want)
	}
	// The OCSP responder's certificate lasts its validity, within the cap.
	_, resp, err := c.IssueResponder(at, 3*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got := period(resp); got != 3*time.Hour {
		t.Errorf("responder certificate of 3h valid for %v", got)
	}
	_, resp, err = c.IssueResponder(at, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got := period(resp); got != week {
		t.Errorf("responder certificate of 30 days under --max-days 7: valid for %v, want %v", got, week)
	}
}

func TestIntermediateViaCSR(t *testing.T) {
	root := newCA(t, InitOptions{})
	dir := filepath.Join(t.TempDir(), "issuing")
	if _, err := Init(dir, InitOptions{Subject: name("CN=Acme Issuing CA"), CSROnly: true, KeyPassword: []byte("s3cret"), Now: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrNotCA) {
		t.Fatalf("open before completion: %v", err)
	}
	iss := signPending(t, root, dir, now)
	pw := func() ([]byte, error) { return []byte("s3cret"), nil }
	// A certificate for another key is refused.
	other, _ := root.Sign(csrFor(t, nil, "x.example.com"), SignOptions{Profile: "intermediate", Now: now})
	if _, _, err := Complete(dir, other.Cert.Raw, CompleteOptions{Password: pw, Now: now}); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("complete with another key's certificate: %v", err)
	}
	sub, done, err := Complete(dir, iss.Cert.Raw, CompleteOptions{Password: pw, Now: now})
	if err != nil || !done.Cert || !done.Changed() {
		t.Fatal(done, err)
	}
	// Completing again with the same certificate changes nothing.
	before := hashDir(t, dir)
	if _, done, err := Complete(dir, iss.Cert.Raw, CompleteOptions{Password: pw, Now: now}); err != nil || done.Changed() {
		t.Fatalf("second completion: %+v, %v", done, err)
	}
	if hashDir(t, dir) != before {
		t.Error("a second completion changed the directory")
	}
	// pathlen:0 intermediates may not sign further CAs.
	if _, err := sub.Sign(csrFor(t, nil, "Sub Sub CA"), SignOptions{Profile: "intermediate", Now: now}); !errors.Is(err, ErrProfile) {
		t.Errorf("intermediate from a pathlen:0 CA: %v", err)
	}
	leaf, err := sub.Sign(csrFor(t, nil, "www.example.com"), SignOptions{Profile: "server", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root.Cert)
	inter.AddCert(sub.Cert)
	if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: "www.example.com", CurrentTime: now}); err != nil {
		t.Fatal(err)
	}
	// Reopened, the encrypted key needs its passphrase.
	o, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.LoadKey(func() ([]byte, error) { return []byte("wrong"), nil }); !errors.Is(err, secret.ErrWrongPassword) {
		t.Errorf("wrong passphrase: %v", err)
	}
	if err := o.LoadKey(nil); !errors.Is(err, ErrKeyEncrypted) {
		t.Errorf("no passphrase: %v", err)
	}
	if err := o.LoadKey(pw); err != nil {
		t.Error(err)
	}
}

// TestCompleteAppliesSettings: the settings given when completing a
// --csr-only CA replace those given with --csr-only, the others are kept,
// and what the CA then signs carries them.
func TestCompleteAppliesSettings(t *testing.T) {
	root := newCA(t, InitOptions{})
	dir := filepath.Join(t.TempDir(), "issuing")
	if _, err := Init(dir, InitOptions{Subject: name("CN=Acme Issuing CA"), CSROnly: true, Now: now,
		Config: Config{IssueDays: 20, OCSPURL: "http://old.example/ocsp"}}); err != nil {
		t.Fatal(err)
	}
	iss := signPending(t, root, dir, now)
	ptr := func(s string) *string { return &s }
	maxDays := 60
	// Settings that contradict what ca.json keeps are refused, and
	// nothing changes.
	before := hashDir(t, dir)
	tooShort := 10
	if _, _, err := Complete(dir, iss.Cert.Raw, CompleteOptions{Now: now, Settings: Settings{MaxDays: &tooShort}}); !errors.Is(err, ErrValidity) {
		t.Fatalf("max days below the issue days kept: %v", err)
	}
	if hashDir(t, dir) != before {
		t.Error("a refused completion changed the directory")
	}
	sub, done, err := Complete(dir, iss.Cert.Raw, CompleteOptions{Now: now, Settings: Settings{
		MaxDays: &maxDays, OCSPURL: ptr("http://ocsp.example/"), CRLURL: ptr("http://crl.example/ca.crl")}})
	if err != nil {
		t.Fatal(err)
	}
	if !done.Cert || !slices.Equal(done.Settings, []string{"max_days", "ocsp_url", "crl_url"}) {
		t.Errorf("completion reported %+v", done)
	}
	want := Config{IssueDays: 20, MaxDays: 60, OCSPURL: "http://ocsp.example/", CRLURL: "http://crl.example/ca.crl"}
	if sub.Config != want {
		t.Errorf("settings %+v, want %+v", sub.Config, want)
	}
	reopened, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if reopened.Config != want {
		t.Errorf("ca.json holds %+v, want %+v", reopened.Config, want)
	}
	leaf, err := sub.Sign(csrFor(t, nil, "www.example.com"), SignOptions{Profile: "server", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(leaf.Cert.OCSPServer, []string{"http://ocsp.example/"}) || !slices.Equal(leaf.Cert.CRLDistributionPoints, []string{"http://crl.example/ca.crl"}) {
		t.Errorf("leaf OCSP %v, CRL %v", leaf.Cert.OCSPServer, leaf.Cert.CRLDistributionPoints)
	}
	if _, err := sub.Sign(csrFor(t, nil, "www.example.com"), SignOptions{Profile: "server", Now: now, Days: 61}); !errors.Is(err, ErrValidity) {
		t.Errorf("61 days past --max-days 60 given on completion: %v", err)
	}

	// Again with the same certificate: the same settings change nothing,
	// other ones need Force.
	before = hashDir(t, dir)
	if _, done, err := Complete(dir, iss.Cert.Raw, CompleteOptions{Now: now, Settings: Settings{OCSPURL: ptr("http://ocsp.example/")}}); err != nil || done.Changed() {
		t.Fatalf("the same settings again: %+v, %v", done, err)
	}
	other := Settings{OCSPURL: ptr("http://other.example/")}
	if _, _, err := Complete(dir, iss.Cert.Raw, CompleteOptions{Now: now, Settings: other}); !errors.Is(err, ErrSettingsDiffer) {
		t.Fatalf("other settings without Force: %v", err)
	}
	if hashDir(t, dir) != before {
		t.Error("a refused change of settings changed the directory")
	}
	sub, done, err = Complete(dir, iss.Cert.Raw, CompleteOptions{Now: now, Settings: other, Force: true})
	if err != nil || done.Cert || !slices.Equal(done.Settings, []string{"ocsp_url"}) {
		t.Fatalf("other settings with Force: %+v, %v", done, err)
	}
	if sub.Config.OCSPURL != "http://other.example/" || sub.Config.MaxDays != 60 {
		t.Errorf("settings after Force: %+v", sub.Config)
	}
}

func TestAdoptChecksKeyMatches(t *testing.T) {
	root := testpki.Root(t, "Adopted Root")
	other := testpki.ECKey(t)
	dir := filepath.Join(t.TempDir(), "ca")
	if _, err := Init(dir, InitOptions{Key: other, Cert: root.Cert, Now: now}); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("err = %v, want ErrKeyMismatch", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a failed adoption created the directory")
	}
	leaf := testpki.Leaf(t, "leaf", root, "leaf.test")
	if _, err := Init(dir, InitOptions{Key: leaf.Key, Cert: leaf.Cert, Now: now}); err == nil {
		t.Fatal("adopted a leaf certificate as a CA")
	}
	c, err := Init(dir, InitOptions{Key: root.Key, Cert: root.Cert, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sign(csrFor(t, nil, "x.test"), SignOptions{Profile: "server", Now: now}); err != nil {
		t.Fatal(err)
	}
}

func TestRevokeMinSerialAndCRL(t *testing.T) {
	c := newCA(t, InitOptions{})
	var serials []*big.Int
	for i := range 4 {
		iss, err := c.Sign(csrFor(t, nil, fmt.Sprintf("h%d.test", i)), SignOptions{Profile: "server", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		serials = append(serials, iss.Cert.SerialNumber)
	}
	before := hashDir(t, c.Dir)
	if _, err := c.Revoke(big.NewInt(12345), "keyCompromise", now); !errors.Is(err, ErrUnknownSerial) {
		t.Fatalf("unknown serial: %v", err)
	}
	if hashDir(t, c.Dir) != before {
		t.Error("revoking an unknown serial changed the directory")
	}
	if _, err := c.Revoke(serials[3], "keyCompromise", now); err != nil {
		t.Fatal(err)
	}
	if err := c.SetMinSerial(serials[2], now); err != nil {
		t.Fatal(err)
	}
	st, err := c.Records(now)
	if err != nil {
		t.Fatal(err)
	}
	var got []Status
	for _, e := range st.Entries {
		got = append(got, e.Status)
	}
	want := []Status{StatusBelowMin, StatusBelowMin, StatusValid, StatusRevoked}
	if !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if st, _ := c.Records(now.AddDate(2, 0, 0)); st.Entries[2].Status != StatusExpired {
		t.Errorf("two years on: %v", st.Entries[2].Status)
	}

	for wantNum := int64(1); wantNum <= 2; wantNum++ {
		res, err := c.CRL(CRLOptions{Days: 3, Now: now, DER: true})
		if err != nil {
			t.Fatal(err)
		}
		crl, err := x509.ParseRevocationList(res.Data)
		if err != nil {
			t.Fatal(err)
		}
		if err := crl.CheckSignatureFrom(c.Cert); err != nil {
			t.Fatal(err)
		}
		if crl.Number.Int64() != wantNum || !crl.NextUpdate.Equal(now.AddDate(0, 0, 3).Truncate(time.Second)) {
			t.Errorf("CRL number %v nextUpdate %v", crl.Number, crl.NextUpdate)
		}
		var listed []string
		for _, e := range crl.RevokedCertificateEntries {
			listed = append(listed, e.SerialNumber.String()+"/"+strconv.Itoa(e.ReasonCode))
		}
		sort.Strings(listed)
		wantListed := []string{serials[0].String() + "/4", serials[1].String() + "/4", serials[3].String() + "/1"}
		sort.Strings(wantListed)
		if !slices.Equal(listed, wantListed) {
			t.Errorf("CRL lists %v, want %v", listed, wantListed)
		}
	}
}

func TestParseReason(t *testing.T) {
	for in, want := range map[string]string{"key-compromise": "keyCompromise", "KEYCOMPROMISE": "keyCompromise", "1": "keyCompromise", "superseded": "superseded", "cessation_of_operation": "cessationOfOperation"} {
		if got, err := ParseReason(in); err != nil || got != want {
			t.Errorf("ParseReason(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "removeFromCRL", "8", "stolen"} {
		if _, err := ParseReason(in); err == nil {
			t.Errorf("ParseReason(%q) accepted", in)
		}
	}
}

// TestConcurrentSign signs from many goroutines and a few processes at
// once: every serial is unique, the index records every certificate, and
// serials increase in the order they were recorded.
func TestConcurrentSign(t *testing.T) {
	c := newCA(t, InitOptions{})
	const goroutines, perGoroutine, procs, perProc = 8, 4, 3, 4
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*perGoroutine+procs)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for i := range procs {
		wg.Go(func() {
			cmd := exec.Command(exe, "-test.run=^TestSignHelperProcess$")
			// GORACE: under -race, no second of sleep as the helper exits.
			cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0", "TRUSTCTL_CA_HELPER_DIR="+c.Dir, "TRUSTCTL_CA_HELPER_N="+strconv.Itoa(perProc), "TRUSTCTL_CA_HELPER_ID="+strconv.Itoa(i))
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("helper process: %v: %s", err, out)
			}
		})
	}
	for g := range goroutines {
		wg.Go(func() {
			// Each goroutine opens the directory itself, as a process would.
			o, err := Open(c.Dir)
			if err == nil {
				err = o.LoadKey(nil)
			}
			if err != nil {
				errs <- err
				return
			}
			key := testpki.ECKey(t)
			for i := range perGoroutine {
				if _, err := o.Sign(csrFor(t, key, fmt.Sprintf("g%d-%d.test", g, i)), SignOptions{Profile: "server", Now: now}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, err := c.Records(now)
	if err != nil {
		t.Fatal(err)
	}
	if want := goroutines*perGoroutine + procs*perProc; len(st.Entries) != want {
		t.Fatalf("%d records, want %d", len(st.Entries), want)
	}
	for i := 1; i < len(st.Entries); i++ {
		if st.Entries[i].Serial.Cmp(st.Entries[i-1].Serial.Int) <= 0 {
			t.Fatalf("serial %v recorded after %v", st.Entries[i].Serial, st.Entries[i-1].Serial)
		}
	}
	files, _ := os.ReadDir(filepath.Join(c.Dir, IssuedDir))
	if len(files) != len(st.Entries) {
		t.Errorf("%d files in issued/, %d records", len(files), len(st.Entries))
	}
	next, err := readCounter(filepath.Join(c.Dir, SerialFile))
	if err != nil {
		t.Fatal(err)
	}
	if last := st.Entries[len(st.Entries)-1].Serial; next.Cmp(new(big.Int).Add(last.Int, big.NewInt(1))) != 0 {
		t.Errorf("counter %v after last serial %v", next, last)
	}
}

// TestSignHelperProcess is the body of TestConcurrentSign's processes.
func TestSignHelperProcess(t *testing.T) {
	dir := os.Getenv("TRUSTCTL_CA_HELPER_DIR")
	if dir == "" {
		t.Skip("helper for TestConcurrentSign")
	}
	n, _ := strconv.Atoi(os.Getenv("TRUSTCTL_CA_HELPER_N"))
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.LoadKey(nil); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		cn := fmt.Sprintf("p%s-%d.test", os.Getenv("TRUSTCTL_CA_HELPER_ID"), i)
		if _, err := c.Sign(csrFor(t, nil, cn), SignOptions{Profile: "server", Now: now}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSerialSurvivesCrashBetweenWrites(t *testing.T) {
	c := newCA(t, InitOptions{})
	iss, err := c.Sign(csrFor(t, nil, "a.test"), SignOptions{Profile: "server", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// Simulate a crash after the index was written but before the counter.
	if err := os.WriteFile(filepath.Join(c.Dir, SerialFile), []byte(hexSerial(iss.Cert.SerialNumber)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	next, err := c.Sign(csrFor(t, nil, "b.test"), SignOptions{Profile: "server", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if next.Cert.SerialNumber.Cmp(iss.Cert.SerialNumber) <= 0 {
		t.Errorf("serial %v reused after a stale counter", next.Cert.SerialNumber)
	}
}

func pemBody(t *testing.T, data []byte) []byte {
	t.Helper()
	s := string(data)
	if !strings.Contains(s, "-----BEGIN") {
		return data
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatal("no PEM block")
	}
	return b.Bytes
}

func FuzzParseReason(f *testing.F) {
	for _, s := range []string{"keyCompromise", "key-compromise", "1", "", "removeFromCRL", "7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReason(s)
		if err == nil {
			if _, ok := certs.ReasonCode(r); !ok || r == "removeFromCRL" {
				t.Fatalf("ParseReason(%q) = %q", s, r)
			}
		}
	})
}

func FuzzSerialJSON(f *testing.F) {
	for _, s := range []string{`"0A"`, `"6B03D1280000"`, `"zz"`, `1`, `""`, `"-1"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Serial
		if err := s.UnmarshalJSON(b); err != nil {
			return
		}
		out, err := s.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var back Serial
		if err := back.UnmarshalJSON(out); err != nil || back.Cmp(s.Int) != 0 {
			t.Fatalf("%s -> %s -> %v, %v", b, out, back.Int, err)
		}
	})
}

// signPending has root sign the pending CSR of the --csr-only CA in dir
// as an intermediate.
func signPending(t *testing.T, root *CA, dir string, now time.Time) *Issued {
	t.Helper()
	csrPEM, err := CSR(dir)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(pemBody(t, csrPEM))
	if err != nil {
		t.Fatal(err)
	}
	iss, err := root.Sign(csr, SignOptions{Profile: "intermediate", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return iss
}
