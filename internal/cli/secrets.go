package cli

import (
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
