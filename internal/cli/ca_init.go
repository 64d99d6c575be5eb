package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/dn"
	"github.com/trustctl/trustctl/internal/keys"
)

func caInitCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "init",
		Usage:     "create a CA in a directory",
		ArgsUsage: "DIR",
		Description: `Creates a CA in DIR: ca.key (mode 0600, PKCS#8; encrypted with AES-256
when a --key-password* flag is given), ca.crt (self-signed, basicConstraints
CA:TRUE critical, keyUsage keyCertSign and cRLSign critical, a subject key
identifier), ca.json (settings), a serial counter and the index of what it
issues. The default key type is ec256 (ECDSA P-256); rsa3072 suits clients
that only know RSA.

--csr-only makes the key and DIR/ca.csr instead, for a parent CA to sign as
an intermediate; "ca init DIR --cert SIGNED.pem" then completes it (the
certificate must match the key and be a CA certificate). --from-key and
--from-cert adopt an existing CA (checked to match).

An existing CA is refused unless --force, which replaces the key and
certificate but keeps the serial counter and the records, so serials are
never reused.

EXAMPLES:
   trustctl ca init ./ca --subject 'CN=Acme Root,O=Acme Corp,C=US' --days 3650 --issue-days 398 --max-days 825
   trustctl ca init ./issuing --subject 'CN=Acme Issuing CA' --csr-only
   trustctl ca sign ./ca ./issuing/ca.csr --profile intermediate --out issuing.crt
   trustctl ca init ./issuing --cert issuing.crt

EXIT CODES:
   0 created; 2 bad usage, a CA already there, a key and certificate that do not match`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "subject", Usage: "the CA's `DN` (RFC 4514 or /C=US/O=.../CN=...)"},
			&ucli.StringFlag{Name: "key-type", Value: ca.DefaultKeyType, Usage: "`TYPE` of the CA key: " + strings.Join(keys.Kinds, ", ")},
			&ucli.IntFlag{Name: "days", Value: 3650, Usage: "validity of the CA certificate in `DAYS`"},
			&ucli.IntFlag{Name: "pathlen", Value: -1, Usage: "basicConstraints pathLenConstraint `N` (-1: none)"},
			&ucli.IntFlag{Name: "issue-days", Value: 365, Usage: "default validity in `DAYS` of what the CA signs"},
			&ucli.IntFlag{Name: "max-days", Usage: "hard cap in `DAYS` on what the CA signs (0: only the CA's own expiry)"},
			&ucli.StringFlag{Name: "ocsp-url", Usage: "OCSP responder `URL` written into what the CA signs"},
			&ucli.StringFlag{Name: "crl-url", Usage: "CRL distribution point `URL` written into what the CA signs"},
			&ucli.BoolFlag{Name: "csr-only", Usage: "make the key and DIR/ca.csr for a parent CA to sign"},
			&ucli.StringFlag{Name: "cert", Usage: "complete a --csr-only CA with the certificate its parent signed (`FILE`)"},
			&ucli.StringFlag{Name: "from-key", Usage: "adopt an existing CA: its key `FILE`"},
			&ucli.StringFlag{Name: "from-cert", Usage: "adopt an existing CA: its certificate `FILE`"},
			&ucli.BoolFlag{Name: "force", Usage: "replace an existing CA, keeping its serial counter and records"},
		}, caKeyFlags()...),
		Action: runCAInit,
	}
}

