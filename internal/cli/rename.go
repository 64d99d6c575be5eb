package cli

import (
	"errors"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/store"
)

func renameCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "rename",
		Usage:     "change an entry's alias",
		ArgsUsage: "STORE OLD NEW",
		Description: `Changes the alias OLD to NEW (keytool -changealias). NEW must not be taken
by another entry. A PEM bundle cannot keep an alias: its aliases are derived
from the certificates' subjects each time it is read, so renaming in one is
refused (convert it to PKCS#12 or JKS first).

EXAMPLES:
   trustctl rename truststore.p12 acme-root-ca acme-root --password-env PW

EXIT CODES:
   0 renamed; 2 unknown OLD, taken NEW, a PEM bundle, wrong password or
   unwritable store`,
		Flags:  append(storeFlags(true), encryptionFlag, jsonFlag),
		Action: runRename,
	}
}

func runRename(c *ucli.Context) error {
	path, args, err := targetArg(c, "STORE OLD NEW")
	if err != nil {
		return err
	}
	if len(args) != 2 {
		return usageErrorf("usage: trustctl rename STORE OLD NEW")
	}
	changed, err := changeStore(c, path, false, func(st *store.Store) (bool, error) {
		changed, err := st.Rename(args[0], args[1])
		if errors.Is(err, store.ErrAliasesDerived) {
			return false, withHint(err, "convert it to a store that keeps aliases first: trustctl convert "+path+" STORE.p12")
		}
		return changed, err
	})
	if err != nil {
		return err
	}
	env := envOf(c)
	if c.Bool("json") {
		return reported(path, changed, render.RenameJSON(env.Stdout, path, args[0], args[1], changed))
	}
	return reported(path, changed, render.Rename(env.Stdout, path, args[0], args[1], changed))
}
