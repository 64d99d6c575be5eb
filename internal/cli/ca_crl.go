package cli

import ucli "github.com/urfave/cli/v2"

func caCRLCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "crl",
		Usage:  "write a signed CRL",
		Action: notImplemented("crl"),
	}
}
