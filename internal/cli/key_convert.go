package cli

import (
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/secret"
	"github.com/trustctl/trustctl/internal/source"
)

func keyConvertCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "convert",
		Usage:     "rewrite a private key as PKCS#8, PKCS#1 or SEC1, PEM or DER, encrypted or not",
		UsageText: "trustctl key convert IN --out OUT [--to pkcs8|pkcs1|sec1] [--der] [--encrypt|--decrypt] [--force] [--json]",
		Description: `Reads a private key in any form (PEM or DER; PKCS#8, PKCS#1, SEC1; plain,
encrypted PKCS#8, or legacy "Proc-Type: 4,ENCRYPTED" PEM) and writes it as
--to says (default pkcs8), PEM unless --der, with mode 0600. An OUT that
already holds the key in that form is left as it is and reported unchanged;
any other existing OUT is only replaced with --force. --out - writes the key
to standard output (DER is refused on a terminal).

pkcs1 holds RSA keys only and sec1 EC keys only. Only PKCS#8 is written
encrypted (PBES2: PBKDF2-HMAC-SHA-256, AES-256-CBC, as "openssl pkcs8 -topk8
-v2 aes-256-cbc"); the legacy PEM encryption of PKCS#1/SEC1 uses one round of
MD5 and is read but never written.

Passphrases: the one of an encrypted IN comes from --key-password,
--key-password-env or --key-password-file, or --password, --password-env,
--password-file, the same flags (asked on the terminal otherwise, only when
IN is encrypted). The one for --encrypt comes from --new-password,
--new-password-env or --new-password-file; without those, a plain IN takes
--key-password* (or --password*), an encrypted IN keeps its passphrase, and
a terminal asks twice.

An encrypted IN stays encrypted unless --decrypt is given; with --decrypt,
trustctl warns that the key now lies without a passphrase.

--json prints {"file", "input", "key", "form", "encrypted", "changed"}.

EXAMPLES
  The DER PKCS#8 key JDBC drivers want (like openssl pkcs8 -topk8 -outform der -nocrypt):
    $ trustctl key convert client.key --der --out client.pk8

  Back to PEM PKCS#8 (like openssl pkcs8 -topk8 -outform pem -nocrypt):
    $ trustctl key convert client.pk8 --out client.pem.pk8

  Remove the passphrase of a key a server must read unattended:
    $ trustctl key convert server.enc.key --decrypt --password-file pass.txt --out server.key

  Protect a key with a passphrase:
    $ trustctl key convert client.key --encrypt --new-password-env KEYPASS --out client.enc.key

  The traditional "RSA PRIVATE KEY" form older software reads:
    $ trustctl key convert client.key --to pkcs1 --out client.rsa.key

EXIT CODES
  0 written (or already there); 2 bad usage, unreadable key or wrong
  passphrase, or another file in the way (nothing written)`,
		Flags: append(append([]ucli.Flag{
			&ucli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the key to `FILE` (- for standard output)", Required: true},
			&ucli.StringFlag{Name: "to", Value: "pkcs8", Usage: "key `FORMAT`: pkcs8|pkcs1 (RSA)|sec1 (EC)"},
			&ucli.BoolFlag{Name: "der", Usage: "write DER instead of PEM"},
			&ucli.BoolFlag{Name: "encrypt", Usage: "write the key encrypted (PKCS#8 only)"},
			&ucli.BoolFlag{Name: "decrypt", Usage: "write the key without encryption"},
			forceFlag,
			jsonFlag,
		}, oneSecretFlags("passphrase of the input key (of --encrypt for a plain one)")...), secretFlags(pwNew, "passphrase for --encrypt")...),
		Action: runKeyConvert,
	}
}

