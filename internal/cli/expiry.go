package cli

import ucli "github.com/urfave/cli/v2"

func expiryCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "expiry",
		Usage:  "list certificates by days left",
		Action: notImplemented("expiry"),
	}
}
