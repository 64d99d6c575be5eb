package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/store"
)

func deleteCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "delete",
		Usage:     "remove entries from a store",
		ArgsUsage: "STORE ALIAS...",
		Description: `Removes the entries with the given aliases (compared without regard to
case, as Java does). Every alias must exist; if one does not, nothing is
removed and the store is left as it was.

EXAMPLES:
   trustctl delete truststore.jks old-acme-root --password-env PW
   trustctl delete --cacerts acme-root

EXIT CODES:
   0 removed; 2 an unknown alias, a wrong password or an unwritable store`,
		Flags:  append(storeFlags(true), encryptionFlag, jsonFlag),
		Action: runDelete,
	}
}

func runDelete(c *ucli.Context) error {
	path, aliases, err := targetArg(c, "STORE ALIAS...")
	if err != nil {
		return err
	}
	if len(aliases) == 0 {
		return usageErrorf("usage: trustctl delete STORE ALIAS... (no alias given)")
	}
	changed, err := changeStore(c, path, false, func(st *store.Store) (bool, error) {
		return true, st.Delete(aliases...)
	})
	if err != nil {
		return err
	}
	env := envOf(c)
	if c.Bool("json") {
		return reported(path, changed, render.DeleteJSON(env.Stdout, path, aliases, changed))
	}
	return reported(path, changed, render.Delete(env.Stdout, path, aliases))
}
