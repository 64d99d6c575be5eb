package cli

import ucli "github.com/urfave/cli/v2"

func ocspCheckCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "check",
		Usage:  "query the OCSP status of one certificate",
		Action: notImplemented("check"),
	}
}
