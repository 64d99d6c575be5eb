package cli

import ucli "github.com/urfave/cli/v2"

func exportCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "export",
		Usage:  "export certificates from a store as PEM or DER",
		Action: notImplemented("export"),
	}
}
