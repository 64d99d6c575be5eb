package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/safefile"
)

func caSignCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "sign",
		Usage:     "sign a CSR with the CA",
		ArgsUsage: "DIR CSR",
		Description: `Checks the CSR's signature and issues a certificate with the CSR's subject
and subject alternative names; extensions come from the profile, never from
the CSR:

   server         serverAuth; digitalSignature (+keyEncipherment for RSA);
                  needs a DNS or IP SAN (a CN that is a host name becomes one)
   client         clientAuth; digitalSignature
   server-client  both of the above
   intermediate   CA:TRUE, pathlen:0; keyCertSign, cRLSign
   codesign       codeSigning; digitalSignature

Every certificate gets subject and authority key identifiers, and the CA's
OCSP and CRL URLs when it has them. Validity is --days, or the CA's
--issue-days, capped at its --max-days and its own expiry (an explicit
--days beyond the cap is an error). Serials strictly increase and are never
reused; each certificate is recorded in DIR. Keys below RSA-2048, ECDSA
curves other than P-256/384/521, and DSA keys are refused; Ed25519 serves
every profile.

EXAMPLES:
   trustctl ca sign ./ca www.csr --profile server --out www.crt
   trustctl ca sign ./ca ./issuing/ca.csr --profile intermediate --out issuing.crt --key-password-env CA_PW

EXIT CODES:
   0 issued; 2 bad CSR, profile or validity, wrong CA passphrase (the CA directory is unchanged)`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "out", Usage: "write the certificate (PEM) to `FILE` (default: standard output)"},
			&ucli.StringFlag{Name: "profile", Value: "server", Usage: "`PROFILE`: " + strings.Join(ca.Profiles, ", ")},
			&ucli.IntFlag{Name: "days", Usage: "validity in `DAYS`", DefaultText: "the CA's --issue-days"},
			&ucli.BoolFlag{Name: "chain", Usage: "append the CA certificate after the issued one"},
			forceFlag,
		}, caKeyFlags()...),
		Action: runCASign,
	}
}

func runCASign(c *ucli.Context) error {
	if err := needArgs(c, 2, 2, "DIR CSR --out FILE [--profile P]"); err != nil {
		return err
	}
	dir, csrPath := c.Args().Get(0), c.Args().Get(1)
	profile := c.String("profile")
	if !slices.Contains(ca.Profiles, profile) {
		return usageErrorf("--profile %q: want one of %s", profile, strings.Join(ca.Profiles, ", "))
	}
	if c.Int("days") < 0 {
		return usageErrorf("--days must be positive")
	}
	out := c.String("out")
	if out != "" && !c.Bool("force") {
		if _, err := os.Stat(out); err == nil {
			return withHint(usageErrorf("%s exists", out), "--force overwrites it")
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if out != "" {
		// Before signing: a serial once issued is spent.
		if err := checkWritableDir(out); err != nil {
			return err
		}
	}
	csr, err := readCSR(csrPath)
	if err != nil {
		return err
	}
	env := envOf(c)
	a, err := openCA(c, dir, true)
	if err != nil {
		return err
	}
	iss, err := a.Sign(csr, ca.SignOptions{Profile: profile, Days: c.Int("days"), Now: env.Now()})
	if err != nil {
		return caError(err)
	}
	data := iss.PEM
	if c.Bool("chain") {
		data = append(slices.Clone(data), a.CertPEM()...)
	}
	msg := env.Stdout
	if out == "" {
		env.Stdout.Write(data)
		msg = env.Stderr
	} else if err := safefile.Write(out, data, safefile.Options{Perm: 0o644, NoOverwrite: !c.Bool("force")}); err != nil {
		return fmt.Errorf("the certificate was issued and recorded as serial %s but %s could not be written: %w (find it in %s)", certs.SerialHex(iss.Cert.SerialNumber), out, err, iss.Record.File)
	}
	fmt.Fprintf(msg, "issued serial %s to %s (%s), valid until %s\n", certs.SerialHex(iss.Cert.SerialNumber), iss.Cert.Subject, profile, iss.Cert.NotAfter.UTC().Format("2006-01-02 15:04 MST"))
	if iss.Capped {
		fmt.Fprintf(msg, "note: validity shortened to end with the CA certificate\n")
	}
	fmt.Fprintf(msg, "SHA-256 %s\n", iss.Record.SHA256)
	return nil
}
