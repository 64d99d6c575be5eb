package cli

import ucli "github.com/urfave/cli/v2"

func syncCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "sync",
		Usage:  "make a truststore trust exactly the given CA certificates",
		Action: notImplemented("sync"),
	}
}