func runCAInit(c *ucli.Context) error {
	dir, err := caDirArg(c, 1, 1, "DIR --subject DN")
	if err != nil {
		return err
	}
	// Flag combinations first, before touching anything.
	adopt := c.IsSet("from-key") || c.IsSet("from-cert")
	switch {
	case c.IsSet("cert") && (adopt || c.Bool("csr-only") || c.IsSet("subject")):
		return usageErrorf("--cert completes a --csr-only CA; it takes no --subject, --csr-only, --from-key or --from-cert")
	case adopt && !(c.IsSet("from-key") && c.IsSet("from-cert")):
		return usageErrorf("adopting a CA needs both --from-key and --from-cert")
	case adopt && (c.Bool("csr-only") || c.IsSet("subject") || c.IsSet("key-type")):
		return usageErrorf("--from-key/--from-cert adopt a CA as it is; drop --subject, --key-type and --csr-only")
	case !adopt && !c.IsSet("cert") && !c.IsSet("subject"):
		return usageErrorf("ca init needs --subject DN (e.g. --subject 'CN=Acme Root,O=Acme Corp,C=US')")
	case c.Int("days") <= 0 || c.Int("issue-days") <= 0 || c.Int("max-days") < 0:
		return usageErrorf("--days and --issue-days must be positive, --max-days not negative")
	case c.IsSet("max-days") && c.Int("max-days") > 0 && c.Int("issue-days") > c.Int("max-days"):
		return usageErrorf("--issue-days %d is beyond --max-days %d", c.Int("issue-days"), c.Int("max-days"))
	case c.IsSet("key-type") && !slices.Contains(keys.Kinds, strings.ToLower(c.String("key-type"))):
		return usageErrorf("--key-type %q: want one of %s", c.String("key-type"), strings.Join(keys.Kinds, ", "))
	}
	env := envOf(c)
	pw, havePW, err := readSecret(c, pwKey)
	if err != nil {
		return err
	}
	askPW := lazySecret(c, pwKey, "CA key passphrase")
	if havePW {
		askPW = func() ([]byte, error) { return pw, nil }
	}

	if c.IsSet("cert") {
		cert, err := readFirstCert(c.String("cert"))
		if err != nil {
			return err
		}
		a, err := ca.Complete(dir, cert.Raw, askPW)
		if err != nil {
			return caError(err)
		}
		fmt.Fprintf(env.Stdout, "completed CA %s in %s\n", a.Cert.Subject, dir)
		fmt.Fprintf(env.Stdout, "issuer   %s\nSHA-256  %s\n", a.Cert.Issuer, certs.FromX509(a.Cert).SHA256Hex())
		return nil
	}

	o := ca.InitOptions{
		KeyType: strings.ToLower(c.String("key-type")),
		Days:    c.Int("days"),
		PathLen: c.Int("pathlen"),
		Config: ca.Config{
			IssueDays: c.Int("issue-days"),
			MaxDays:   c.Int("max-days"),
			OCSPURL:   c.String("ocsp-url"),
			CRLURL:    c.String("crl-url"),
		},
		CSROnly: c.Bool("csr-only"),
		Force:   c.Bool("force"),
		Now:     env.Now(),
	}
	if havePW {
		o.KeyPassword = pw
	}
	if adopt {
		data, err := os.ReadFile(c.String("from-key"))
		if err != nil {
			return err
		}
		key, err := keys.Parse(data, askPW)
		if err != nil {
			return caError(fmt.Errorf("%s: %w", c.String("from-key"), err))
		}
		cert, err := readFirstCert(c.String("from-cert"))
		if err != nil {
			return err
		}
		o.Key, o.Cert = key, cert
		if !havePW && keys.Matches(key, cert.PublicKey) {
			// An encrypted key stays encrypted: reuse the passphrase asked for.
			if p, err := askPWIfAsked(data, askPW); err == nil && p != nil {
				o.KeyPassword = p
			}
		}
	} else {
		o.Subject, err = dn.Parse(c.String("subject"))
		if err != nil {
			return usageErrorf("--subject: %v", err)
		}
		if len(o.Subject.ExtraNames) == 0 {
			return usageErrorf("--subject is empty; give a DN such as 'CN=Acme Root,O=Acme Corp,C=US'")
		}
	}
	a, err := ca.Init(dir, o)
	if err != nil {
		return caError(err)
	}
	if o.CSROnly {
		fmt.Fprintf(env.Stdout, "wrote %s and %s\n", filepath.Join(dir, ca.KeyFile), filepath.Join(dir, ca.CSRFile))
		fmt.Fprintf(env.Stdout, "next: have the parent sign it (trustctl ca sign PARENT %s --profile intermediate --out signed.crt),\n      then: trustctl ca init %s --cert signed.crt\n", filepath.Join(dir, ca.CSRFile), dir)
		return nil
	}
	pc := certs.FromX509(a.Cert)
	fmt.Fprintf(env.Stdout, "created CA %s in %s\n", a.Cert.Subject, dir)
	fmt.Fprintf(env.Stdout, "valid    %s to %s\nSHA-1    %s\nSHA-256  %s\n",
		a.Cert.NotBefore.UTC().Format("2006-01-02"), a.Cert.NotAfter.UTC().Format("2006-01-02"), pc.SHA1Hex(), pc.SHA256Hex())
	return nil
}

// askPWIfAsked returns the passphrase of an encrypted PEM key (asked for
// already while parsing it), so the adopted key is written encrypted too.
func askPWIfAsked(keyData []byte, ask func() ([]byte, error)) ([]byte, error) {
	if !strings.Contains(string(keyData), "ENCRYPTED") {
		return nil, nil
	}
	return ask()
}
