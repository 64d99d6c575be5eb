package cli

import ucli "github.com/urfave/cli/v2"

func caListCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "list",
		Usage:  "list what the CA issued",
		Action: notImplemented("list"),
	}
}
