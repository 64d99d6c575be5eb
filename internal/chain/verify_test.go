package chain

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/testpki"
)

func subjects(links []*Link) []string {
	var out []string
	for _, l := range links {
		out = append(out, strings.TrimPrefix(l.Subject, "CN="))
	}
	return out
}

func certsOf(cs ...*testpki.Cert) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range cs {
		out = append(out, c.Cert)
	}
	return out
}

func TestVerifyExplains(t *testing.T) {
	now := testpki.Now
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	leaf := testpki.Leaf(t, "www.example.com", inter, "www.example.com")

	expiredInter := testpki.New(t, testpki.Template{Subject: "Acme Old CA", IsCA: true, MaxPathLen: -1,
		NotBefore: now.AddDate(-3, 0, 0), NotAfter: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}, root)
	leafUnderExpired := testpki.Leaf(t, "old.example.com", expiredInter, "old.example.com")

	futureLeaf := testpki.New(t, testpki.Template{Subject: "future.example.com", DNS: []string{"future.example.com"},
		NotBefore: now.AddDate(0, 1, 0)}, inter)

	clientOnly := testpki.New(t, testpki.Template{Subject: "client.example.com", DNS: []string{"client.example.com"},
		EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, inter)

	// Root with pathlen:0 cannot have an intermediate below it.
	tightRoot := testpki.New(t, testpki.Template{Subject: "Tight Root", IsCA: true, MaxPathLen: 0}, nil)
	tightInter := testpki.Intermediate(t, "Tight Issuing CA", tightRoot)
	tightLeaf := testpki.Leaf(t, "tight.example.com", tightInter, "tight.example.com")

	// Name constraints: the intermediate may only issue for example.com.
	ncInter := testpki.New(t, testpki.Template{Subject: "Constrained CA", IsCA: true, MaxPathLen: -1,
		PermittedDNS: []string{"example.com"}}, root)
	ncLeaf := testpki.Leaf(t, "www.evil.org", ncInter, "www.evil.org")

	// A leaf-type certificate used as an issuer.
	notCA := testpki.New(t, testpki.Template{Subject: "Not A CA", DNS: []string{"notca.example.com"}}, root)
	underNotCA := testpki.Leaf(t, "sub.example.com", notCA, "sub.example.com")

	ipLeaf := testpki.New(t, testpki.Template{Subject: "10.0.0.1", IPs: []net.IP{net.ParseIP("10.0.0.1")},
		EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, inter)

	// Cross-signing: New Root's key is also certified by Old Root.
	oldRoot := testpki.Root(t, "Old Root")
	newRoot := testpki.Root(t, "New Root")
	crossNew := testpki.New(t, testpki.Template{Subject: "New Root", IsCA: true, MaxPathLen: -1, Key: newRoot.Key}, oldRoot)
	newInter := testpki.Intermediate(t, "New Issuing CA", newRoot)
	newLeaf := testpki.Leaf(t, "cross.example.com", newInter, "cross.example.com")

	otherRootSameName := testpki.Root(t, "Acme Root")

	kcsLeaf := testpki.New(t, testpki.Template{Subject: "kcs.example.com", DNS: []string{"kcs.example.com"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}, inter)
	noCertSign := testpki.New(t, testpki.Template{Subject: "Acme CRL-only CA", IsCA: true, MaxPathLen: -1,
		KeyUsage: x509.KeyUsageCRLSign}, root)
	underNoCertSign := testpki.Leaf(t, "kcs2.example.com", noCertSign, "kcs2.example.com")

	tests := []struct {
		name          string
		leaf          *testpki.Cert
		inter         []*testpki.Cert
		roots         []*testpki.Cert
		host, purpose string
		valid         bool
		chain         []string
		want          []string // substrings of the problems, in order
	}{
		{name: "valid", leaf: leaf, inter: []*testpki.Cert{inter}, roots: []*testpki.Cert{root}, host: "www.example.com", purpose: "server",
			valid: true, chain: []string{"www.example.com", "Acme Issuing CA", "Acme Root"}},
		{name: "expired intermediate", leaf: leafUnderExpired, inter: []*testpki.Cert{expiredInter}, roots: []*testpki.Cert{root},
			chain: []string{"old.example.com", "Acme Old CA", "Acme Root"}, want: []string{"CN=Acme Old CA (the intermediate) expired on 2026-03-01; renew it"}},
		{name: "leaf not yet valid", leaf: futureLeaf, inter: []*testpki.Cert{inter}, roots: []*testpki.Cert{root},
			want: []string{"CN=future.example.com (the leaf) is not valid before 2026-07-01"}},
		{name: "wrong EKU", leaf: clientOnly, inter: []*testpki.Cert{inter}, roots: []*testpki.Cert{root}, purpose: "server",
			want: []string{"CN=client.example.com (the leaf) is not for TLS server authentication: its extended key usage is TLS client authentication"}},
		{name: "client EKU for client purpose", leaf: clientOnly, inter: []*testpki.Cert{inter}, roots: []*testpki.Cert{root}, purpose: "client", valid: true,
			chain: []string{"client.example.com", "Acme Issuing CA", "Acme Root"}},
		{name: "pathlen exceeded", leaf: tightLeaf, inter: []*testpki.Cert{tightInter}, roots: []*testpki.Cert{tightRoot},
			want: []string{"CN=Tight Issuing CA (the intermediate) is one intermediate CA too many: a CA above it limits the path with pathLenConstraint (RFC 5280 §6.1.4 (l))"}},
		{name: "name constraints violated", leaf: ncLeaf, inter: []*testpki.Cert{ncInter}, roots: []*testpki.Cert{root},
			want: []string{"CN=Constrained CA (the intermediate) has name constraints not marked critical", `the DNS name "www.evil.org" is outside the permitted dns names ("example.com") of CN=Constrained CA`}},
		{name: "issuer not a CA", leaf: underNotCA, inter: []*testpki.Cert{notCA}, roots: []*testpki.Cert{root},
			want: []string{"CN=Not A CA (the intermediate) issued the certificate below it but is not a CA: its basicConstraints say CA:FALSE (RFC 5280 §6.1.4 (k))"}},
		{name: "leaf claims keyCertSign", leaf: kcsLeaf, inter: []*testpki.Cert{inter}, roots: []*testpki.Cert{root},
			want: []string{"CN=kcs.example.com (the leaf) has keyCertSign in its key usage but is not a CA (RFC 5280 §4.2.1.9)"}},
		{name: "CA without keyCertSign", leaf: underNoCertSign, inter: []*testpki.Cert{noCertSign}, roots: []*testpki.Cert{root},
			chain: []string{"kcs2.example.com", "Acme CRL-only CA", "Acme Root"},
			want:  []string{"CN=Acme CRL-only CA (the intermediate) may not sign certificates: its key usage lacks keyCertSign (RFC 5280 §6.1.4 (n))"}},
		{name: "hostname mismatch", leaf: leaf, inter: []*testpki.Cert{inter}, roots: []*testpki.Cert{root}, host: "api.example.com",
			want: []string{"CN=www.example.com (the leaf) is valid for www.example.com, not api.example.com"}},
		{name: "IP mismatch", leaf: ipLeaf, inter: []*testpki.Cert{inter}, roots: []*testpki.Cert{root}, host: "10.0.0.2",
			want: []string{"CN=10.0.0.1 (the leaf) is valid for 10.0.0.1, not 10.0.0.2"}},
		{name: "IP match", leaf: ipLeaf, inter: []*testpki.Cert{inter}, roots: []*testpki.Cert{root}, host: "10.0.0.1", valid: true},
		{name: "missing intermediate", leaf: leaf, roots: []*testpki.Cert{root},
			chain: []string{"www.example.com"},
			want:  []string{"no trusted root: CN=www.example.com was issued by CN=Acme Issuing CA, which is neither among the intermediates nor in the truststore"}},
		{name: "root not trusted, same name in store", leaf: leaf, inter: []*testpki.Cert{inter, root}, roots: []*testpki.Cert{otherRootSameName},
			chain: []string{"www.example.com", "Acme Issuing CA", "Acme Root"},
			want:  []string{"no trusted root: the chain ends at CN=Acme Root, which is not in the truststore; add it to --roots if you trust it (closest: the truststore has a certificate named CN=Acme Root with another key"}},
		{name: "cross-signed, old root trusted", leaf: newLeaf, inter: []*testpki.Cert{newInter, crossNew, newRoot}, roots: []*testpki.Cert{oldRoot}, valid: true,
			chain: []string{"cross.example.com", "New Issuing CA", "New Root", "Old Root"}},
		{name: "cross-signed, new root trusted", leaf: newLeaf, inter: []*testpki.Cert{newInter, crossNew}, roots: []*testpki.Cert{newRoot}, valid: true,
			chain: []string{"cross.example.com", "New Issuing CA", "New Root"}},
		{name: "cross-signed, neither root trusted", leaf: newLeaf, inter: []*testpki.Cert{newInter, crossNew, newRoot}, roots: []*testpki.Cert{root},
			want: []string{"no trusted root: the chain ends at CN="}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Verify(VerifyOptions{Leaf: tc.leaf.Cert, Intermediates: certsOf(tc.inter...), Roots: certsOf(tc.roots...),
				Host: tc.host, Purpose: tc.purpose, At: now})
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid != tc.valid {
				t.Fatalf("valid = %v, want %v; problems: %q", res.Valid, tc.valid, res.Problems)
			}
			if tc.chain != nil {
				if got := subjects(res.Chain); strings.Join(got, " < ") != strings.Join(tc.chain, " < ") {
					t.Errorf("chain = %q, want %q", got, tc.chain)
				}
			}
			if len(tc.want) > 0 && len(res.Problems) == 0 {
				t.Fatalf("no problems, want %q", tc.want)
			}
			for i, w := range tc.want {
				if i >= len(res.Problems) || !strings.Contains(res.Problems[i], w) {
					t.Errorf("problems = %q\nwant [%d] containing %q", res.Problems, i, w)
				}
			}
			if tc.valid && len(res.Problems) > 0 {
				t.Errorf("valid chain with problems %q", res.Problems)
			}
		})
	}
}

func TestVerifyBadInput(t *testing.T) {
	if _, err := Verify(VerifyOptions{}); err != ErrNoLeaf {
		t.Errorf("no leaf: err = %v", err)
	}
	root := testpki.Root(t, "Acme Root")
	if _, err := Verify(VerifyOptions{Leaf: root.Cert, Purpose: "email"}); err == nil || !strings.Contains(err.Error(), "unknown purpose") {
		t.Errorf("bad purpose: err = %v", err)
	}
}

func TestVerifyCRL(t *testing.T) {
	now := testpki.Now
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	leaf := testpki.Leaf(t, "www.example.com", inter, "www.example.com")
	other := testpki.Leaf(t, "other.example.com", inter, "other.example.com")
	mk := func(this, next time.Time, revoked ...*testpki.Cert) *x509.RevocationList {
		t.Helper()
		var entries []x509.RevocationListEntry
		for _, r := range revoked {
			entries = append(entries, x509.RevocationListEntry{SerialNumber: r.Cert.SerialNumber, RevocationTime: now.AddDate(0, 0, -10), ReasonCode: 1})
		}
		return signCRL(t, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: this, NextUpdate: next, RevokedCertificateEntries: entries}, inter)
	}
	fresh := mk(now.AddDate(0, 0, -1), now.AddDate(0, 0, 6), leaf)
	stale := mk(now.AddDate(0, 0, -30), now.AddDate(0, 0, -23))
	opts := VerifyOptions{Leaf: leaf.Cert, Intermediates: certsOf(inter), Roots: certsOf(root), At: now, CRLs: []*x509.RevocationList{fresh}}
	res, err := Verify(opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "CN=www.example.com (the leaf) was revoked on 2026-05-22 (reason: keyCompromise, from CRL)") {
		t.Errorf("revoked leaf: valid=%v problems=%q", res.Valid, res.Problems)
	}
	if res.Chain[0].Status != "revoked" {
		t.Errorf("leaf status %q", res.Chain[0].Status)
	}
	opts.Leaf = other.Cert
	if res, _ := Verify(opts); !res.Valid || res.Chain[0].Revocation[0].Status != StatusGood {
		t.Errorf("not listed: valid=%v problems=%q", res.Valid, res.Problems)
	}
	// A stale CRL is no answer: fine unless revocation is required.
	opts.CRLs = []*x509.RevocationList{stale}
	if res, _ := Verify(opts); !res.Valid {
		t.Errorf("stale CRL, not required: problems=%q", res.Problems)
	}
	opts.RequireRevocation = true
	res, _ = Verify(opts)
	if res.Valid || !strings.Contains(strings.Join(res.Problems, "\n"), "the CRL of CN=Acme Issuing CA is stale") {
		t.Errorf("stale CRL, required: valid=%v problems=%q", res.Valid, res.Problems)
	}
	// A CRL signed by someone else's key does not count.
	impostor := testpki.New(t, testpki.Template{Subject: "Acme Issuing CA", IsCA: true, MaxPathLen: -1}, root)
	der, _ := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(2), ThisUpdate: now.AddDate(0, 0, -1), NextUpdate: now.AddDate(0, 0, 6),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: other.Cert.SerialNumber, RevocationTime: now.AddDate(0, 0, -1)}}}, impostor.Cert, impostor.Key)
	forged, _ := x509.ParseRevocationList(der)
	opts.RequireRevocation, opts.Leaf, opts.CRLs = false, other.Cert, []*x509.RevocationList{forged}
	if res, _ := Verify(opts); res.Valid || res.Chain[0].Status != stRevocationErr {
		t.Errorf("forged CRL: valid=%v problems=%q", res.Valid, res.Problems)
	}
}

