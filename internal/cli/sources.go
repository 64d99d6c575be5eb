package cli

import (
	"crypto/x509"
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

// sourceFlags are the password flags of password-protected sources (a
// PKCS#12 bundle to import, a truststore given as --roots or --chain).
func sourceFlags() []ucli.Flag {
	return secretFlags(pwSource, "password of a password-protected source")
}

// loadSources reads sources with the --source-password family and says on
// standard error what was passed over (a README beside the certificates
// of a directory, a subdirectory).
func loadSources(c *ucli.Context, paths []string) (*source.Set, error) {
	opts, err := sourceOptions(c)
	if err != nil {
		return nil, err
	}
	set, err := source.LoadAll(paths, opts)
	if err != nil {
		return nil, sourceError(err, opts.HavePassword)
	}
	warn(envOf(c).Stderr, set.Notes...)
	return set, nil
}

// loadEachSource is loadSources keeping one set per source, in order.
func loadEachSource(c *ucli.Context, paths []string) ([]*source.Set, error) {
	opts, err := sourceOptions(c)
	if err != nil {
		return nil, err
	}
	sets, err := source.LoadEach(paths, opts)
	if err != nil {
		return nil, sourceError(err, opts.HavePassword)
	}
	for _, s := range sets {
		warn(envOf(c).Stderr, s.Notes...)
	}
	return sets, nil
}

// readInput reads the file at path, or standard input for "-"; at most
// safefile.MaxSize bytes either way, and never a FIFO or a device.
func readInput(c *ucli.Context, path string) ([]byte, error) {
	if path == safefile.Stdin {
		return safefile.ReadStdin(envOf(c).Stdin)
	}
	return safefile.Read(path, safefile.MaxSize)
}

// inputName is how messages name the input at path: "-" is standard input.
func inputName(path string) string {
	if path == safefile.Stdin {
		return safefile.StdinName
	}
	return path
}

// sourceOptions are the options sources are read with: the
// --source-password family and the command's standard input.
func sourceOptions(c *ucli.Context) (source.Options, error) {
	pw, ok, err := readSecret(c, pwSource)
	if err != nil {
		return source.Options{}, err
	}
	return source.Options{Password: pw, HavePassword: ok, Stdin: envOf(c).Stdin}, nil
}

// sourceError adds a hint to a source's wrong password: --password is the
// password of the store a command changes, not of its sources.
func sourceError(err error, havePassword bool) error {
	var need *store.NeedPasswordError
	switch {
	case errors.As(err, &need) && need.Secret == store.StorePassword:
		return withHint(err, "pass the source's password with --source-password, --source-password-env NAME or --source-password-file PATH")
	case !errors.Is(err, store.ErrWrongPassword):
		return err
	case havePassword:
		return withHint(err, "a source's password is the one given with --source-password, --source-password-env or --source-password-file")
	}
	return withHint(err, "this source needs its password: pass --source-password, --source-password-env NAME or --source-password-file PATH")
}

// loadLeaf reads a file whose first certificate is the one a command works
// on (the rest of the file often holds its chain). It fails when there is
// no certificate, or when crypto/x509 refuses the first one.
func loadLeaf(path string, opts source.Options) (*source.Set, *x509.Certificate, error) {
	set, err := source.Load(path, opts)
	if err != nil {
		return nil, nil, err
	}
	if len(set.Certs) == 0 {
		return nil, nil, fmt.Errorf("%s: no certificate found", path)
	}
	first := set.Certs[0]
	if first.X509 == nil {
		return nil, nil, fmt.Errorf("%s: crypto/x509 refuses the certificate %s: %v", path, first.Subject(), first.ParseErr)
	}
	return set, first.X509, nil
}
