package certs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestRefusedCertificates: every certificate crypto/x509 refuses and
// openssl prints gives its subject, issuer, serial, dates, CA flag and key,
// or says that one of them is unknown; it never gives a wrong value.
func TestRefusedCertificates(t *testing.T) {
	for _, r := range testpki.RefusedCerts(t) {
		t.Run(r.Name, func(t *testing.T) {
			c := Parse(r.DER)
			if c.Parsed() || !c.Readable() || c.Refusal() == "" {
				t.Fatalf("parsed %v, readable %v, refusal %q", c.Parsed(), c.Readable(), c.Refusal())
			}
			if s, ok := c.SubjectDN(); !ok || s != r.Subject {
				t.Errorf("subject %q (%v), want %q", s, ok, r.Subject)
			}
			if s, ok := c.IssuerDN(); !ok || s != r.Subject {
				t.Errorf("issuer %q (%v), want %q", s, ok, r.Subject)
			}
			if c.Serial() == nil || c.Serial().Sign() <= 0 {
				t.Errorf("serial %v", c.Serial())
			}
			if c.NotBefore().IsZero() || !c.NotAfter().After(c.NotBefore()) {
				t.Errorf("validity %v to %v", c.NotBefore(), c.NotAfter())
			}
			if isCA, known := c.CA(); isCA != r.IsCA || known != r.CAKnown {
				t.Errorf("CA %v (known %v), want %v (known %v)", isCA, known, r.IsCA, r.CAKnown)
			}
			if got := c.KeyDescription(); got != r.Key {
				t.Errorf("key %q, want %q", got, r.Key)
			}
			if self, known := c.SelfSignedKnown(); !self || !known {
				t.Errorf("self-signed %v (known %v), want a verified self-signature", self, known)
			}
			if strings.Contains(c.Refusal(), "asn1:") {
				t.Errorf("refusal %q exposes the decoder", c.Refusal())
			}
		})
	}
}

