package chain

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/trustctl/trustctl/internal/testpki"
)

func TestNameConstraintMatching(t *testing.T) {
	tests := []struct {
		kind, name, constraint string
		want                   bool
	}{
		// rfc822Name: a host is that host only, a leading period the
		// domain below it (RFC 5280 §4.2.1.10; PKITS 4.13.24).
		{"email", "alice@testcertificates.gov", "testcertificates.gov", true},
		{"email", "alice@mailserver.testcertificates.gov", "testcertificates.gov", false},
		{"email", "alice@mailserver.testcertificates.gov", ".testcertificates.gov", true},
		{"email", "alice@testcertificates.gov", ".testcertificates.gov", false},
		{"email", "alice@Example.COM", "alice@example.com", true},
		{"email", "Alice@example.com", "alice@example.com", false},
		// URI: the host of the URI, same rules.
		{"uri", "http://testcertificates.gov/x", "testcertificates.gov", true},
		{"uri", "http://www.testcertificates.gov/x", "testcertificates.gov", false},
		{"uri", "http://www.testcertificates.gov/x", ".testcertificates.gov", true},
		{"uri", "urn:x:y", "testcertificates.gov", false},
		// dNSName: the name and every name below it.
		{"dns", "example.com", "example.com", true},
		{"dns", "www.EXAMPLE.com", "example.com", true},
		{"dns", "notexample.com", "example.com", false},
		{"dns", "anything", "", true},
		// An absolute constraint is the same domain.
		{"dns", "www.evil.com", "evil.com.", true},
		{"dns", "evil.com", "evil.com.", true},
		{"dns", "example.com", ".", false},
	}
	for _, tc := range tests {
		var got bool
		switch tc.kind {
		case "email":
			got = emailMatch(tc.name, tc.constraint)
		case "uri":
			got = uriMatch(tc.name, tc.constraint)
		case "dns":
			got = dnsMatch(tc.name, tc.constraint)
		}
		if got != tc.want {
			t.Errorf("%s %q under %q: %v, want %v", tc.kind, tc.name, tc.constraint, got, tc.want)
		}
	}
}

// TestNameChaining: RFC 5280 §7.1 compares names case-insensitively, with
// whitespace folded, across PrintableString and UTF8String.
func TestNameChaining(t *testing.T) {
	mk := func(tag cbasn1.Tag, v string) dn {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidCNAttr)
					b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
				})
			})
		})
		d, err := parseDN(b.BytesOrPanic())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a := mk(cbasn1.PrintableString, "Good  CA ")
	for _, b := range []dn{mk(cbasn1.UTF8String, "good ca"), mk(cbasn1.PrintableString, " GOOD CA")} {
		if a.key() != b.key() {
			t.Errorf("%q and %q do not match", a, b)
		}
	}
	if a.key() == mk(cbasn1.UTF8String, "Good CA2").key() {
		t.Error("different names match")
	}
}

// idpFullName is an issuing distribution point extension naming uri.
func idpFullName(uri string) pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(6).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(uri)) })
			})
		})
	})
	return pkix.Extension{Id: oidIssuingDP, Critical: true, Value: b.BytesOrPanic()}
}

// TestCRLScope: with partitioned CRLs, the CRL of another partition says
// nothing about a certificate, even though it is signed by its issuer and
// does not list it. Taking it as "good" let revoked certificates pass.
func TestCRLScope(t *testing.T) {
	now := testpki.Now
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	leaf := testpki.New(t, testpki.Template{Subject: "www.example.com", DNS: []string{"www.example.com"},
		CRLDistributionPoints: []string{"http://crl.example.com/part1.crl"}}, inter)
	mk := func(uri string, revoked bool) *x509.RevocationList {
		var entries []x509.RevocationListEntry
		if revoked {
			entries = append(entries, x509.RevocationListEntry{SerialNumber: leaf.Cert.SerialNumber, RevocationTime: now.AddDate(0, 0, -3), ReasonCode: 1})
		}
		return signCRL(t, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now.AddDate(0, 0, -1),
			NextUpdate: now.AddDate(0, 0, 6), RevokedCertificateEntries: entries, ExtraExtensions: []pkix.Extension{idpFullName(uri)}}, inter)
	}
	part1 := mk("http://crl.example.com/part1.crl", true)
	part2 := mk("http://crl.example.com/part2.crl", false)
	opts := VerifyOptions{Leaf: leaf.Cert, Intermediates: certsOf(inter), Roots: certsOf(root), At: now, RequireRevocation: false}
	for _, tc := range []struct {
		name    string
		crls    []*x509.RevocationList
		require bool
		valid   bool
		want    string
	}{
		{"own partition revokes", []*x509.RevocationList{part2, part1}, false, false, "was revoked"},
		{"other partition only, required", []*x509.RevocationList{part2}, true, false, "covers another distribution point"},
		{"other partition only", []*x509.RevocationList{part2}, false, true, ""},
	} {
		opts.CRLs, opts.RequireRevocation = tc.crls, tc.require
		res, err := Verify(opts)
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(res.Problems, "\n")
		if res.Valid != tc.valid || !strings.Contains(all, tc.want) {
			t.Errorf("%s: valid=%v problems=%q, want valid=%v and %q", tc.name, res.Valid, res.Problems, tc.valid, tc.want)
		}
		if tc.valid {
			for _, r := range res.Chain[0].Revocation {
				if r.Status == StatusGood {
					t.Errorf("%s: the other partition's CRL counted as good: %+v", tc.name, r)
				}
			}
		}
	}
}

