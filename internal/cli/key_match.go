package cli

import ucli "github.com/urfave/cli/v2"

func keyMatchCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "match",
		Usage:  "exit 0 when a private key belongs to a certificate",
		Action: notImplemented("match"),
	}
}
