package cli

import ucli "github.com/urfave/cli/v2"

func keyGenCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "gen",
		Usage:  "generate a private key",
		Action: notImplemented("gen"),
	}
}
