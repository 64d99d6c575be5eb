package cli

import ucli "github.com/urfave/cli/v2"

func showCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "show",
		Usage:  "show every certificate in files, stores and directories",
		Action: notImplemented("show"),
	}
}
