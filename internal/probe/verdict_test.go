package probe

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/testpki"
)

func TestJudge(t *testing.T) {
	p := testPKI(t)
	leaf, inter := certs.FromX509(p.leaf.Cert), certs.FromX509(p.inter.Cert)
	other := certs.FromX509(p.other.Cert)
	fp := leaf.SHA256()
	matched := &Result{Name: "primary-host", NameMatch: true, Chain: []*certs.Cert{leaf, inter}}
	noName := &Result{Chain: []*certs.Cert{other}} // probed with NoSNI
	mismatch := &Result{Name: "gateway-host", NameErr: errors.New("x"), Chain: []*certs.Cert{leaf, inter}}
	fallback := &Result{Name: "gateway-host", Chain: []*certs.Cert{other},
		Fallback: &Fallback{DefaultPresented: true, Verdict: "the server presented its default certificate"}}
	expiredLeaf := certs.FromX509(testpki.New(t, testpki.Template{Subject: "primary-host", DNS: []string{"primary-host"},
		NotBefore: testpki.Now.AddDate(-2, 0, 0), NotAfter: testpki.Now.AddDate(0, 0, -1)}, p.inter).Cert)
	expired := &Result{Name: "primary-host", NameMatch: true, Chain: []*certs.Cert{expiredLeaf, inter}}
	futureLeaf := certs.FromX509(testpki.New(t, testpki.Template{Subject: "primary-host", DNS: []string{"primary-host"},
		NotBefore: testpki.Now.AddDate(0, 0, 1), NotAfter: testpki.Now.AddDate(1, 0, 0)}, p.inter).Cert)
	future := &Result{Name: "primary-host", NameMatch: true, Chain: []*certs.Cert{futureLeaf, inter}}
	revoked := &Result{Name: "primary-host", NameMatch: true, Chain: []*certs.Cert{leaf, inter},
		OCSP: &OCSPInfo{Status: "revoked", RevokedAt: testpki.Now.AddDate(0, 0, -3), SerialMatches: true, SignatureChecked: true}}
	revokedOther := &Result{Name: "primary-host", NameMatch: true, Chain: []*certs.Cert{leaf, inter},
		OCSP: &OCSPInfo{Status: "revoked", RevokedAt: testpki.Now.AddDate(0, 0, -3)}}
	halfway := &Result{Name: "primary-host", NameMatch: true, Chain: []*certs.Cert{leaf}, HandshakeErr: ErrClientCertRequired}

	tests := []struct {
		name     string
		o        Outcome
		exp      Expect
		failures []string
	}{
		{"match", Outcome{Result: matched}, Expect{}, nil},
		{"no handshake", Outcome{Err: &Error{Op: "connect", Addr: "a:1", Err: ErrRefused}}, Expect{}, []string{"connect a:1: connection refused"}},
		{"no name asked", Outcome{Result: noName}, Expect{Fingerprint: fpOf(other)}, nil},
		{"no name asked, one expected", Outcome{Result: noName}, Expect{Name: "primary-host"}, []string{"name primary-host: x509: certificate is valid for localhost, not primary-host"}},
		{"mismatch", Outcome{Result: mismatch}, Expect{}, []string{"the certificate does not match gateway-host: x"}},
		{"fallback", Outcome{Result: fallback}, Expect{}, []string{"the server presented its default certificate"}},
		{"handshake cut short", Outcome{Result: halfway}, Expect{}, []string{"no handshake: " + ErrClientCertRequired.Error()}},
		{"fingerprint", Outcome{Result: matched}, Expect{Fingerprint: fp[:]}, nil},
		{"wrong fingerprint", Outcome{Result: matched}, Expect{Fingerprint: make([]byte, 32)}, []string{"fingerprint: the leaf's SHA-256 is " + leaf.SHA256Hex() + ", not the one expected"}},
		{"verified", Outcome{Result: matched}, Expect{Roots: []*x509.Certificate{p.root.Cert}, Now: testpki.Now}, nil},
		{"expired leaf", Outcome{Result: expired}, Expect{Now: testpki.Now}, []string{"the leaf (CN=primary-host) expired on 2026-05-31"}},
		{"leaf not yet valid", Outcome{Result: future}, Expect{Now: testpki.Now}, []string{"the leaf (CN=primary-host) is not valid before 2026-06-02"}},
		{"stapled revoked", Outcome{Result: revoked}, Expect{Now: testpki.Now}, []string{"the stapled OCSP response says the leaf (CN=primary-host) was revoked on 2026-05-29"}},
		{"stapled revoked, another serial", Outcome{Result: revokedOther}, Expect{Now: testpki.Now}, nil},
		{"expired leaf, matching fingerprint", Outcome{Result: expired}, Expect{Now: testpki.Now, Fingerprint: fpOf(expiredLeaf)},
			[]string{"the leaf (CN=primary-host) expired on 2026-05-31"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Judge(tt.o, tt.exp)
			if diff := cmp.Diff(tt.failures, v.Failures); diff != "" || v.OK != (len(tt.failures) == 0) {
				t.Errorf("ok %v, failures (-want +got):\n%s", v.OK, diff)
			}
		})
	}
	if v := Judge(Outcome{Result: matched}, Expect{Roots: []*x509.Certificate{p.other.Cert}, Now: testpki.Now}); v.OK || v.Verification == nil ||
		!strings.HasPrefix(v.Failures[0], "verification: ") {
		t.Errorf("untrusted: %+v", v)
	}
	if v := Judge(Outcome{Result: fallback}, Expect{}); !v.Fallback {
		t.Error("fallback not flagged")
	}
}

