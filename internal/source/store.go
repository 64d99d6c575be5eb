package source

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/trustctl/trustctl/internal/keys"
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
	var keyPw func(string) []byte
	if opts.KeyPassword != nil {
		keyPw = func(string) []byte {
			pw, err := opts.KeyPassword()
			if err != nil {
				return nil
			}
			return pw
		}
	}
	return store.Decode(data, f, store.DecodeOptions{
		Password:     opts.Password,
		HavePassword: opts.HavePassword,
		KeyPassword:  keyPw,
		ParseKey: func(block []byte, typ string) ([]byte, any, error) {
			signer, err := keys.Parse(block, opts.KeyPassword)
			if err != nil {
				return nil, nil, err
			}
			p8, err := x509.MarshalPKCS8PrivateKey(signer)
			return p8, signer.Public(), err
		},
	})
}

// OpenOptions says how to open a store for change.
type OpenOptions struct {
	Options
	// Type is the format of a store that does not exist yet; Unknown
	// means "from the file name".
	Type store.Format
}

// ErrNotStore is returned by [OpenStore] for a file that exists but is not
// a JKS, JCEKS, PKCS#12 or PEM store.
var ErrNotStore = errors.New("not a keystore or truststore")

// OpenStore reads the store at path for change. A path that does not exist
// gives a new empty store (exists false) whose format comes from opts.Type
// or the file name.
func OpenStore(path string, opts OpenOptions) (st *store.Store, exists bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		f := opts.Type
		if f == store.FormatUnknown {
			f = store.FormatForName(path)
		}
		if f == store.FormatUnknown {
			return nil, false, fmt.Errorf("%s does not exist and its name does not say which type to create: use a .jks, .p12, .pfx or .pem name, or --type", path)
		}
		return store.New(f), false, nil
	}
	if err != nil {
		return nil, false, err
	}
	k := Sniff(data)
	switch k {
	case JKS, JCEKS, PKCS12, PEM:
	case DERCert:
		return nil, true, fmt.Errorf("%s is a DER certificate, %w", path, ErrNotStore)
	default:
		return nil, true, &FormatError{Path: path, Err: ErrNotStore}
	}
	st, err = DecodeStore(data, k, opts.Options)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", path, err)
	}
	return st, true, nil
}
