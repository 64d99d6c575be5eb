package cli

import (
	"fmt"
	"time"

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

// caCRLDoc is the JSON of ca crl.
type caCRLDoc struct {
	Changed    bool   `json:"changed"`
	Number     string `json:"crl_number"`
	Revoked    int    `json:"revoked"`
	ThisUpdate string `json:"this_update"`
	NextUpdate string `json:"next_update"`
	Out        string `json:"out,omitempty"`
	PEM        string `json:"pem,omitempty"`
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
	doc := caCRLDoc{Changed: true, Number: res.CRL.Number.String(), Revoked: len(res.CRL.RevokedCertificateEntries),
		ThisUpdate: res.CRL.ThisUpdate.UTC().Format(time.RFC3339), NextUpdate: res.CRL.NextUpdate.UTC().Format(time.RFC3339), Out: o.Out}
	if c.Bool("json") {
		if o.Out == "" {
			doc.PEM = string(res.Data)
		}
		return render.JSON(env.Stdout, doc)
	}
	if o.Out == "" {
		return nil
	}
	fmt.Fprintf(env.Stdout, "wrote CRL number %s with %d revoked certificate(s) to %s, next update %s\n", doc.Number, doc.Revoked, o.Out, res.CRL.NextUpdate.UTC().Format("2006-01-02 15:04 MST"))
	return nil
}
