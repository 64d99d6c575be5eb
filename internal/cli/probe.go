package cli

import ucli "github.com/urfave/cli/v2"

func probeCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "probe",
		Usage:  "show the certificate chain a TLS endpoint presents",
		Action: notImplemented("probe"),
	}
}