// TestRefusedCertificatesMatchOpenSSL: what the lenient reading gives is
// what `openssl x509` prints of the same certificate.
func TestRefusedCertificatesMatchOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed:", err)
	}
	dir := t.TempDir()
	for _, r := range testpki.RefusedCerts(t) {
		t.Run(r.Name, func(t *testing.T) {
			path := filepath.Join(dir, r.Name+".der")
			if err := os.WriteFile(path, r.DER, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("openssl", "x509", "-inform", "DER", "-in", path, "-noout",
				"-subject", "-issuer", "-serial", "-startdate", "-enddate", "-nameopt", "RFC2253,-esc_msb").CombinedOutput()
			if err != nil {
				t.Fatalf("openssl: %v\n%s", err, out)
			}
			got := map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				k, v, _ := strings.Cut(line, "=")
				got[k] = v
			}
			c := Parse(r.DER)
			if got["subject"] != c.Subject() || got["issuer"] != c.Issuer() {
				t.Errorf("subject %q issuer %q, openssl %q %q", c.Subject(), c.Issuer(), got["subject"], got["issuer"])
			}
			// openssl -serial prints upper-case hex without colons.
			if want := strings.ReplaceAll(SerialHex(c.Serial()), ":", ""); got["serial"] != want {
				t.Errorf("serial %s, openssl %s", want, got["serial"])
			}
			for _, d := range []struct {
				key  string
				have time.Time
			}{{"notBefore", c.NotBefore()}, {"notAfter", c.NotAfter()}} {
				want, err := time.Parse("Jan _2 15:04:05.999999999 2006 MST", got[d.key])
				if err != nil || !want.Equal(d.have) {
					t.Errorf("%s %v, openssl %q (%v)", d.key, d.have, got[d.key], err)
				}
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	for _, tc := range []struct {
		in          string
		generalized bool
		want        time.Time // zero: refused
	}{
		{"360601120000Z", false, utc(2036, 6, 1, 12, 0, 0, 0)},
		{"500601120000Z", false, utc(1950, 6, 1, 12, 0, 0, 0)},
		{"4906011200Z", false, utc(2049, 6, 1, 12, 0, 0, 0)},
		{"360601120000+0130", false, utc(2036, 6, 1, 10, 30, 0, 0)},
		{"20360601120000.25Z", true, utc(2036, 6, 1, 12, 0, 0, 250000000)},
		{"203606011200Z", true, utc(2036, 6, 1, 12, 0, 0, 0)},
		{"20360601120000-0100", true, utc(2036, 6, 1, 13, 0, 0, 0)},
		{"361301120000Z", false, time.Time{}},
		{"360431120000Z", false, time.Time{}},
		{"360601120000", false, time.Time{}},
		{"36060112000Z", false, time.Time{}},
		{"20360601120000.Z", true, time.Time{}},
		{"360601120000.5Z", false, time.Time{}},
		{"", true, time.Time{}},
	} {
		if got := parseTime(tc.in, tc.generalized); !got.Equal(tc.want) {
			t.Errorf("parseTime(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestReadableIsAShape: a CRL, a CSR, a key or a truncated certificate is
// not taken for a certificate.
func TestReadableIsAShape(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	if !Readable(root.Cert.Raw) {
		t.Error("a good certificate is not readable")
	}
	for name, der := range map[string][]byte{
		"truncated": root.Cert.Raw[:len(root.Cert.Raw)-1],
		"trailing":  append(bytes.Clone(root.Cert.Raw), 0),
		"garbage":   []byte("not DER"),
		"empty":     nil,
	} {
		if Readable(der) {
			t.Errorf("%s: readable", name)
		}
	}
}

// FuzzParse: Parse never panics, keeps the bytes, and what it reads of a
// certificate crypto/x509 accepts agrees with crypto/x509.
func FuzzParse(f *testing.F) {
	f.Add(testpki.Root(f, "Acme Root").Cert.Raw)
	for _, r := range testpki.RefusedCerts(f) {
		f.Add(r.DER)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		c := Parse(der)
		if !bytes.Equal(c.Raw, der) {
			t.Fatal("the bytes changed")
		}
		// Every accessor answers without panicking.
		_, _ = c.CA()
		_, _ = c.SelfSignedKnown()
		_, _ = c.MaxPathLen()
		_ = c.Extensions()
		_, _, _, _ = c.Subject(), c.Issuer(), c.KeyDescription(), c.SignatureAlgorithm()
		if c.X509 == nil {
			return
		}
		r := readFields(der)
		if r == nil {
			t.Fatal("crypto/x509 reads a certificate the lenient reading does not")
		}
		x := c.X509
		if r.serial.Cmp(x.SerialNumber) != 0 || !r.notBefore.Equal(x.NotBefore) || !r.notAfter.Equal(x.NotAfter) ||
			!bytes.Equal(r.rawSubject, x.RawSubject) || !bytes.Equal(r.rawIssuer, x.RawIssuer) {
			t.Fatalf("lenient %v %v %v, crypto/x509 %v %v %v", r.serial, r.notBefore, r.notAfter, x.SerialNumber, x.NotBefore, x.NotAfter)
		}
	})
}

// TestDSAKeyDescribed: a DSA key, which crypto/x509 reads but trustctl
// does not use, is named with its size, as openssl names it.
func TestDSAKeyDescribed(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed:", err)
	}
	dir := t.TempDir()
	key, cert := filepath.Join(dir, "dsa.key"), filepath.Join(dir, "dsa.der")
	for _, args := range [][]string{
		{"dsaparam", "-genkey", "-out", key, "1024"},
		{"req", "-x509", "-key", key, "-subj", "/CN=DSA Root", "-days", "10", "-sha256", "-outform", "DER", "-out", cert},
	} {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	der, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	if got := Parse(der).KeyDescription(); got != "DSA 1024" {
		t.Errorf("key %q, want DSA 1024", got)
	}
}
