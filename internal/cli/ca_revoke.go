package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/render"
)

func caRevokeCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "revoke",
		Usage:     "revoke a certificate the CA issued",
		ArgsUsage: "DIR SERIAL",
		Description: `Marks the certificate with SERIAL (hex, with or without colons, any case)
revoked. The OCSP responder answers "revoked" from the next request on; the
next "ca crl" lists it. Revoking twice keeps the first revocation and
changes nothing.
Reasons (RFC 5280): unspecified, keyCompromise, cACompromise,
affiliationChanged, superseded, cessationOfOperation, certificateHold,
privilegeWithdrawn, aACompromise (key-compromise and the like work too).

EXIT CODES:
   0 revoked (or revoked already); 2 a serial this CA never issued, an unknown reason`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "reason", Value: "unspecified", Usage: "revocation `REASON`"},
			jsonFlag,
		},
		Action: runCARevoke,
	}
}

func runCARevoke(c *ucli.Context) error {
	if err := needArgs(c, 2, 2, "DIR SERIAL [--reason R]"); err != nil {
		return err
	}
	reason, err := ca.ParseReason(c.String("reason"))
	if err != nil {
		return usageErrorf("--reason: %v", err)
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
	r, err := a.Revoke(serial, reason, env.Now())
	if err != nil {
		return withHint(caError(err), "trustctl ca list "+c.Args().Get(0)+" shows the serials it issued")
	}
	if c.Bool("json") {
		return reported(c.Args().Get(0), r.Changed, render.CARevokeJSON(env.Stdout, r))
	}
	return reported(c.Args().Get(0), r.Changed, render.CARevoke(env.Stdout, r))
}
