package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/source"
)

// sourceFlags are the password flags of password-protected sources (a
// PKCS#12 bundle to import, a truststore given as --roots or --chain).
func sourceFlags() []ucli.Flag {
	return secretFlags(pwSource, "password of a password-protected source")
}

// loadSources reads sources with the --source-password family.
func loadSources(c *ucli.Context, paths []string) (*source.Set, error) {
	pw, ok, err := readSecret(c, pwSource)
	if err != nil {
		return nil, err
	}
	set, err := source.LoadAll(paths, source.Options{Password: pw, HavePassword: ok})
	if err != nil {
		return nil, sourceError(err, ok)
	}
	return set, nil
}

func sourceError(err error, havePassword bool) error {
	if !havePassword {
		if e := storeErrorHint(err); e != nil {
			return withHint(err, "this source needs its password: pass --source-password, --source-password-env NAME or --source-password-file PATH")
		}
	}
	return err
}