// BenchmarkVerify measures one chain (RSA-4096 root, P-256 below) through
// chain.Verify; BenchmarkX509Verify is crypto/x509's own Verify on the same
// chain, the floor Verify cannot beat since it calls it.
func BenchmarkVerify(b *testing.B) {
	root, inter, leaf := benchPKI(b)
	opts := VerifyOptions{Leaf: leaf.Cert, Intermediates: certsOf(inter), Roots: certsOf(root), Host: "www.example.com", Purpose: "server", At: testpki.Now}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res, err := Verify(opts); err != nil || !res.Valid {
			b.Fatal(err, res.Problems)
		}
	}
}

func BenchmarkX509Verify(b *testing.B) {
	root, inter, leaf := benchPKI(b)
	rp, ip := x509.NewCertPool(), x509.NewCertPool()
	rp.AddCert(root.Cert)
	ip.AddCert(inter.Cert)
	opts := x509.VerifyOptions{Roots: rp, Intermediates: ip, DNSName: "www.example.com", CurrentTime: testpki.Now}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := leaf.Cert.Verify(opts); err != nil {
			b.Fatal(err)
		}
	}
}

var benchRoot *testpki.Cert

func benchPKI(b *testing.B) (root, inter, leaf *testpki.Cert) {
	if benchRoot == nil {
		k, err := rsaKey4096()
		if err != nil {
			b.Fatal(err)
		}
		benchRoot = testpki.New(b, testpki.Template{Subject: "Bench Root", IsCA: true, MaxPathLen: -1, Key: k}, nil)
	}
	inter = testpki.Intermediate(b, "Bench Issuing CA", benchRoot)
	leaf = testpki.Leaf(b, "www.example.com", inter, "www.example.com")
	return benchRoot, inter, leaf
}