func fpOf(c *certs.Cert) []byte { s := c.SHA256(); return s[:] }

func TestPresentedCAs(t *testing.T) {
	p := testPKI(t)
	leaf, inter := certs.FromX509(p.leaf.Cert), certs.FromX509(p.inter.Cert)
	r := &Result{Chain: []*certs.Cert{leaf, inter}}
	got := PresentedCAs([]Outcome{{Result: r}, {Err: errors.New("x")}, {Result: r}})
	if len(got) != 1 || !got[0].Equal(inter) {
		t.Errorf("got %d certificates", len(got))
	}
}

// TestFallbackOfAServerWithOneCertificate: a server with one certificate
// presents it for every name. When that certificate is the one for the
// name but clients refuse it (the name only in its common name, or only
// under a wildcard over a public suffix), the failure says so; the
// fallback verdict, which sends people to check the server's keystore,
// is kept for a certificate meant for another name.
func TestFallbackOfAServerWithOneCertificate(t *testing.T) {
	p := testPKI(t)
	cnOnly := certs.FromX509(testpki.New(t, testpki.Template{Subject: "CN=legacy-host"}, p.inter).Cert)
	suffix := certs.FromX509(testpki.New(t, testpki.Template{Subject: "CN=Shop", DNS: []string{"*.co.uk"}}, p.inter).Cert)
	other := certs.FromX509(p.other.Cert)
	for _, tc := range []struct {
		leaf     *certs.Cert
		name     string
		fallback bool
		want     string // the failure
		verdict  string // the fallback line
	}{
		{cnOnly, "legacy-host", false, "the certificate does not match legacy-host: certificate relies on legacy Common Name field",
			"with and without SNI; it is meant for legacy-host, but certificate relies on legacy Common Name field"},
		{suffix, "shop.co.uk", false, "the certificate does not match shop.co.uk: certificate names shop.co.uk only through the wildcard \"*.co.uk\"",
			"it is meant for shop.co.uk, but certificate names"},
		{other, "gateway-host", true, "the server presented its default certificate (CN=localhost), not one for gateway-host",
			"SNI did not select a certificate"},
	} {
		r := &Result{Name: tc.name, Chain: []*certs.Cert{tc.leaf}}
		r.NameErr = MatchName(tc.leaf, tc.name)
		r.Fallback = &Fallback{NoSNILeaf: tc.leaf}
		r.Fallback.judge(r)
		v := Judge(Outcome{Result: r}, Expect{Now: testpki.Now})
		if v.OK || v.Fallback != tc.fallback || len(v.Failures) != 1 || !strings.Contains(v.Failures[0], tc.want) {
			t.Errorf("%s: fallback %v, failures %q; want fallback %v and %q", tc.name, v.Fallback, v.Failures, tc.fallback, tc.want)
		}
		if !strings.Contains(r.Fallback.Verdict, tc.verdict) {
			t.Errorf("%s: fallback line %q, want %q", tc.name, r.Fallback.Verdict, tc.verdict)
		}
	}
}
