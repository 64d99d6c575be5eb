package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/safefile"
)

// defaultKeyType is what `key gen` makes without --type: ECDSA P-256 is
// small, fast, and accepted by every TLS stack and JDK in use (JDK 7+),
// as mkcert and smallstep default to it too.
const defaultKeyType = "ec256"

func keyGenCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "gen",
		Usage:     "generate a private key",
		UsageText: "trustctl key gen --out KEY [--type TYPE] [--encrypt] [--der] [--force]",
		Description: `Generates a private key and writes it as PKCS#8 (PEM unless --der) with
mode 0600. An existing file is never replaced without --force.

--type is one of rsa2048, rsa3072, rsa4096, ec256 (ECDSA P-256, the default),
ec384 (ECDSA P-384) or ed25519.

--encrypt protects the key with a passphrase (PKCS#8 PBES2: PBKDF2-HMAC-SHA-256
and AES-256-CBC, as "openssl pkcs8 -topk8 -v2 aes-256-cbc" writes). The
passphrase comes from --key-password, --key-password-env or --key-password-file,
or is asked twice on the terminal.

EXAMPLES
  Make the key of a PostgreSQL server (then: trustctl csr):
    $ trustctl key gen --type rsa2048 --out server.key

  A passphrase-protected ECDSA P-384 key, the passphrase from the environment:
    $ KEYPASS=... trustctl key gen --type ec384 --encrypt --key-password-env KEYPASS --out signing.key

  The DER PKCS#8 form JDBC drivers read (sslkey=client.pk8):
    $ trustctl key gen --der --out client.pk8

EXIT CODES
  0 the key was written; 2 bad usage or the file exists (nothing written)`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the key to `FILE` (- for standard output)", Required: true},
			&ucli.StringFlag{Name: "type", Value: defaultKeyType, Usage: "key `TYPE`: " + strings.Join(keys.Kinds, "|")},
			&ucli.BoolFlag{Name: "encrypt", Usage: "protect the key with a passphrase (encrypted PKCS#8)"},
			&ucli.BoolFlag{Name: "der", Usage: "write DER instead of PEM"},
			forceFlag,
		}, secretFlags(pwKey, "passphrase of the new key")...),
		Action: runKeyGen,
	}
}

func runKeyGen(c *ucli.Context) error {
	if c.NArg() > 0 {
		return usageErrorf("key gen takes no arguments (got %q); the file goes in --out", c.Args().First())
	}
	kind := strings.ToLower(c.String("type"))
	if !validKind(kind) {
		return usageErrorf("--type %s: want one of %s", c.String("type"), strings.Join(keys.Kinds, ", "))
	}
	if secretGiven(c, pwKey) && !c.Bool("encrypt") {
		return usageErrorf("--key-password is given but not --encrypt: add --encrypt to protect the key")
	}
	out := c.String("out")
	env := envOf(c)
	if c.Bool("der") && out == "-" {
		if err := env.refuseBinaryToTerminal(); err != nil {
			return err
		}
	}
	if err := checkNewKeyFile(out, c.Bool("force")); err != nil {
		return err
	}
	var pw []byte
	if c.Bool("encrypt") {
		var err error
		if pw, err = newPassphrase(c, pwKey, "new key"); err != nil {
			return err
		}
	}
	key, err := keys.Generate(kind)
	if err != nil {
		return err
	}
	data, err := keys.Encode(key, keys.EncodeOptions{Format: keys.PKCS8, DER: c.Bool("der"), Password: pw})
	if err != nil {
		return err
	}
	if err := writeKeyFile(env, out, data, c.Bool("force")); err != nil {
		return err
	}
	if out != "-" {
		fmt.Fprintf(env.Stdout, "wrote %s: %s private key, %s\n", out, keys.Describe(key), formDescription(keys.PKCS8, c.Bool("der"), pw != nil))
	}
	return nil
}

func validKind(kind string) bool {
	for _, k := range keys.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// formDescription says how a key was written: "PKCS#8 PEM, encrypted".
func formDescription(f keys.Format, der, encrypted bool) string {
	s := map[keys.Format]string{keys.PKCS8: "PKCS#8", keys.PKCS1: "PKCS#1", keys.SEC1: "SEC1"}[f]
	if der {
		s += " DER"
	} else {
		s += " PEM"
	}
	if encrypted {
		s += ", encrypted"
	}
	return s
}

// newPassphrase reads the passphrase a new key is encrypted with from the
// flag family name, or asks twice on the terminal. A typed passphrase must
// not be empty; an empty flag value is honoured, as for every password.
func newPassphrase(c *ucli.Context, name, what string) ([]byte, error) {
	pw, ok, err := readSecret(c, name)
	if err != nil || ok {
		return pw, err
	}
	env := envOf(c)
	if !env.StdinTTY {
		return nil, usageErrorf("passphrase for the %s needed and no terminal to ask on: pass --%s, --%s-env or --%s-file", what, name, name, name)
	}
	pw, err = env.ReadPassword("Passphrase for the " + what + ": ")
	if err != nil {
		return nil, err
	}
	if len(pw) == 0 {
		return nil, usageErrorf("empty passphrase")
	}
	again, err := env.ReadPassword("Same passphrase again: ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(pw, again) {
		return nil, usageErrorf("the passphrases differ")
	}
	return pw, nil
}

// checkNewKeyFile fails early, before a key is made or a passphrase asked,
// when out exists and --force is not given.
func checkNewKeyFile(out string, force bool) error {
	if out == "-" || force {
		return nil
	}
	if _, err := os.Lstat(out); err == nil {
		return existsError(out)
	}
	return nil
}

func existsError(out string) error {
	return withHint(fmt.Errorf("%s exists; not overwriting it", out), "pass --force to replace it")
}

// writeKeyFile writes private key material: mode 0600 for a new file, an
// existing one only with force; "-" is standard output, where DER is
// refused on a terminal.
func writeKeyFile(env *Env, out string, data []byte, force bool) error {
	return writeOutput(env, out, data, force, 0o600)
}

func writeOutput(env *Env, out string, data []byte, force bool, perm fs.FileMode) error {
	if out == "-" {
		if !isPEMText(data) {
			if err := env.refuseBinaryToTerminal(); err != nil {
				return err
			}
		}
		_, err := env.Stdout.Write(data)
		return err
	}
	err := safefile.Write(out, data, safefile.Options{Perm: perm, NoOverwrite: !force})
	if errors.Is(err, safefile.ErrExists) {
		return existsError(out)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}

func isPEMText(data []byte) bool { return bytes.HasPrefix(data, []byte("-----BEGIN ")) }
