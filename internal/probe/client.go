package probe

import (
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/source"
)

// ErrNoClientKey is returned by [ClientCertificate] when the sources hold
// no private key, or no certificate for it.
var ErrNoClientKey = errors.New("no usable client key")

// ClientCertificate builds the certificate to offer from what was loaded
// from --client-cert (and --client-key): the first private key, with its
// store entry's chain when it came from a PFX or JKS key entry, else the
// loaded certificate whose public key matches it, followed by the other
// certificates as its chain (in the order found).
func ClientCertificate(set *source.Set) (*tls.Certificate, error) {
	if set == nil || len(set.Keys) == 0 {
		return nil, fmt.Errorf("%w: the client certificate source holds no private key (pass --client-key)", ErrNoClientKey)
	}
	k := set.Keys[0]
	var chain []*certs.Cert
	if len(k.Chain) > 0 {
		chain = k.Chain
	} else {
		leaf := -1
		for i, f := range set.Certs {
			if f.X509 != nil && keys.Matches(k.Signer, f.X509.PublicKey) {
				leaf = i
				break
			}
		}
		if leaf < 0 {
			return nil, fmt.Errorf("%w: no certificate matches the key from %s", ErrNoClientKey, k.Origin)
		}
		chain = append(chain, set.Certs[leaf].Cert)
		for i, f := range set.Certs {
			if i != leaf && !f.Equal(set.Certs[leaf].Cert) {
				chain = append(chain, f.Cert)
			}
		}
	}
	tc := &tls.Certificate{PrivateKey: k.Signer}
	for _, c := range chain {
		tc.Certificate = append(tc.Certificate, c.Raw)
	}
	if chain[0].X509 != nil {
		tc.Leaf = chain[0].X509
		if !keys.Matches(k.Signer, chain[0].X509.PublicKey) {
			return nil, fmt.Errorf("%w: the key from %s does not match %s", ErrNoClientKey, k.Origin, shortName(chain[0]))
		}
	}
	return tc, nil
}
