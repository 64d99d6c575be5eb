package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

func showCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "show",
		Usage:     "show every certificate in files, stores and directories",
		ArgsUsage: "SOURCE...",
		Description: `Full details of every certificate found: subject, issuer, serial, SANs,
key, validity and days left, basic constraints, key usage, extended key
usage, key identifiers, OCSP and CRL locations, SHA-1 and SHA-256
fingerprints. A SOURCE is a PEM bundle, a DER certificate, a JKS, JCEKS or
PKCS#12 store, or a directory of these. A certificate that crypto/x509
refuses is still shown as far as it can be read.

EXAMPLES:
   trustctl show root.crt
   trustctl show --cacerts --alias digicertglobalrootca
   trustctl show client.pfx --password ''

EXIT CODES:
   0 shown; 2 a source cannot be read, or --alias names no entry`,
		Flags: append(storeFlags(true),
			&ucli.StringFlag{Name: "alias", Usage: "show only the store entry `A`"},
			jsonFlag),
		Action: runShow,
	}
}

func runShow(c *ucli.Context) error {
	env := envOf(c)
	var paths []string
	if c.Bool("cacerts") {
		p, _, err := storeArg(c, "")
		if err != nil {
			return err
		}
		paths = append(paths, p)
	}
	paths = append(paths, c.Args().Slice()...)
	if len(paths) == 0 {
		return usageErrorf("usage: trustctl show SOURCE...")
	}
	pw, havePw, err := storePassword(c)
	if err != nil {
		return err
	}
	kp, err := keyPasswordFunc(c)
	if err != nil {
		return err
	}
	set, err := source.LoadAll(paths, source.Options{Password: pw, HavePassword: havePw, KeyPassword: kp})
	if err != nil {
		return storeError(c, err, havePw)
	}
	found := set.Certs
	if a := c.String("alias"); c.IsSet("alias") {
		found = found[:0:0]
		for _, f := range set.Certs {
			if f.Alias != "" && strings.EqualFold(f.Alias, a) {
				found = append(found, f)
			}
		}
		if len(found) == 0 {
			return &store.AliasError{Alias: a}
		}
	}
	now := env.Now()
	views := make([]certView, 0, len(found))
	for _, f := range found {
		v := viewOf(f.Cert, now)
		v.Origin, v.Alias = f.Origin, f.Alias
		views = append(views, v)
	}
	if c.Bool("json") {
		return render.JSON(env.Stdout, struct {
			Certificates []certView `json:"certificates"`
		}{views})
	}
	if len(views) == 0 {
		fmt.Fprintln(env.Stdout, "no certificates found")
		return nil
	}
	var b strings.Builder
	for i, v := range views {
		if i > 0 {
			b.WriteByte('\n')
		}
		title := v.Origin
		if v.Alias == "" && len(paths) == 1 && len(views) > 1 {
			title = fmt.Sprintf("%s (%d of %d)", v.Origin, i+1, len(views))
		}
		fmt.Fprintf(&b, "%s\n", render.Colour(env.StdoutTTY, render.Bold, title))
		writeCertText(&b, v, now)
	}
	_, err = fmt.Fprint(env.Stdout, b.String())
	return err
}
