package cli

import (
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/render"
)

func caSignCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "sign",
		Usage:     "sign a CSR with the CA",
		ArgsUsage: "DIR CSR",
		Description: `Checks the CSR's signature and issues a certificate with the CSR's subject
and subject alternative names, kept exactly; extensions come from the
profile, never from the CSR (a CSR that asks for CA:TRUE under another
profile gets a warning):

   server         serverAuth; digitalSignature (+keyEncipherment for RSA);
                  a CN that is a host name becomes a DNS name; a CN that
                  is not, without a SAN, is signed with a warning
   client         clientAuth; digitalSignature
   server-client  both of the above
   intermediate   CA:TRUE, pathlen:0; keyCertSign, cRLSign
   codesign       codeSigning; digitalSignature

Every certificate gets subject and authority key identifiers, and the CA's
OCSP and CRL URLs when it has them. Validity is --days (90, 90d or 2160h),
or the CA's --issue-days, capped at its --max-days and its own expiry (an
explicit --days beyond the cap is an error). notBefore is set 5 minutes
back for clock skew, and notAfter so that the validity period, both ends
included as RFC 5280 counts it, is exactly those days. Serials strictly increase and
are never reused; each certificate is recorded in DIR before it reaches
--out, and one that never reaches it is recorded as not issued. Keys below
RSA-2048, ECDSA curves other than P-256/384/521, and DSA keys are refused;
Ed25519 serves every profile.

An encrypted CA key's passphrase comes from --key-password,
--key-password-env or --key-password-file, or from --password,
--password-env or --password-file: the same flags, as for every command that
needs one secret (asked on the terminal otherwise).

EXAMPLES:
   trustctl ca sign ./ca www.csr --profile server --out www.crt
   trustctl ca sign ./ca ./issuing/ca.csr --profile intermediate --out issuing.crt --key-password-env CA_PW
   trustctl ca sign ./pki client.csr --profile server-client --out client.crt --password-file ca-password.txt

EXIT CODES:
   0 issued; 2 bad CSR, profile or validity, wrong CA passphrase (the CA directory is unchanged)`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "out", Usage: "write the certificate (PEM) to `FILE` (default, or -: standard output)"},
			&ucli.StringFlag{Name: "profile", Value: "server", Usage: "`PROFILE`: " + strings.Join(ca.Profiles, ", ")},
			&ucli.StringFlag{Name: "days", Usage: "validity in `DAYS`", DefaultText: "the CA's --issue-days"},
			&ucli.BoolFlag{Name: "chain", Usage: "append the CA certificate after the issued one"},
			forceFlag,
			jsonFlag,
		}, caKeyFlags()...),
		Action: runCASign,
	}
}

func runCASign(c *ucli.Context) error {
	if err := needArgs(c, 2, 2, "DIR CSR --out FILE [--profile P]"); err != nil {
		return err
	}
	dir, csrPath := c.Args().Get(0), c.Args().Get(1)
	env := envOf(c)
	o := ca.SignOptions{Profile: c.String("profile"), Chain: c.Bool("chain"), Force: c.Bool("force"), Now: env.Now()}
	if !slices.Contains(ca.Profiles, o.Profile) {
		return usageErrorf("--profile %q: want one of %s", o.Profile, strings.Join(ca.Profiles, ", "))
	}
	if c.IsSet("days") {
		var err error
		if o.Days, err = daysFlag(c, "days"); err != nil {
			return err
		}
	}
	if out := c.String("out"); out != "" && out != "-" {
		o.Out = out
		// Before the key is unlocked: nothing is signed for a file that
		// cannot be written.
		if err := ca.CheckOut(out, o.Force); err != nil {
			return caError(err)
		}
	} else {
		// Inside the record: a certificate stdout cannot take, alone or
		// in the JSON document, is recorded as not issued.
		o.Deliver = func(iss *ca.Issued) error {
			if c.Bool("json") {
				return render.CASignJSON(env.Stdout, iss, o.Profile, "")
			}
			_, err := env.Stdout.Write(iss.PEM)
			return err
		}
	}
	csr, err := readCSR(csrPath)
	if err != nil {
		return err
	}
	a, err := openCA(c, dir, true)
	if err != nil {
		return err
	}
	iss, err := a.Sign(csr, o)
	if err != nil {
		return caError(err)
	}
	warn(env.Stderr, iss.Warnings...)
	switch {
	case o.Out != "" && c.Bool("json"):
		return reported(o.Out, true, render.CASignJSON(env.Stdout, iss, o.Profile, o.Out))
	case o.Out != "":
		return reported(o.Out, true, render.CASign(env.Stdout, iss, o.Profile, o.Out))
	case !c.Bool("json"):
		// The certificate went to stdout; the summary on stderr is a
		// courtesy that cannot undo it.
		_ = render.CASign(env.Stderr, iss, o.Profile, o.Out)
	}
	return nil
}
