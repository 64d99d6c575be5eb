package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

func showCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "show",
		Usage:     "show every certificate, CSR and CRL in files, stores and directories",
		ArgsUsage: "SOURCE...",
		Description: `Full details of every certificate found: subject, issuer, serial, SANs,
key, validity and days left, basic constraints, key usage, extended key
usage, key identifiers, OCSP and CRL locations, SHA-1 and SHA-256
fingerprints. A certificate request shows its subject, requested names,
key, requested extensions and whether its signature is valid; a CRL its
issuer, this and next update, CRL number and revoked serials with dates
and reasons. A SOURCE is a PEM bundle, a DER certificate, CSR or CRL, a
JKS, JCEKS or PKCS#12 store, or a directory of these.

Names are printed as RFC 4514, as openssl -nameopt RFC2253 prints them. A
certificate that crypto/x509 refuses is shown as far as it can be read,
and what cannot be read is "unknown" (null in JSON). A damaged block of a
PEM file is a warning naming its line; the rest is still shown.

EXAMPLES:
   trustctl show root.crt
   trustctl show request.csr crl.pem
   trustctl show --cacerts --alias digicertglobalrootca
   trustctl show client.pfx --password ''

A directory that holds nothing to show (an empty one, say) is not an error:
a warning names it, as certigo dump and openssl storeutl do; a file that
holds nothing trustctl reads is.

EXIT CODES:
   0 shown (or nothing there to show); 2 a source cannot be read, or --alias
     names no entry`,
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
	opts := source.Options{Password: pw, HavePassword: havePw, KeyPassword: kp, Lenient: true, Stdin: env.Stdin}
	now := env.Now()
	doc := render.NewShownDoc()
	alias, oneAlias := c.String("alias"), c.IsSet("alias")
	for _, p := range paths {
		// One source at a time, so that a CSR or a CRL is named by the
		// source it came from.
		set, err := source.Load(p, opts)
		if err != nil {
			return storeError(c, err, havePw)
		}
		warn(env.Stderr, set.Notes...)
		for _, f := range set.Certs {
			if !oneAlias || (f.Alias != "" && store.SameAlias(f.Alias, alias)) {
				doc.AddCert(f.Origin, f.Alias, f.Details(now))
			}
		}
		if oneAlias {
			continue
		}
		if len(set.Certs)+len(set.CSRs)+len(set.CRLs) == 0 {
			// An empty directory (or a key alone) is no error, as for
			// certigo dump and openssl storeutl: said, not refused.
			warn(env.Stderr, p+": no certificate, CSR or CRL found, nothing to show")
		}
		for _, r := range set.CSRs {
			doc.AddCSR(p, certs.DescribeCSR(r))
		}
		for _, l := range set.CRLs {
			doc.AddCRL(p, certs.DescribeCRL(l))
		}
	}
	if oneAlias && len(doc.Certificates) == 0 {
		return &store.AliasError{Alias: alias}
	}
	if c.Bool("json") {
		return render.JSON(env.Stdout, doc)
	}
	return render.Shown(env.Stdout, doc, len(paths) == 1, now, env.colour())
}
