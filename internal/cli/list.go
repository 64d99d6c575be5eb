package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
)

func listCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "list",
		Usage:     "list the entries of a store",
		ArgsUsage: "STORE",
		Description: `One line per entry: alias, entry kind, subject, expiry and SHA-256
fingerprint, in alias order, then a count of the entries, of those
expired and of those expiring within 30 days. Expired and expiring entries
are marked (and coloured on a terminal, unless NO_COLOR is set); on a
terminal the lines fit its width, the subject and then the fingerprint
cut short (--json, or a pipe, gives them whole). STORE is a JKS, JCEKS,
PKCS#12 or PEM file, recognised from its content, or "-" for standard
input (its password then from --password* only, never asked for).

A JKS store can be listed without its password; its integrity is then not
checked, and trustctl says so. A password-less PKCS#12 store (the JDK 18+
cacerts form) needs none.

EXAMPLES:
   trustctl list --cacerts
   trustctl list gateway-truststore.p12 --password-env TRUSTSTORE_PASSWORD
   trustctl list keystore.jks --json

EXIT CODES:
   0 listed; 2 the store cannot be read (wrong password, damaged, absent)`,
		Flags:  append(storeFlags(true), jsonFlag),
		Action: runList,
	}
}

func runList(c *ucli.Context) error {
	path, rest, err := storeArg(c, "STORE")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("usage: trustctl list STORE (one store; got %d more arguments)", len(rest))
	}
	st, err := readStore(c, path)
	if err != nil {
		return err
	}
	st.Sort()
	env := envOf(c)
	if c.Bool("json") {
		return render.ListJSON(env.Stdout, path, st, env.Now())
	}
	return render.List(env.Stdout, st, env.Now(), env.colour(), env.Width)
}
