package cli

import ucli "github.com/urfave/cli/v2"

func ocspServeCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "serve",
		Usage:  "run an OCSP responder for a CA",
		Action: notImplemented("serve"),
	}
}
