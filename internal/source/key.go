package source

import (
	"crypto"
	"errors"
	"fmt"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/dn"
	"github.com/trustctl/trustctl/internal/keys"
)

// KeyFileError is a key file (not a keystore) whose key cannot be read:
// Err is what internal/keys said of it.
type KeyFileError struct {
	Name string
	Err  error
}

func (e *KeyFileError) Error() string { return e.Name + ": " + e.Err.Error() }

func (e *KeyFileError) Unwrap() error { return e.Err }

// ParseKey reads the one private key of data, read from the file name: a
// key file in any form internal/keys reads (opts.KeyPassword is asked for
// an encrypted one), or a keystore (JKS, JCEKS, PKCS#12) that holds
// exactly one key, opened with opts.Password and with opts.KeyPassword
// as its key password. A key file that cannot be read is a
// [*KeyFileError].
func ParseKey(data []byte, name string, opts Options) (crypto.Signer, error) {
	key, err := keys.Parse(data, opts.KeyPassword)
	if err == nil {
		return key, nil
	}
	switch Sniff(data) {
	case PKCS12, JKS, JCEKS:
		set, serr := Parse(data, name, opts)
		if serr != nil {
			return nil, fmt.Errorf("%s: %w", name, serr)
		}
		if len(set.Keys) == 1 {
			return set.Keys[0].Signer, nil
		}
		return nil, fmt.Errorf("%s holds %d private keys; extract the one to check with trustctl keystore extract", name, len(set.Keys))
	}
	return nil, &KeyFileError{Name: name, Err: err}
}

// LoadPublicKey returns the public key of the first certificate (or, when
// there is none, the first CSR) in path, and a description of it: the
// certificate's subject, or "CSR " and the CSR's subject. A store is
// opened with opts' password.
func LoadPublicKey(path string, opts Options) (crypto.PublicKey, string, error) {
	set, err := Load(path, opts)
	if err != nil {
		return nil, "", err
	}
	for _, f := range set.Certs {
		if f.X509 != nil {
			return f.X509.PublicKey, f.Subject(), nil
		}
	}
	if len(set.CSRs) > 0 {
		csr := set.CSRs[0]
		subject, ok := dn.FormatDER(csr.RawSubject)
		if !ok {
			subject = certs.Unreadable
		}
		return csr.PublicKey, "CSR " + subject, nil
	}
	if len(set.Certs) > 0 {
		return nil, "", fmt.Errorf("%s: the certificate cannot be parsed: %w", path, parseErr(set.Certs[0].Cert))
	}
	return nil, "", fmt.Errorf("%s: no certificate or CSR found", path)
}

func parseErr(c *certs.Cert) error {
	if c.ParseErr != nil {
		return c.ParseErr
	}
	return errors.New("unknown reason")
}
