package cli

import ucli "github.com/urfave/cli/v2"

func csrCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "csr",
		Usage:  "create a certificate signing request",
		Action: notImplemented("csr"),
	}
}
