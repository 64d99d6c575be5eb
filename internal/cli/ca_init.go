package cli

import ucli "github.com/urfave/cli/v2"

func caInitCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "init",
		Usage:  "create a CA in a directory",
		Action: notImplemented("init"),
	}
}
