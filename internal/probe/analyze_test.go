package probe

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/testpki"
)

func TestChainProblems(t *testing.T) {
	p := testPKI(t)
	c := func(tc ...*testpki.Cert) []*certs.Cert {
		var out []*certs.Cert
		for _, x := range tc {
			out = append(out, certs.FromX509(x.Cert))
		}
		return out
	}
	tests := []struct {
		name  string
		chain []*certs.Cert
		want  []string // kinds
	}{
		{"leaf and intermediate", c(p.leaf, p.inter), nil},
		{"full chain with root", c(p.leaf, p.inter, p.root), []string{ProblemRootIncluded}},
		{"leaf alone", c(p.leaf), []string{ProblemMissingIssuer}},
		{"wrong order", c(p.leaf, p.root, p.inter), []string{ProblemOrder, ProblemOrder, ProblemRootIncluded}},
		{"extra certificate", c(p.leaf, p.inter, p.other), []string{ProblemExtra}},
		{"duplicate", c(p.leaf, p.inter, p.inter), []string{ProblemDuplicate}},
		{"self-signed leaf", c(p.other), nil},
		{"missing intermediate", c(p.leaf, p.root), []string{ProblemMissingIssuer, ProblemExtra}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, pr := range chainProblems(tt.chain) {
				got = append(got, pr.Kind)
				if pr.Message == "" {
					t.Errorf("%s: empty message", pr.Kind)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", chainProblems(tt.chain), tt.want)
			}
		})
	}
}

func TestWeaknesses(t *testing.T) {
	p := testPKI(t)
	chain := []*certs.Cert{certs.FromX509(p.leaf.Cert), certs.FromX509(p.inter.Cert)}
	tests := []struct {
		name    string
		version uint16
		suite   uint16
		legacy  bool
		want    []string
	}{
		{"modern", tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256, false, nil},
		{"3DES", tls.VersionTLS12, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, true, []string{"Sweet32", "no forward secrecy", "refused Go's default"}},
		{"RC4", tls.VersionTLS11, tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, false, []string{"TLS 1.1 is deprecated", "RC4 is broken"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Result{Version: tt.version, CipherSuite: tt.suite, Legacy: tt.legacy, Chain: chain}
			got := weaknesses(r, testpki.Now)
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %d matching %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("weakness %d is %q, want one about %q", i, got[i], w)
				}
			}
		})
	}
	// An expired leaf is listed too.
	r := &Result{Chain: chain}
	if got := weaknesses(r, p.leaf.Cert.NotAfter.AddDate(0, 0, 1)); len(got) == 0 || !strings.Contains(got[0], "expired on") {
		t.Errorf("expired: %q", got)
	}
}

// TestChainProblemsBoundsSignatureChecks: a server that sends hundreds of
// certificates under its intermediate's name, each with its own key, gets
// its chain analysed with at most maxSigChecks signature checks (then by
// name alone), so a probe of it cannot spin for minutes.
func TestChainProblemsBoundsSignatureChecks(t *testing.T) {
	p := testPKI(t)
	chain := []*certs.Cert{certs.FromX509(p.leaf.Cert)}
	for range 3 * maxSigChecks {
		namesake := testpki.New(t, testpki.Template{Subject: p.inter.Cert.Subject.String(), IsCA: true, MaxPathLen: -1}, p.root)
		chain = append(chain, certs.FromX509(namesake.Cert))
	}
	chain = append(chain, certs.FromX509(p.inter.Cert), certs.FromX509(p.root.Cert))
	ic := new(issuerCheck)
	if ps := ic.problems(chain); len(ps) == 0 {
		t.Error("no problem found in a chain of 300 namesakes")
	}
	// Exactly the budget: the namesakes were checked until it ran out.
	if ic.sigChecks != maxSigChecks {
		t.Errorf("%d signature checks; want the budget, %d", ic.sigChecks, maxSigChecks)
	}
}
