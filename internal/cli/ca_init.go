package cli

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/dn"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/safefile"
)

func caInitCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "init",
		Usage:     "create a CA in a directory",
		ArgsUsage: "DIR",
		Description: `Creates a CA in DIR: ca.key (mode 0600, PKCS#8; encrypted with AES-256
when a passphrase is given), ca.crt (self-signed, basicConstraints
CA:TRUE critical, keyUsage keyCertSign and cRLSign critical, a subject key
identifier), ca.json (settings), a serial counter and the record of what it
issues. The default key type is ec256 (ECDSA P-256); rsa3072 suits clients
that only know RSA. Numbers of days may be written 90, 90d or 2160h.

The key's passphrase comes from --key-password, --key-password-env or
--key-password-file, or from --password, --password-env or --password-file:
the same flags, as for every command that needs one secret. Without one the
key is written unencrypted.

--csr-only makes the key and DIR/ca.csr instead, for a parent CA to sign as
an intermediate; "ca init DIR --cert SIGNED.pem" then completes it (the
certificate must match the key and be a CA certificate; completing again
with the same certificate changes nothing). --issue-days, --max-days,
--ocsp-url and --crl-url may be given to either step: those given with
--cert replace what --csr-only wrote, the others are kept, and the report
shows the settings in force. Changing them on a CA that holds that very
certificate already needs --force. --days and --pathlen are refused with
--csr-only and --cert: the parent chooses them when it signs. --from-key and
--from-cert adopt an existing CA (checked to match).

An existing CA is refused unless --force, which replaces the key, the
certificate and the settings as one step (a kill leaves the old CA or the
new one, never a mix) but keeps the serial counter and the records, so
serials are never reused.

EXAMPLES:
   trustctl ca init ./ca --subject 'CN=Acme Root,O=Acme Corp,C=US' --days 3650 --issue-days 398 --max-days 825
   trustctl ca init ./pki --subject 'CN=Documentation Test CA' --password-file ca-password.txt
   trustctl ca init ./issuing --subject 'CN=Acme Issuing CA' --csr-only
   trustctl ca sign ./ca ./issuing/ca.csr --profile intermediate --out issuing.crt
   trustctl ca init ./issuing --cert issuing.crt

EXIT CODES:
   0 created; 2 bad usage, a CA already there, a key and certificate that do not match`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "subject", Usage: "the CA's `DN` (RFC 4514 or /C=US/O=.../CN=...)"},
			&ucli.StringFlag{Name: "key-type", Value: ca.DefaultKeyType, Usage: "`TYPE` of the CA key: " + strings.Join(keys.Kinds, ", ")},
			&ucli.StringFlag{Name: "days", Value: "3650", Usage: "validity of the CA certificate in `DAYS`"},
			&ucli.IntFlag{Name: "pathlen", Value: -1, Usage: "basicConstraints pathLenConstraint `N` (-1: none)"},
			&ucli.StringFlag{Name: "issue-days", Value: "365", Usage: "default validity in `DAYS` of what the CA signs (at most --max-days)"},
			&ucli.StringFlag{Name: "max-days", Usage: "hard cap in `DAYS` on what the CA signs (default: only the CA's own expiry)"},
			&ucli.StringFlag{Name: "ocsp-url", Usage: "OCSP responder `URL` written into what the CA signs"},
			&ucli.StringFlag{Name: "crl-url", Usage: "CRL distribution point `URL` written into what the CA signs"},
			&ucli.BoolFlag{Name: "csr-only", Usage: "make the key and DIR/ca.csr for a parent CA to sign"},
			&ucli.StringFlag{Name: "cert", Usage: "complete a --csr-only CA with the certificate its parent signed (`FILE`)"},
			&ucli.StringFlag{Name: "from-key", Usage: "adopt an existing CA: its key `FILE`"},
			&ucli.StringFlag{Name: "from-cert", Usage: "adopt an existing CA: its certificate `FILE`"},
			&ucli.BoolFlag{Name: "force", Usage: "replace an existing CA, keeping its serial counter and records (with --cert: change its settings)"},
			jsonFlag,
		}, caKeyFlags()...),
		Action: runCAInit,
	}
}

