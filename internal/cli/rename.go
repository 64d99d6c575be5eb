package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"
)

func renameCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "rename",
		Usage:     "change an entry's alias",
		ArgsUsage: "STORE OLD NEW",
		Description: `Changes the alias OLD to NEW (keytool -changealias). NEW must not be taken
by another entry.

EXAMPLES:
   trustctl rename truststore.p12 acme-root-ca acme-root --password-env PW

EXIT CODES:
   0 renamed; 2 unknown OLD, taken NEW, wrong password or unwritable store`,
		Flags:  append(storeFlags(true), encryptionFlag),
		Action: runRename,
	}
}

func runRename(c *ucli.Context) error {
	path, args, err := storeArg(c, "STORE OLD NEW")
	if err != nil {
		return err
	}
	if len(args) != 2 {
		return usageErrorf("usage: trustctl rename STORE OLD NEW")
	}
	err = editStore(c, path, func(ed *storeEdit) (bool, error) {
		if !ed.Exists {
			return false, fmt.Errorf("%s does not exist", path)
		}
		return true, ed.Rename(args[0], args[1])
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(envOf(c).Stdout, "%s: renamed %s to %s\n", path, args[0], args[1])
	return nil
}
