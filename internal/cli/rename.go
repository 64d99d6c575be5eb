package cli

import ucli "github.com/urfave/cli/v2"

func renameCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "rename",
		Usage:  "change an entry's alias",
		Action: notImplemented("rename"),
	}
}
