package cli

import ucli "github.com/urfave/cli/v2"

func caMinSerialCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "min-serial",
		Usage:  "treat every serial below SERIAL as revoked",
		Action: notImplemented("min-serial"),
	}
}
