package cli

import (
	"cmp"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/render"
)

func caCRLCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "crl",
		Usage:     "write a signed CRL",
		ArgsUsage: "DIR",
		Description: `Signs a CRL listing every revoked certificate of the CA (including those
below the minimum serial), with the next CRL number and a nextUpdate --days
ahead (7, 7d or 168h). PEM by default, DER with --der. An existing --out
file is replaced when it holds a CRL, otherwise only with --force. A CRL
that could not be written leaves the CA directory as it was.

EXAMPLES:
   trustctl ca crl ./ca --out ca.crl --days 7
   openssl crl -in ca.crl -CAfile ca/ca.crt -verify -noout

EXIT CODES:
   0 written; 2 wrong CA passphrase or bad usage`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "out", Usage: "write the CRL to `FILE` (default, or -: standard output)"},
			&ucli.StringFlag{Name: "days", Value: "7", Usage: "`DAYS` until nextUpdate"},
			&ucli.BoolFlag{Name: "der", Usage: "write DER instead of PEM"},
			forceFlag,
			jsonFlag,
		}, caKeyFlags()...),
		Action: runCACRL,
	}
}

func runCACRL(c *ucli.Context) error {
	dir, err := caDirArg(c, 1, 1, "DIR --out FILE [--days N]")
	if err != nil {
		return err
	}
	env := envOf(c)
	o := ca.CRLOptions{Now: env.Now(), Force: c.Bool("force"), DER: c.Bool("der")}
	if o.Days, err = daysFlag(c, "days"); err != nil {
		return err
	}
	if out := c.String("out"); out != "" && out != "-" {
		o.Out = out
	}
	switch {
	case o.Out == "" && c.Bool("json") && o.DER:
		return usageErrorf("--json carries the CRL as PEM; with --der, give --out FILE")
	case o.Out == "" && o.DER:
		if err := env.refuseBinaryToTerminal(); err != nil {
			return err
		}
		o.Writer = env.Stdout
	case o.Out == "" && !c.Bool("json"):
		o.Writer = env.Stdout
	}
	a, err := openCA(c, dir, true)
	if err != nil {
		return err
	}
	res, err := a.CRL(o)
	if err != nil {
		return caError(err)
	}
	if c.Bool("json") {
		return reported(cmp.Or(o.Out, dir), true, render.CACRLJSON(env.Stdout, res, o.Out))
	}
	if o.Out == "" {
		return nil
	}
	return reported(o.Out, true, render.CACRL(env.Stdout, res, o.Out))
}
