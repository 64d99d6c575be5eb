package cli

import (
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/source"
)

// caKeyFlags are the passphrase flags of a CA key.
func caKeyFlags() []ucli.Flag { return secretFlags(pwKey, "passphrase of the CA key") }

// caDirArg returns the CA directory argument.
func caDirArg(c *ucli.Context, min, max int, usage string) (string, error) {
	if err := needArgs(c, min, max, usage); err != nil {
		return "", err
	}
	return c.Args().First(), nil
}

// openCA opens a CA directory; withKey also unlocks its key, asking for
// the passphrase only when the key is encrypted.
func openCA(c *ucli.Context, dir string, withKey bool) (*ca.CA, error) {
	a, err := ca.Open(dir)
	if err != nil {
		return nil, caError(err)
	}
	if !withKey {
		return a, nil
	}
	pw, ok, err := readSecret(c, pwKey)
	if err != nil {
		return nil, err
	}
	get := lazySecret(c, pwKey, "CA key passphrase")
	if ok {
		get = func() ([]byte, error) { return pw, nil }
	}
	if err := a.LoadKey(get); err != nil {
		return nil, caError(err)
	}
	return a, nil
}

// caError adds the hint a person needs for the errors they can fix.
func caError(err error) error {
	switch {
	case errors.Is(err, ca.ErrWrongPassword):
		return withHint(err, "the CA key's passphrase was set by `ca init --key-password*`; nothing was changed")
	case errors.Is(err, ca.ErrKeyEncrypted):
		return withHint(err, "pass --key-password, --key-password-env NAME or --key-password-file PATH")
	case errors.Is(err, ca.ErrNotCA):
		return withHint(err, "create one with: trustctl ca init DIR --subject 'CN=...'")
	case errors.Is(err, ca.ErrExists):
		return withHint(err, "--force replaces the CA and keeps its serial counter and records")
	}
	return err
}

// parseSerialArg reads a serial as hex, with or without colons.
func parseSerialArg(s string) (*big.Int, error) {
	b := certs.ParseHex(s)
	if b == nil {
		return nil, usageErrorf("serial %q is not hex (write it as openssl prints it, e.g. 0A:1B:2C)", s)
	}
	return new(big.Int).SetBytes(b), nil
}

// readCSR reads the first CSR of a file, PEM or DER.
func readCSR(path string) (*x509.CertificateRequest, error) {
	set, err := source.Load(path, source.Options{})
	if err != nil {
		return nil, err
	}
	if len(set.CSRs) == 0 {
		return nil, fmt.Errorf("%s: no certificate signing request found", path)
	}
	return set.CSRs[0], nil
}

// readFirstCert reads the first certificate of a PEM or DER file.
func readFirstCert(path string) (*x509.Certificate, error) {
	_, cert, err := loadLeaf(path, source.Options{})
	return cert, err
}
