package cli

import ucli "github.com/urfave/cli/v2"

func listCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "list",
		Usage:  "list the entries of a store",
		Action: notImplemented("list"),
	}
}