func TestVerifyOCSPFunc(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	leaf := testpki.Leaf(t, "www.example.com", inter, "www.example.com")
	var asked []string
	answer := func(status string, err error) RevocationFunc {
		return func(_ context.Context, cert, issuer *x509.Certificate) (*Revocation, error) {
			asked = append(asked, cert.Subject.CommonName+"<"+issuer.Subject.CommonName)
			if err != nil {
				return nil, err
			}
			r := &Revocation{Source: "ocsp", Status: status}
			if status == StatusRevoked {
				at := testpki.Now.AddDate(0, 0, -2)
				r.RevokedAt, r.Reason = &at, "superseded"
			}
			return r, nil
		}
	}
	opts := VerifyOptions{Leaf: leaf.Cert, Intermediates: certsOf(inter), Roots: certsOf(root), At: testpki.Now}

	opts.OCSP = answer(StatusGood, nil)
	if res, _ := Verify(opts); !res.Valid || strings.Join(asked, ",") != "www.example.com<Acme Issuing CA,Acme Issuing CA<Acme Root" {
		t.Errorf("good: valid=%v asked=%q (every certificate below the root, with its issuer)", res.Valid, asked)
	}
	opts.OCSP = answer(StatusRevoked, nil)
	if res, _ := Verify(opts); res.Valid || !strings.Contains(res.Problems[0], "CN=www.example.com (the leaf) was revoked on 2026-05-30 (reason: superseded, from OCSP)") {
		t.Errorf("revoked: %q", res.Problems)
	}
	// A responder that cannot be asked soft-fails, unless required.
	opts.OCSP = answer("", errors.New("responder unreachable"))
	if res, _ := Verify(opts); !res.Valid {
		t.Errorf("unreachable, not required: %q", res.Problems)
	}
	opts.RequireRevocation = true
	if res, _ := Verify(opts); res.Valid || !strings.Contains(res.Problems[0], "no current revocation information for CN=www.example.com (the leaf): responder unreachable") {
		t.Errorf("unreachable, required: %q", res.Problems)
	}
}

