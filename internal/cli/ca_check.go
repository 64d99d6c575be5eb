package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/render"
)

func caCheckCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "check",
		Usage:     "check a CA directory",
		ArgsUsage: "DIR",
		Description: `Checks the CA in DIR without changing anything: the CA certificate; that
ca.key matches it (an encrypted key needs its passphrase, asked for on a
terminal, else the check is skipped); the settings; that the serial counter
is above every serial in the record; that the record reads and names no
serial twice; that every issued certificate is in DIR/issued as recorded;
and that nothing is left of an interrupted command (which the next ca
command that writes would finish or remove).

EXIT CODES:
   0 every check passed; 1 a check failed; 2 not a CA directory, a wrong passphrase`,
		Flags:  append([]ucli.Flag{jsonFlag}, caKeyFlags()...),
		Action: runCACheck,
	}
}

func runCACheck(c *ucli.Context) error {
	dir, err := caDirArg(c, 1, 1, "DIR")
	if err != nil {
		return err
	}
	_, given, ask, err := caPassword(c)
	if err != nil {
		return err
	}
	env := envOf(c)
	if !given && !env.StdinTTY {
		ask = nil
	}
	rep, err := ca.Check(dir, ask, env.Now())
	if err != nil {
		return caError(err)
	}
	if c.Bool("json") {
		err = render.CACheckJSON(env.Stdout, rep)
	} else {
		err = render.CACheck(env.Stdout, rep)
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return checkFailed("")
	}
	return nil
}
