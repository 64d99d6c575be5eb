package cli

import (
	"crypto"
	"errors"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
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
when needed). A keystore given as KEY or CERT opens with that same password.

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
	if keyPath == safefile.Stdin && certPath == safefile.Stdin {
		return usageErrorf("key match reads at most one of KEY and CERT from standard input (-)")
	}
	key, err := readKeyFile(c, keyPath)
	if err != nil {
		return err
	}
	// A keystore given as CERT opens with the one password of the
	// command, as a keystore given as KEY does.
	pw, ok, err := readSecret(c, pwKey)
	if err != nil {
		return err
	}
	pub, what, err := source.LoadPublicKey(certPath, source.Options{Password: pw, HavePassword: ok, Stdin: envOf(c).Stdin})
	switch {
	case errors.As(err, new(*store.NeedPasswordError)):
		return withHint(err, "pass the keystore's password with --password, --password-env NAME or --password-file PATH")
	case err != nil:
		return err
	}
	doc := render.KeyMatchDoc{Key: keyPath, Cert: certPath, Of: whatKind(what), Subject: strings.TrimPrefix(what, "CSR "),
		KeyType: keys.Describe(key), CertKeyType: keys.Describe(pub), Matches: keys.Matches(key, pub)}
	// Text names standard input as such; the JSON document keeps "-".
	keyName, certName := inputName(keyPath), inputName(certPath)
	shown := doc
	if !c.Bool("json") {
		shown.Key, shown.Cert = keyName, certName
	}
	if err := render.KeyMatch(envOf(c).Stdout, shown, what, c.Bool("json")); err != nil {
		return err
	}
	switch {
	case doc.Matches:
	case doc.KeyType == doc.CertKeyType:
		return checkFailed("%s does not match %s (%s): both are %s, but not the same key",
			keyName, certName, what, doc.KeyType)
	default:
		return checkFailed("%s does not match %s (%s): the key is %s, the %s's key is %s",
			keyName, certName, what, doc.KeyType, doc.Of, doc.CertKeyType)
	}
	return nil
}

// whatKind says what source.LoadPublicKey described: a CSR or a certificate.
func whatKind(what string) string {
	if len(what) > 4 && what[:4] == "CSR " {
		return "CSR"
	}
	return "certificate"
}

// readKeyFile reads one private key from a key file, or from a keystore or
// bundle that holds exactly one (see source.ParseKey), with the
// passphrases of the --key-password family. Like every input, the file
// must be a regular one of at most safefile.MaxSize bytes (never a FIFO
// or a device); "-" is standard input.
func readKeyFile(c *ucli.Context, path string) (crypto.Signer, error) {
	data, err := readInput(c, path)
	if err != nil {
		return nil, err
	}
	path = inputName(path)
	// The --key-password family, read once. A keystore is opened with it
	// as its store password; without it, the passphrase is asked for only
	// if the key turns out to be encrypted.
	pw, ok, err := readSecret(c, pwKey)
	if err != nil {
		return nil, err
	}
	opts := source.Options{Password: pw, HavePassword: ok, KeyPassword: func() ([]byte, error) { return pw, nil }}
	if !ok {
		opts.KeyPassword = lazySecret(c, pwKey, "Passphrase of the key")
	}
	key, err := source.ParseKey(data, path, opts)
	var ke *source.KeyFileError
	if errors.As(err, &ke) {
		return nil, keyReadError(path, data, ke.Err)
	}
	return key, err
}
