package cli

import (
	"crypto"
	"errors"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/dn"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/source"
)

func keyMatchCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "match",
		Usage:     "check that a private key belongs to a certificate (or CSR)",
		UsageText: "trustctl key match KEY CERT [--json]",
		Description: `Compares the public half of the private key in KEY with the public key of
the first certificate in CERT (PEM or DER, a bundle, or a keystore). CERT may
also be a CSR. KEY may be any key file, encrypted ones included (passphrase
from --key-password, --key-password-env, --key-password-file, or --password,
--password-env, --password-file, the same flags, or the terminal, asked only
when needed).

--json prints {"key", "cert", "of", "subject", "key_type", "cert_key_type",
"matches"}, also when they do not match (exit 1).

EXAMPLES
  Before building the PFX for .NET clients, check the pair:
    $ trustctl key match client.key client.crt
    client.key matches client.crt (CN=db_user)

  In a script:
    $ trustctl key match server.key server.crt || echo "wrong key"

EXIT CODES
  0 the key matches; 1 it does not; 2 an input cannot be read`,
		Flags:  append([]ucli.Flag{jsonFlag}, oneSecretFlags("passphrase of an encrypted KEY")...),
		Action: runKeyMatch,
	}
}

func runKeyMatch(c *ucli.Context) error {
	if c.NArg() != 2 {
		return usageErrorf("key match takes KEY and CERT, got %d arguments", c.NArg())
	}
	keyPath, certPath := c.Args().Get(0), c.Args().Get(1)
	key, err := readKeyFile(c, keyPath)
	if err != nil {
		return err
	}
	pub, what, err := readPublicKey(certPath)
	if err != nil {
		return err
	}
	env := envOf(c)
	doc := keyMatchReport{Key: keyPath, Cert: certPath, Of: whatKind(what), Subject: strings.TrimPrefix(what, "CSR "),
		KeyType: keys.Describe(key), CertKeyType: keys.Describe(pub), Matches: keys.Matches(key, pub)}
	if c.Bool("json") {
		if err := render.JSON(env.Stdout, doc); err != nil {
			return err
		}
	}
	if !doc.Matches {
		return checkFailed("%s does not match %s (%s): the key is %s, the %s's key is %s",
			keyPath, certPath, what, doc.KeyType, doc.Of, doc.CertKeyType)
	}
	if !c.Bool("json") {
		fmt.Fprintf(env.Stdout, "%s matches %s (%s)\n", keyPath, certPath, what)
	}
	return nil
}

// keyMatchReport is the --json document of key match.
type keyMatchReport struct {
	Key         string `json:"key"`
	Cert        string `json:"cert"`
	Of          string `json:"of"` // "certificate" or "CSR"
	Subject     string `json:"subject"`
	KeyType     string `json:"key_type"`
	CertKeyType string `json:"cert_key_type"`
	Matches     bool   `json:"matches"`
}

func whatKind(what string) string {
	if len(what) > 4 && what[:4] == "CSR " {
		return "CSR"
	}
	return "certificate"
}

// readKeyFile reads one private key from a key file, or from a keystore or
// bundle that holds exactly one. Like every input, the file must be a
// regular one of at most safefile.MaxSize bytes (never a FIFO or a device).
func readKeyFile(c *ucli.Context, path string) (crypto.Signer, error) {
	data, err := safefile.Read(path, safefile.MaxSize)
	if err != nil {
		return nil, err
	}
	pw, err := keyInputPassword(c)
	if err != nil {
		return nil, err
	}
	key, err := keys.Parse(data, pw.get)
	if err == nil {
		return key, nil
	}
	switch source.Sniff(data) {
	case source.PKCS12, source.JKS, source.JCEKS:
		// A keystore: its key entry, read with the key password as store password.
		opts := source.Options{KeyPassword: pw.get}
		if p, ok, _ := readSecret(c, pwKey); ok {
			opts.Password, opts.HavePassword = p, true
		}
		set, serr := source.Parse(data, path, opts)
		if serr != nil {
			return nil, fmt.Errorf("%s: %w", path, serr)
		}
		if len(set.Keys) == 1 {
			return set.Keys[0].Signer, nil
		}
		return nil, fmt.Errorf("%s holds %d private keys; extract the one to check with trustctl keystore extract", path, len(set.Keys))
	}
	return nil, keyReadError(path, data, err)
}

// readPublicKey returns the public key of the first certificate (or, when
// there is none, the first CSR) in path, and a description of it.
func readPublicKey(path string) (crypto.PublicKey, string, error) {
	set, err := source.Load(path, source.Options{})
	if err != nil {
		return nil, "", err
	}
	for _, f := range set.Certs {
		if f.X509 != nil {
			return f.X509.PublicKey, f.Subject(), nil
		}
	}
	if len(set.CSRs) > 0 {
		csr := set.CSRs[0]
		subject, ok := dn.FormatDER(csr.RawSubject)
		if !ok {
			subject = certs.Unreadable
		}
		return csr.PublicKey, "CSR " + subject, nil
	}
	if len(set.Certs) > 0 {
		return nil, "", fmt.Errorf("%s: the certificate cannot be parsed: %w", path, certErr(set.Certs[0].Cert))
	}
	return nil, "", fmt.Errorf("%s: no certificate or CSR found", path)
}

func certErr(c *certs.Cert) error {
	if c.ParseErr != nil {
		return c.ParseErr
	}
	return errors.New("unknown reason")
}
