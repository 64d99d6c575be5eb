package probe

import (
	"crypto/x509"
	"errors"
	"time"

	"github.com/trustctl/trustctl/internal/chain"
)

// ErrNoLeaf is returned by [Verify] when there is no parsable leaf.
var ErrNoLeaf = errors.New("the server presented no certificate crypto/x509 can parse")

// Verify checks the chain the server presented against roots, for TLS
// server authentication and r.Name, at time at, with the certificates the
// server sent as intermediates (internal/chain does the work and explains
// failures in words). An invalid chain is a *chain.Result with Valid
// false; the error is for unusable input only.
func Verify(r *Result, roots []*x509.Certificate, at time.Time) (*chain.Result, error) {
	leaf := r.Leaf()
	if leaf == nil || leaf.X509 == nil {
		return nil, ErrNoLeaf
	}
	var inter []*x509.Certificate
	for _, c := range r.Chain[1:] {
		if c.X509 != nil {
			inter = append(inter, c.X509)
		}
	}
	return chain.Verify(chain.VerifyOptions{
		Leaf:          leaf.X509,
		Intermediates: inter,
		Roots:         roots,
		Host:          r.Name,
		Purpose:       "server",
		At:            at,
	})
}
