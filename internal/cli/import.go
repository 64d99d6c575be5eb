package cli

import ucli "github.com/urfave/cli/v2"

func importCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "import",
		Usage:  "import CA certificates into a truststore",
		Action: notImplemented("import"),
	}
}