// TestVerifyAll: many leaves at once against shared roots, intermediates
// and CRLs give the same verdicts as one at a time, in order.
func TestVerifyAll(t *testing.T) {
	now := testpki.Now
	root := testpki.Root(t, "Fleet Root")
	inter := testpki.Intermediate(t, "Fleet CA", root)
	var leaves []Leaf
	var revoked []x509.RevocationListEntry
	for i := 0; i < 24; i++ {
		l := testpki.Leaf(t, "host.example.com", inter, "host.example.com")
		leaves = append(leaves, Leaf{DER: l.Cert.Raw})
		if i%3 == 0 {
			revoked = append(revoked, x509.RevocationListEntry{SerialNumber: l.Cert.SerialNumber, RevocationTime: now.AddDate(0, 0, -1)})
		}
	}
	leaves = append(leaves, Leaf{DER: []byte("not a certificate")})
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now.AddDate(0, 0, -1),
		NextUpdate: now.AddDate(0, 0, 6), RevokedCertificateEntries: revoked}, inter.Cert, inter.Key)
	if err != nil {
		t.Fatal(err)
	}
	crl, _ := x509.ParseRevocationList(der)
	v, err := NewVerifier(VerifyOptions{Intermediates: certsOf(inter), Roots: certsOf(root), At: now, Host: "host.example.com",
		CRLs: []*x509.RevocationList{crl}})
	if err != nil {
		t.Fatal(err)
	}
	got := v.VerifyAll(leaves)
	for i, d := range got[:24] {
		if d.Err != nil || d.Result.Valid != (i%3 != 0) {
			t.Errorf("leaf %d: err=%v result=%+v", i, d.Err, d.Result)
		}
	}
	if got[24].Err == nil {
		t.Error("an unreadable leaf gave no error")
	}
}

// TestEmptyKeyUsage: a key usage extension with no bit set (03 01 00) is
// refused (RFC 5280 §4.2.1.3); crypto/x509 reads it as "no key usage".
func TestEmptyKeyUsage(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	key := testpki.ECKey(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "empty-ku.example.com"},
		DNSNames: []string{"empty-ku.example.com"}, NotBefore: testpki.Now.AddDate(0, -1, 0), NotAfter: testpki.Now.AddDate(1, 0, 0),
		ExtraExtensions: []pkix.Extension{{Id: oidKeyUsage, Critical: true, Value: []byte{0x03, 0x01, 0x00}}}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, root.Cert, key.Public(), root.Key)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(VerifyOptions{LeafDER: der, Roots: certsOf(root), At: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid || !strings.Contains(strings.Join(res.Problems, "\n"), "(the leaf) has a key usage extension with no usage in it (RFC 5280 §4.2.1.3") {
		t.Errorf("valid=%v problems=%q", res.Valid, res.Problems)
	}
}

// TestIPv4MappedUnderExcludedRange: a SAN holding an IPv4 address in its
// 16-byte IPv4-mapped form is the IPv4 address to a host name check, so an
// excluded IPv4 range excludes it as well.
func TestIPv4MappedUnderExcludedRange(t *testing.T) {
	_, ten, _ := net.ParseCIDR("10.0.0.0/8")
	s := &ncState{excluded: []subtree{{kind: "ip", value: "10.0.0.0/8", ipNet: ten, excluded: true}}, setBy: map[string]string{"xip": "CN=CA"}}
	for _, ip := range []net.IP{net.ParseIP("::ffff:10.0.0.1"), net.ParseIP("10.0.0.1").To4()} {
		c := &Cert{SAN: names{IP: []net.IP{ip}}}
		if p := s.checkNames(c, nil); len(p) == 0 {
			t.Errorf("%d-byte %s passed the excluded range 10.0.0.0/8", len(ip), ip)
		}
	}
	ok := &Cert{SAN: names{IP: []net.IP{net.ParseIP("::ffff:192.0.2.1")}}}
	if p := s.checkNames(ok, nil); len(p) != 0 {
		t.Errorf("an address outside the range: %q", p)
	}
}
