package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

func diffCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "diff",
		Usage:     "compare two stores by fingerprint",
		ArgsUsage: "A B",
		Description: `Lists the entries only in A, only in B, and the aliases present in both
with another certificate. Certificates are compared by SHA-256
fingerprint, so the same certificate under two aliases is the same (and
listed as such). A's password comes from --password, B's from
--source-password. Either store (not both) may be "-", standard input;
its password then comes from those flags only.

EXAMPLES:
   trustctl diff --cacerts /opt/app/jre/lib/security/cacerts
   trustctl diff old.jks new.p12 --password changeit --source-password-env NEW_PW
   # The truststore baked into an image against the one in the repository
   docker run --rm app cat /app/truststore.jks | trustctl diff truststore.jks -

EXIT CODES:
   0 the stores trust the same certificates; 1 they differ; 2 unreadable input`,
		Flags:  append(append(storeFlags(true), sourceFlags()...), jsonFlag),
		Action: runDiff,
	}
}

func runDiff(c *ucli.Context) error {
	a, rest, err := storeArg(c, "A B")
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageErrorf("usage: trustctl diff A B")
	}
	b := rest[0]
	if a == safefile.Stdin && b == safefile.Stdin {
		return usageErrorf("diff reads at most one store from standard input (-): name a file for the other")
	}
	sa, err := readStore(c, a)
	if err != nil {
		return err
	}
	pw, ok, err := readSecret(c, pwSource)
	if err != nil {
		return err
	}
	sb, err := store.Open(b, store.Options{Passwords: store.Passwords{Store: pw, StoreGiven: ok}, Stdin: envOf(c).Stdin})
	if err != nil {
		return sourceError(err, ok)
	}
	d := store.Compare(sa, sb)
	if c.Bool("json") {
		err = render.DiffJSON(envOf(c).Stdout, a, b, d)
	} else {
		err = render.Diff(envOf(c).Stdout, source.Name(a), source.Name(b), len(sa.Entries), len(sb.Entries), d)
	}
	if err != nil {
		return err
	}
	if !d.Empty() {
		return checkFailed("")
	}
	return nil
}
