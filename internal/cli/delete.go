package cli

import ucli "github.com/urfave/cli/v2"

func deleteCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "delete",
		Usage:  "remove entries from a store",
		Action: notImplemented("delete"),
	}
}
