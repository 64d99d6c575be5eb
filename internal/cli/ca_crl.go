package cli

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/pemfile"
	"github.com/trustctl/trustctl/internal/safefile"
)

func caCRLCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "crl",
		Usage:     "write a signed CRL",
		ArgsUsage: "DIR",
		Description: `Signs a CRL listing every revoked certificate of the CA (including those
below the minimum serial), with the next CRL number and a nextUpdate --days
ahead. PEM by default, DER with --der.

EXAMPLES:
   trustctl ca crl ./ca --out ca.crl --days 7
   openssl crl -in ca.crl -CAfile ca/ca.crt -verify -noout

EXIT CODES:
   0 written; 2 wrong CA passphrase or bad usage`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "out", Usage: "write the CRL to `FILE` (default: standard output)"},
			&ucli.IntFlag{Name: "days", Value: 7, Usage: "`DAYS` until nextUpdate"},
			&ucli.BoolFlag{Name: "der", Usage: "write DER instead of PEM"},
			forceFlag,
		}, caKeyFlags()...),
		Action: runCACRL,
	}
}

func runCACRL(c *ucli.Context) error {
	dir, err := caDirArg(c, 1, 1, "DIR --out FILE [--days N]")
	if err != nil {
		return err
	}
	if c.Int("days") <= 0 {
		return usageErrorf("--days must be positive")
	}
	env := envOf(c)
	out := c.String("out")
	if out == "" && c.Bool("der") {
		if err := env.refuseBinaryToTerminal(); err != nil {
			return err
		}
	}
	if out != "" && !c.Bool("force") {
		if _, err := os.Stat(out); err == nil {
			// A CRL is public and replaced on every run; overwriting it is
			// the point, but only a CRL.
			if data, rerr := os.ReadFile(out); rerr != nil || !isCRL(data) {
				return withHint(usageErrorf("%s exists and is not a CRL", out), "--force overwrites it")
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	a, err := openCA(c, dir, true)
	if err != nil {
		return err
	}
	der, err := a.CRL(ca.CRLOptions{Days: c.Int("days"), Now: env.Now()})
	if err != nil {
		return err
	}
	data := der
	if !c.Bool("der") {
		data = pemfile.Encode("X509 CRL", der)
	}
	if out == "" {
		_, err := env.Stdout.Write(data)
		return err
	}
	if err := safefile.Write(out, data, safefile.Options{Perm: 0o644}); err != nil {
		return err
	}
	crl, _ := x509.ParseRevocationList(der)
	fmt.Fprintf(env.Stdout, "wrote CRL number %s with %d revoked certificate(s) to %s, next update %s\n", crl.Number, len(crl.RevokedCertificateEntries), out, crl.NextUpdate.UTC().Format("2006-01-02 15:04 MST"))
	return nil
}

func isCRL(data []byte) bool {
	if pemfile.LooksLikePEM(data) {
		blocks, err := pemfile.Decode(data)
		return err == nil && len(blocks) > 0 && blocks[0].Type == "X509 CRL"
	}
	_, err := x509.ParseRevocationList(data)
	return err == nil
}
