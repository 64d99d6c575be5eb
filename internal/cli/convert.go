package cli

import ucli "github.com/urfave/cli/v2"

func convertCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "convert",
		Usage:  "convert between JKS, PKCS#12 and PEM, keys and chains included",
		Action: notImplemented("convert"),
	}
}