func runCAInit(c *ucli.Context) error {
	dir, err := caDirArg(c, 1, 1, "DIR --subject DN")
	if err != nil {
		return err
	}
	o, err := caInitOptions(c)
	if err != nil {
		return err
	}
	pw, havePW, ask, err := caPassword(c)
	if err != nil {
		return err
	}
	doc := render.CAInitDoc{Changed: true, Dir: dir}
	var a *ca.CA
	switch {
	case c.IsSet("cert"):
		cert, err := readFirstCert(c.String("cert"))
		if err != nil {
			return err
		}
		var done ca.Completion
		a, done, err = ca.Complete(dir, cert.Raw, ca.CompleteOptions{Password: ask, Settings: completeSettings(c, o), Force: o.Force, Now: o.Now})
		if err != nil {
			return completeError(err)
		}
		doc.Action, doc.Changed = "completed", done.Changed()
		doc.Installed, doc.SettingsChanged = done.Cert, done.Settings
		doc.Settings = &a.Config
	default:
		if havePW {
			o.KeyPassword = pw
		}
		o.AskPassword = ask
		if c.IsSet("from-key") {
			if o.KeyPEM, err = readInput(c, c.String("from-key")); err != nil {
				return err
			}
			if o.Cert, err = readFirstCert(c.String("from-cert")); err != nil {
				return err
			}
		}
		if a, err = ca.Init(dir, o); err != nil {
			return caError(err)
		}
		doc.Action = "created"
		if a.Replaced != nil {
			doc.Action, doc.Replaced = "replaced", certs.FromX509(a.Replaced).Subject()
		}
		if o.CSROnly {
			doc.Action, doc.CSR = "csr", filepath.Join(dir, ca.CSRFile)
		}
	}
	if a.Cert != nil {
		doc.CA = render.NewCACertDoc(a.Cert)
	}
	env := envOf(c)
	if c.Bool("json") {
		return reported(dir, doc.Changed, render.JSON(env.Stdout, doc))
	}
	return reported(dir, doc.Changed, render.CAInit(env.Stdout, doc, filepath.Join(dir, ca.KeyFile)))
}

