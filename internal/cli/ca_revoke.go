package cli

import ucli "github.com/urfave/cli/v2"

func caRevokeCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "revoke",
		Usage:  "revoke a certificate the CA issued",
		Action: notImplemented("revoke"),
	}
}
