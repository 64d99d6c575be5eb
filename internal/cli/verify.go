package cli

import ucli "github.com/urfave/cli/v2"

func verifyCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "verify",
		Usage:  "build and check a certificate's chain to a trusted root",
		Action: notImplemented("verify"),
	}
}
