package cli

import (
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/secret"
	"github.com/trustctl/trustctl/internal/source"
)

// caKeyFlags are the passphrase flags of a CA key. The CA key's
// passphrase is the one secret the ca commands need, so --password* and
// --key-password* are the same flag there (see oneSecretFlags).
func caKeyFlags() []ucli.Flag { return oneSecretFlags("passphrase of the CA key") }

// caDirArg returns the CA directory argument.
func caDirArg(c *ucli.Context, min, max int, usage string) (string, error) {
	if err := needArgs(c, min, max, usage); err != nil {
		return "", err
	}
	dir := c.Args().First()
	return dir, notStdoutDir("DIR", dir)
}

// caPassword returns the CA key's passphrase as the flags give it, or a
// function that asks on the terminal when the key turns out encrypted.
func caPassword(c *ucli.Context) (pw []byte, given bool, ask func() ([]byte, error), err error) {
	pw, given, err = readSecret(c, pwKey)
	if err != nil {
		return nil, false, nil, err
	}
	ask = lazySecret(c, pwKey, "CA key passphrase")
	if given {
		ask = func() ([]byte, error) { return pw, nil }
	}
	return pw, given, ask, nil
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
	_, _, ask, err := caPassword(c)
	if err != nil {
		return nil, err
	}
	if err := a.LoadKey(ask); err != nil {
		return nil, caError(err)
	}
	return a, nil
}

// caError adds the hint a person needs for the errors they can fix.
func caError(err error) error {
	switch {
	case errors.Is(err, secret.ErrWrongPassword):
		return withHint(err, "the CA key's passphrase was set by `ca init --key-password*`; nothing was changed")
	case errors.Is(err, ca.ErrKeyEncrypted):
		return withHint(err, "pass --key-password, --key-password-env NAME or --key-password-file PATH (or --password*, the same flags)")
	case errors.Is(err, ca.ErrNotCA):
		return withHint(err, "create one with: trustctl ca init DIR --subject 'CN=...'")
	case errors.Is(err, ca.ErrExists):
		return withHint(err, "--force replaces the CA and keeps its serial counter and records")
	case errors.Is(err, ca.ErrOutExists):
		return withHint(err, "--force overwrites it")
	case errors.Is(err, ca.ErrCorrupt):
		return withHint(err, "nothing was changed; trustctl ca check DIR lists what is wrong")
	}
	return err
}

// parseSerialArg reads a serial as hex, with or without colons.
func parseSerialArg(s string) (*big.Int, error) {
	n, err := ca.ParseSerial(s)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return n, nil
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
