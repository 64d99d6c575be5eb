package probe

import (
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
