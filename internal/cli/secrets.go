package cli

import (
	"bytes"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// A command that needs exactly one secret (key gen --encrypt, key convert,
// key match, csr, ca init, ca sign) takes it under either name, as the
// command contract says: --password* and --key-password* are the same flag
// there. People who protect a key with "openssl genpkey -pass" or
// "keytool -keypass" type either word, and install guides write
// --password-file.

// oneSecretFlags returns the --key-password, --key-password-env and
// --key-password-file flags with --password, --password-env and
// --password-file as their aliases. Whichever name is typed, the value is
// read as the pwKey family: readSecret(c, pwKey), needSecret, lazySecret
// and newPassphrase work unchanged, and naming both forms of one flag is a
// usage error urfave/cli reports.
func oneSecretFlags(what string) []ucli.Flag {
	flags := secretFlags(pwKey, what)
	for _, f := range flags {
		sf := f.(*ucli.StringFlag)
		sf.Aliases = []string{pwStore + strings.TrimPrefix(sf.Name, pwKey)}
	}
	return flags
}

// newPassphrase reads the passphrase a new key is encrypted with from the
// flag family name, or asks twice on the terminal. A typed passphrase must
// not be empty; an empty flag value is honoured, as for every password.
func newPassphrase(c *ucli.Context, name, what string) ([]byte, error) {
	pw, ok, err := readSecret(c, name)
	if err != nil || ok {
		return pw, err
	}
	env := envOf(c)
	if !env.StdinTTY {
		return nil, usageErrorf("passphrase for the %s needed and no terminal to ask on: pass --%s, --%s-env or --%s-file", what, name, name, name)
	}
	pw, err = env.ReadPassword("Passphrase for the " + what + ": ")
	if err != nil {
		return nil, err
	}
	if len(pw) == 0 {
		return nil, usageErrorf("empty passphrase")
	}
	again, err := env.ReadPassword("Same passphrase again: ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(pw, again) {
		return nil, usageErrorf("the passphrases differ")
	}
	return pw, nil
}
