package source

import (
	"fmt"

	"github.com/trustctl/trustctl/internal/store"
)

// storeFormat maps a sniffed kind to a store format.
func storeFormat(k Kind) store.Format {
	switch k {
	case JKS:
		return store.FormatJKS
	case JCEKS:
		return store.FormatJCEKS
	case PKCS12:
		return store.FormatPKCS12
	case PEM:
		return store.FormatPEM
	}
	return store.FormatUnknown
}

// DecodeStore reads store bytes of a sniffed kind.
func DecodeStore(data []byte, k Kind, opts Options) (*store.Store, error) {
	f := storeFormat(k)
	if f == store.FormatUnknown {
		return nil, fmt.Errorf("a %s is not a store", k)
	}
	return store.Decode(data, f, opts.passwords())
}

// passwords are the options' secrets in the form internal/store takes:
// KeyPassword answers the questions for key passwords.
func (o Options) passwords() store.Passwords {
	pw := store.Passwords{Store: o.Password, StoreGiven: o.HavePassword}
	if o.KeyPassword != nil {
		pw.Ask = func(p store.Prompt) ([]byte, error) {
			if p.Secret != store.KeyPassword {
				return nil, nil
			}
			return o.KeyPassword()
		}
	}
	return pw
}
