package cli

import ucli "github.com/urfave/cli/v2"

func diffCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "diff",
		Usage:  "compare two stores by fingerprint",
		Action: notImplemented("diff"),
	}
}