func runKeyConvert(c *ucli.Context) error {
	if c.NArg() != 1 {
		return usageErrorf("key convert takes one input key file, got %d arguments", c.NArg())
	}
	in, out, force := c.Args().First(), c.String("out"), c.Bool("force")
	to, err := keys.ParseFormat(c.String("to"))
	if err != nil {
		return usageErrorf("--to %s: want pkcs8, pkcs1 or sec1", c.String("to"))
	}
	enc, dec, der := c.Bool("encrypt"), c.Bool("decrypt"), c.Bool("der")
	switch {
	case enc && dec:
		return usageErrorf("--encrypt and --decrypt exclude each other")
	case enc && to != keys.PKCS8:
		return withHint(usageErrorf("--encrypt writes PKCS#8 only, not %s", to),
			"drop --to to write encrypted PKCS#8, which openssl and the JDK read")
	case secretGiven(c, pwNew) && !enc:
		return usageErrorf("--new-password is for --encrypt; add --encrypt")
	}
	if err := checkKeyOut(c, out); err != nil {
		return err
	}
	old, exists, err := existingFile(out, force)
	if err != nil {
		return err
	}
	if exists && old == nil {
		return existsError(out) // not a regular file: nothing to compare
	}

	data, err := readInput(c, in)
	if err != nil {
		return err
	}
	name := inputName(in)
	inPw, err := keyInputPassword(c)
	if err != nil {
		return err
	}
	key, info, err := keys.ParseInfo(data, inPw.get)
	if err != nil {
		return keyReadError(name, data, err)
	}
	if info.Encrypted && !enc && !dec {
		if to != keys.PKCS8 {
			return withHint(usageErrorf("%s is encrypted and %s cannot be written encrypted", name, to),
				"add --decrypt to write it without a passphrase")
		}
		enc = true // never drop a passphrase silently
	}
	opts := keys.EncodeOptions{Format: to, DER: der}
	if enc {
		switch {
		case secretGiven(c, pwNew):
			opts.Password, _, err = readSecret(c, pwNew)
		case info.Encrypted: // keep the passphrase it had
			opts.Password = inPw.pw
		case secretGiven(c, pwKey):
			opts.Password, _, err = readSecret(c, pwKey)
		default:
			opts.Password, err = newPassphrase(c, pwNew, "converted key")
		}
		if err != nil {
			return err
		}
	}
	rep := render.KeyDoc{File: out, Input: in, Key: keys.Describe(key), Form: render.KeyForm(to, der, enc), Encrypted: enc}
	if exists {
		if keys.Holds(old, key, opts) {
			return render.KeyReport(envOf(c).Stdout, rep, c.Bool("json"))
		}
		return existsError(out)
	}
	outData, err := keys.Encode(key, opts)
	if err != nil {
		var fe *keys.FormatError
		if errors.As(err, &fe) {
			return withHint(usageErrorf("%s: %v", name, err), "use --to pkcs8, which holds every key type")
		}
		return err
	}
	if err := writeKeyFile(envOf(c), out, outData, force); err != nil {
		return err
	}
	if info.Encrypted && !enc {
		// --decrypt did what it says; still, a key that was protected no
		// longer is, and people should know where it now lies in the clear.
		where := out
		if out == "-" {
			where = "standard output"
		}
		warn(envOf(c).Stderr, fmt.Sprintf("the key is written to %s without a passphrase (%s was encrypted)", where, name))
	}
	rep.Changed = true
	return reported(out, true, render.KeyReport(envOf(c).Stdout, rep, c.Bool("json")))
}

// lazyKeyPassword asks for the input key's passphrase only when the key
// turns out to be encrypted, and remembers it.
type lazyKeyPassword struct {
	ask func() ([]byte, error)
	pw  []byte
}

func (l *lazyKeyPassword) get() ([]byte, error) {
	pw, err := l.ask()
	l.pw = pw
	return pw, err
}

func keyInputPassword(c *ucli.Context) (*lazyKeyPassword, error) {
	// Flag conflicts are usage errors before anything is read.
	if _, _, err := readSecret(c, pwKey); err != nil {
		return nil, err
	}
	return &lazyKeyPassword{ask: lazySecret(c, pwKey, "Passphrase of the key")}, nil
}

// keyReadError turns a key parsing error into one line with a hint.
func keyReadError(path string, data []byte, err error) error {
	err = fmt.Errorf("%s: %w", path, err)
	switch {
	case errors.Is(err, secret.ErrWrongPassword):
		return withHint(err, "give the key's passphrase with --key-password, --key-password-env or --key-password-file")
	case errors.Is(err, keys.ErrNoKey):
		switch source.Sniff(data) {
		case source.PKCS12, source.JKS, source.JCEKS:
			return withHint(fmt.Errorf("%s is a keystore, not a key file", path), "take the key out with: trustctl keystore extract "+path+" --out-dir DIR")
		}
	}
	var ce *keys.CorruptError
	if errors.As(err, &ce) {
		switch source.Sniff(data) {
		case source.PKCS12, source.JKS, source.JCEKS:
			return withHint(fmt.Errorf("%s is a keystore, not a key file", path), "take the key out with: trustctl keystore extract "+path+" --out-dir DIR")
		}
	}
	return err
}