// caInitOptions checks the flag combinations, before anything is read or
// written, and turns the flags into options.
func caInitOptions(c *ucli.Context) (ca.InitOptions, error) {
	var o ca.InitOptions
	adopt := c.IsSet("from-key") || c.IsSet("from-cert")
	switch {
	case c.IsSet("cert") && (adopt || c.Bool("csr-only") || c.IsSet("subject")):
		return o, usageErrorf("--cert completes a --csr-only CA; it takes no --subject, --csr-only, --from-key or --from-cert")
	case (c.IsSet("cert") || c.Bool("csr-only")) && c.IsSet("days"):
		return o, usageErrorf("--days cannot apply to %s: the parent CA chooses the validity of the certificate it signs (ca sign PARENT DIR/ca.csr --profile intermediate --days N)", caInitMode(c))
	case (c.IsSet("cert") || c.Bool("csr-only")) && c.IsSet("pathlen"):
		return o, usageErrorf("--pathlen cannot apply to %s: the parent CA sets the path length of the certificate it signs (pathlen 0 under --profile intermediate)", caInitMode(c))
	case c.IsSet("cert") && c.IsSet("key-type"):
		return o, usageErrorf("--key-type cannot apply to --cert: the key was made by ca init --csr-only")
	case adopt && !(c.IsSet("from-key") && c.IsSet("from-cert")):
		return o, usageErrorf("adopting a CA needs both --from-key and --from-cert")
	case c.String("from-key") == safefile.Stdin && c.String("from-cert") == safefile.Stdin:
		return o, usageErrorf("ca init reads at most one of --from-key and --from-cert from standard input (-)")
	case adopt && (c.Bool("csr-only") || c.IsSet("subject") || c.IsSet("key-type")):
		return o, usageErrorf("--from-key/--from-cert adopt a CA as it is; drop --subject, --key-type and --csr-only")
	case !adopt && !c.IsSet("cert") && !c.IsSet("subject"):
		return o, usageErrorf("ca init needs --subject DN (e.g. --subject 'CN=Acme Root,O=Acme Corp,C=US')")
	case c.IsSet("key-type") && !slices.Contains(keys.Kinds, strings.ToLower(c.String("key-type"))):
		return o, usageErrorf("--key-type %q: want one of %s", c.String("key-type"), strings.Join(keys.Kinds, ", "))
	case c.Int("pathlen") < -1 || c.Int("pathlen") > ca.MaxPathLen:
		return o, usageErrorf("--pathlen %d: want -1 (no limit) or 0 to %d", c.Int("pathlen"), ca.MaxPathLen)
	}
	var err error
	if o.Days, err = daysFlag(c, "days"); err != nil {
		return o, err
	}
	if o.Config.IssueDays, err = daysFlag(c, "issue-days"); err != nil {
		return o, err
	}
	if c.IsSet("max-days") {
		if o.Config.MaxDays, err = daysFlag(c, "max-days"); err != nil {
			return o, err
		}
		// Without --issue-days, what the CA signs lasts as long as the cap
		// allows, up to the usual 365 days.
		if !c.IsSet("issue-days") {
			o.Config.IssueDays = min(o.Config.IssueDays, o.Config.MaxDays)
		}
		// Completing with --cert holds them against ca.json instead, which
		// keeps what --csr-only was given.
		if o.Config.IssueDays > o.Config.MaxDays && (!c.IsSet("cert") || c.IsSet("issue-days")) {
			return o, usageErrorf("--issue-days %d is beyond --max-days %d", o.Config.IssueDays, o.Config.MaxDays)
		}
	}
	if c.IsSet("subject") {
		if o.Subject, err = dn.Parse(c.String("subject")); err != nil {
			return o, usageErrorf("--subject: %v", err)
		}
		if len(o.Subject.ExtraNames) == 0 {
			return o, usageErrorf("--subject is empty; give a DN such as 'CN=Acme Root,O=Acme Corp,C=US'")
		}
	}
	o.KeyType = strings.ToLower(c.String("key-type"))
	o.PathLen = c.Int("pathlen")
	o.Config.OCSPURL, o.Config.CRLURL = c.String("ocsp-url"), c.String("crl-url")
	o.CSROnly, o.Force = c.Bool("csr-only"), c.Bool("force")
	o.Now = envOf(c).Now()
	return o, nil
}

// caInitMode names the form of ca init that c runs, for messages.
func caInitMode(c *ucli.Context) string {
	if c.IsSet("cert") {
		return "--cert"
	}
	return "--csr-only"
}

// completeSettings are the settings ca init --cert was given; the others
// stay as ca.json holds them.
func completeSettings(c *ucli.Context, o ca.InitOptions) ca.Settings {
	var s ca.Settings
	if c.IsSet("issue-days") {
		s.IssueDays = &o.Config.IssueDays
	}
	if c.IsSet("max-days") {
		s.MaxDays = &o.Config.MaxDays
	}
	if c.IsSet("ocsp-url") {
		s.OCSPURL = &o.Config.OCSPURL
	}
	if c.IsSet("crl-url") {
		s.CRLURL = &o.Config.CRLURL
	}
	return s
}

// completeError gives the errors of ca init --cert their hints.
func completeError(err error) error {
	switch {
	case errors.Is(err, ca.ErrSettingsDiffer):
		return withHint(err, "--force changes the settings given; the key, the certificate and the records stay")
	case errors.Is(err, ca.ErrExists):
		return withHint(err, "--cert completes a CA made by ca init --csr-only (again with the same certificate, it changes only the settings given); another certificate for its key is adopted with ca init DIR --from-key DIR/ca.key --from-cert FILE --force")
	case errors.Is(err, ca.ErrValidity):
		return withHint(err, "ca.json keeps the settings given with --csr-only; give --issue-days and --max-days together")
	}
	return caError(err)
}
