package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"
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
		Flags:  append(storeFlags(true), encryptionFlag),
		Action: runDelete,
	}
}

func runDelete(c *ucli.Context) error {
	path, aliases, err := storeArg(c, "STORE ALIAS...")
	if err != nil {
		return err
	}
	if len(aliases) == 0 {
		return usageErrorf("usage: trustctl delete STORE ALIAS... (no alias given)")
	}
	err = editStore(c, path, func(ed *storeEdit) (bool, error) {
		if !ed.Exists {
			return false, fmt.Errorf("%s does not exist", path)
		}
		return true, ed.Delete(aliases...)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(envOf(c).Stdout, "%s: removed %d entries\n", path, len(aliases))
	return nil
}
