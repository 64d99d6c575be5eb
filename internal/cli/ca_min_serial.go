package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/certs"
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
it, with or without colons.

EXIT CODES:
   0 set; 2 bad serial or not a CA directory`,
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
	if serial.Sign() == 0 {
		return usageErrorf("the minimum serial must be above zero")
	}
	a, err := openCA(c, c.Args().Get(0), false)
	if err != nil {
		return err
	}
	env := envOf(c)
	if err := a.SetMinSerial(serial, env.Now()); err != nil {
		return err
	}
	st, err := a.Records(env.Now())
	if err != nil {
		return err
	}
	n := 0
	for _, e := range st.Entries {
		if e.Serial.Cmp(serial) < 0 && e.RevokedAt == nil {
			n++
		}
	}
	fmt.Fprintf(env.Stdout, "minimum serial set to %s: %d certificate(s) below it now count as revoked\n", certs.SerialHex(serial), n)
	return nil
}
