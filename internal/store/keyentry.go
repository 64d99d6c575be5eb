package store

import (
	"crypto/x509"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/chain"
)

// KeyEntryOptions say how [NewKeyEntry] makes a key entry.
type KeyEntryOptions struct {
	// Alias names the entry; "" derives one from the certificate's
	// common name ([DeriveAlias]).
	Alias string
	// Epoch dates the entry (SOURCE_DATE_EPOCH); zero dates it by the
	// certificate's notBefore ([EntryDate]).
	Epoch time.Time
	// Now is when issuers are judged valid, where several fit.
	Now time.Time
	// Partial accepts a chain that stops short of a self-signed root.
	Partial bool
	// ExcludeRoot leaves the self-signed root out of a complete chain.
	ExcludeRoot bool
}

// NewKeyEntry makes the key entry of a new keystore: the private key
// (PKCS#8 DER) with the certificate leaf and its chain, completed from
// pool by [chain.Build], leaf first. It returns the chain as built too,
// with its notes on the issuers chosen. A chain that does not reach a
// self-signed root is a [*chain.IncompleteError] unless opts.Partial.
func NewKeyEntry(pkcs8 []byte, leaf *x509.Certificate, pool []*x509.Certificate, opts KeyEntryOptions) (*Entry, *chain.Built, error) {
	built, err := chain.Build(leaf, pool, chain.BuildOptions{Now: opts.Now, Partial: opts.Partial})
	if err != nil {
		return nil, nil, err
	}
	chainCerts := built.Chain
	if opts.ExcludeRoot && built.Complete && len(chainCerts) > 1 {
		chainCerts = chainCerts[:len(chainCerts)-1]
	}
	alias := opts.Alias
	if alias == "" {
		alias = DeriveAlias(certs.FromX509(leaf), func(string) bool { return false })
	}
	e := &Entry{Alias: alias, Kind: PrivateKey, Created: EntryDate(certs.FromX509(leaf), opts.Epoch), Key: pkcs8}
	for _, x := range chainCerts {
		e.Certs = append(e.Certs, certs.FromX509(x))
	}
	return e, built, nil
}
