package cli

import ucli "github.com/urfave/cli/v2"

func passwdCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "passwd",
		Usage:  "change a store's password",
		Action: notImplemented("passwd"),
	}
}
