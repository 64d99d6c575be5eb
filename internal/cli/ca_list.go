package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
)

func caListCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "list",
		Usage:     "list what the CA issued",
		ArgsUsage: "DIR",
		Description: `Lists every certificate the CA in DIR issued, oldest first: serial,
subject, profile, validity, status (valid, expired, revoked with its reason,
or revoked because it is below the minimum serial) and the SHA-1 and
SHA-256 fingerprints. Certificates signed by a previous CA of the
directory (before "ca init --force") are marked "(previous CA)". Serials
spent on certificates that were signed but never delivered (a command
killed or failed on the way) are named at the end; they are not issued.

EXIT CODES:
   0 listed; 2 not a CA directory`,
		Flags:  []ucli.Flag{jsonFlag},
		Action: runCAList,
	}
}

func runCAList(c *ucli.Context) error {
	dir, err := caDirArg(c, 1, 1, "DIR")
	if err != nil {
		return err
	}
	a, err := openCA(c, dir, false)
	if err != nil {
		return err
	}
	env := envOf(c)
	now := env.Now()
	st, err := a.Records(now)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return render.CAListJSON(env.Stdout, a.Cert, st, now)
	}
	return render.CAList(env.Stdout, a.Cert, st, now)
}
