package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/certs"
)

func caRevokeCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "revoke",
		Usage:     "revoke a certificate the CA issued",
		ArgsUsage: "DIR SERIAL",
		Description: `Marks the certificate with SERIAL (hex, with or without colons, any case)
revoked. The OCSP responder answers "revoked" from the next request on; the
next "ca crl" lists it. Revoking twice keeps the first revocation.
Reasons (RFC 5280): unspecified, keyCompromise, cACompromise,
affiliationChanged, superseded, cessationOfOperation, certificateHold,
privilegeWithdrawn, aACompromise (key-compromise and the like work too).

EXIT CODES:
   0 revoked; 2 a serial this CA never issued, an unknown reason`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "reason", Value: "unspecified", Usage: "revocation `REASON`"},
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
		return withHint(err, "trustctl ca list "+c.Args().Get(0)+" shows the serials it issued")
	}
	fmt.Fprintf(env.Stdout, "revoked serial %s (%s), reason %s, at %s\n", certs.SerialHex(r.Serial.Int), r.Subject, r.Reason, r.RevokedAt.UTC().Format("2006-01-02 15:04:05 MST"))
	return nil
}
