package cli

import ucli "github.com/urfave/cli/v2"

func keystoreExtractCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "extract",
		Usage:  "write a keystore's key, certificate and chain as PEM files",
		Action: notImplemented("extract"),
	}
}
