package cli

import (
	"fmt"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/certs"
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

// caRevokeDoc is the JSON of ca revoke.
type caRevokeDoc struct {
	Changed   bool   `json:"changed"`
	Serial    string `json:"serial"`
	Subject   string `json:"subject"`
	Reason    string `json:"reason"`
	RevokedAt string `json:"revoked_at"`
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
	doc := caRevokeDoc{Changed: r.Changed, Serial: certs.SerialHex(r.Serial.Int), Subject: r.Subject, Reason: r.Reason, RevokedAt: r.RevokedAt.UTC().Format(time.RFC3339)}
	if c.Bool("json") {
		return render.JSON(env.Stdout, doc)
	}
	when := r.RevokedAt.UTC().Format("2006-01-02 15:04:05 MST")
	if !r.Changed {
		fmt.Fprintf(env.Stdout, "serial %s (%s) was revoked already, reason %s, at %s: nothing changed\n", doc.Serial, doc.Subject, doc.Reason, when)
		return nil
	}
	fmt.Fprintf(env.Stdout, "revoked serial %s (%s), reason %s, at %s\n", doc.Serial, doc.Subject, doc.Reason, when)
	return nil
}
