package cli

import ucli "github.com/urfave/cli/v2"

func keyConvertCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "convert",
		Usage:  "convert a private key between PKCS#8, PKCS#1 and SEC1, PEM and DER, plain and encrypted",
		Action: notImplemented("convert"),
	}
}