// TestVerifySystemRoots points crypto/x509's system pool at a test root
// (SSL_CERT_FILE, read once per process: this is the only test here that
// uses system roots). A chain failing for another reason must not also be
// called untrusted because the system roots cannot be listed.
func TestVerifySystemRoots(t *testing.T) {
	root := testpki.Root(t, "System Test Root")
	inter := testpki.Intermediate(t, "System Test CA", root)
	expired := testpki.New(t, testpki.Template{Subject: "old.example.com", DNS: []string{"old.example.com"},
		NotBefore: testpki.Now.AddDate(-2, 0, 0), NotAfter: testpki.Now.AddDate(0, 0, -1)}, inter)
	dir := t.TempDir()
	rootPath, _ := root.Write(t, dir, "root")
	t.Setenv("SSL_CERT_FILE", rootPath)
	t.Setenv("SSL_CERT_DIR", t.TempDir())
	res, err := Verify(VerifyOptions{Leaf: expired.Cert, Intermediates: certsOf(inter), SystemRoots: true, At: testpki.Now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "CN=old.example.com (the leaf) expired on 2026-05-31") {
		t.Errorf("problems = %q, want only the expiry", res.Problems)
	}
	if got := subjects(res.Chain); strings.Join(got, " < ") != "old.example.com < System Test CA < System Test Root" || !res.Chain[2].Trusted {
		t.Errorf("chain = %q (last trusted: %v)", got, res.Chain[len(res.Chain)-1].Trusted)
	}
}

// TestVerifyCRLEveryListingCounts: with several CRLs of one issuer, an
// older one that leaves the certificate off does not hide a newer one that
// lists it, whatever their order; a revocation on a stale CRL still
// stands; a hold stands only until a later CRL leaves it off.
func TestVerifyCRLEveryListingCounts(t *testing.T) {
	now := testpki.Now
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	leaf := testpki.Leaf(t, "www.example.com", inter, "www.example.com")
	mk := func(daysAgo, daysLeft, reason int) *x509.RevocationList {
		t.Helper()
		var entries []x509.RevocationListEntry
		if reason >= 0 {
			entries = append(entries, x509.RevocationListEntry{SerialNumber: leaf.Cert.SerialNumber, RevocationTime: now.AddDate(0, 0, -40), ReasonCode: reason})
		}
		return signCRL(t, &x509.RevocationList{Number: big.NewInt(int64(100 - daysAgo)),
			ThisUpdate: now.AddDate(0, 0, -daysAgo), NextUpdate: now.AddDate(0, 0, daysLeft), RevokedCertificateEntries: entries}, inter)
	}
	const none, keyCompromise, hold = -1, 1, 6
	for _, c := range []struct {
		name  string
		crls  []*x509.RevocationList
		valid bool
	}{
		{"older clean, newer listing", []*x509.RevocationList{mk(10, 20, none), mk(1, 6, keyCompromise)}, false},
		{"newer listing, older clean", []*x509.RevocationList{mk(1, 6, keyCompromise), mk(10, 20, none)}, false},
		{"stale listing", []*x509.RevocationList{mk(30, -23, keyCompromise)}, false},
		{"hold, then released", []*x509.RevocationList{mk(10, 20, hold), mk(1, 6, none)}, true},
		{"clean, then hold", []*x509.RevocationList{mk(10, 20, none), mk(1, 6, hold)}, false},
		{"stale hold", []*x509.RevocationList{mk(30, -23, hold)}, true},
	} {
		res, err := Verify(VerifyOptions{Leaf: leaf.Cert, Intermediates: certsOf(inter), Roots: certsOf(root), At: now, CRLs: c.crls})
		if err != nil {
			t.Fatal(err)
		}
		if res.Valid != c.valid {
			t.Errorf("%s: valid=%v, want %v; problems %q", c.name, res.Valid, c.valid, res.Problems)
		}
	}
}

// TestVerifyPurposeOfALeafTrustedDirectly: a leaf given as its own trust
// anchor is still held to --purpose, as it is below a CA.
func TestVerifyPurposeOfALeafTrustedDirectly(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	client := testpki.New(t, testpki.Template{Subject: "client.example.com", DNS: []string{"client.example.com"},
		EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, root)
	for _, c := range []struct {
		purpose string
		valid   bool
	}{{"server", false}, {"client", true}} {
		res, err := Verify(VerifyOptions{Leaf: client.Cert, Roots: certsOf(client), At: testpki.Now, Purpose: c.purpose})
		if err != nil {
			t.Fatal(err)
		}
		if res.Valid != c.valid {
			t.Errorf("--purpose %s: valid=%v, want %v; problems %q", c.purpose, res.Valid, c.valid, res.Problems)
		}
	}
}

// signCRL signs tmpl with issuer's key and parses the result back.
func signCRL(t testing.TB, tmpl *x509.RevocationList, issuer *testpki.Cert) *x509.RevocationList {
	t.Helper()
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, issuer.Cert, issuer.Key)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return crl
}
