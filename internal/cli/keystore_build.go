package cli

import ucli "github.com/urfave/cli/v2"

func keystoreBuildCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "build",
		Usage:  "build a PFX or JKS with a private key and its full chain",
		Action: notImplemented("build"),
	}
}
