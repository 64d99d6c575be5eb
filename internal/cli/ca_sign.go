package cli

import ucli "github.com/urfave/cli/v2"

func caSignCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "sign",
		Usage:  "sign a CSR with the CA",
		Action: notImplemented("sign"),
	}
}
