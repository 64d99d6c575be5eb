package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
)

func caMinSerialCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "min-serial",
		Usage:     "treat every serial below a minimum as revoked",
		ArgsUsage: "DIR SERIAL",
		Description: `Sets the minimum accepted serial: every certificate of this CA with a lower
serial counts as revoked (reason superseded) for "ca list", the OCSP
responder and "ca crl". Use it to retire everything issued before a point,
as after a compromise or a planned re-issue. SERIAL is hex as openssl prints
it, with or without colons: positive, at most 20 octets. A minimum above
the serial counter moves the counter up to it, so that what the CA signs
next is accepted. Setting the same minimum again changes nothing. The
minimum only goes up: what a minimum retired was published as revoked, and
a revocation is for good (RFC 5280 section 3.3). The
report counts what "ca list" then shows as revoked below the minimum,
including certificates a previous CA of DIR signed (before ca init
--force), which the current CA's CRL and OCSP responder do not cover.

EXIT CODES:
   0 set; 2 bad serial, a serial below the minimum already set, or not a
   CA directory`,
		Flags:  []ucli.Flag{jsonFlag},
		Action: runCAMinSerial,
	}
}

func runCAMinSerial(c *ucli.Context) error {
	if err := needArgs(c, 2, 2, "DIR SERIAL"); err != nil {
		return err
	}
	serial, err := parseSerialArg(c.Args().Get(1))
	if err != nil {
		return err
	}
	a, err := openCA(c, c.Args().Get(0), false)
	if err != nil {
		return err
	}
	env := envOf(c)
	ch, err := a.ApplyMinSerial(serial, env.Now())
	if err != nil {
		return caError(err)
	}
	if c.Bool("json") {
		return reported(c.Args().Get(0), ch.Changed, render.CAMinSerialJSON(env.Stdout, ch, serial))
	}
	return reported(c.Args().Get(0), ch.Changed, render.CAMinSerial(env.Stdout, ch, serial))
}
