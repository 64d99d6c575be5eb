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
	"github.com/trustctl/trustctl/internal/render"
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
		UsageText: "trustctl key gen --out KEY [--type TYPE] [--encrypt] [--der] [--force] [--json]",
		Description: `Generates a private key and writes it as PKCS#8 (PEM unless --der) with
mode 0600. An existing file is never replaced without --force: when it
already holds a key of that type in that form (opened by the passphrase
given), it is left as it is and reported unchanged, so running the same
command twice changes nothing; any other file is an error. --force always
makes a new key. --out - writes the key to standard output (DER is refused
on a terminal).

--type is one of rsa2048, rsa3072, rsa4096, ec256 (ECDSA P-256, the default),
ec384 (ECDSA P-384) or ed25519.

--encrypt protects the key with a passphrase (PKCS#8 PBES2: PBKDF2-HMAC-SHA-256
and AES-256-CBC, as "openssl pkcs8 -topk8 -v2 aes-256-cbc" writes). The
passphrase comes from --key-password, --key-password-env or --key-password-file
(or --password, --password-env, --password-file: the same flags), or is
asked twice on the terminal.

--json prints {"file", "key", "form", "encrypted", "changed"}.

EXAMPLES
  Make the key of a PostgreSQL server (then: trustctl csr):
    $ trustctl key gen --type rsa2048 --out server.key

  A passphrase-protected ECDSA P-384 key, the passphrase from the environment:
    $ KEYPASS=... trustctl key gen --type ec384 --encrypt --key-password-env KEYPASS --out signing.key

  The CipherTrust agent's key, its passphrase in a plain file:
    $ trustctl key gen --type rsa2048 --encrypt --password-file passphrase --out client_key.pem

  The DER PKCS#8 form JDBC drivers read (sslkey=client.pk8):
    $ trustctl key gen --der --out client.pk8

EXIT CODES
  0 the key was written (or was already there); 2 bad usage or another
  file is in the way (nothing written)`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the key to `FILE` (- for standard output)", Required: true},
			&ucli.StringFlag{Name: "type", Value: defaultKeyType, Usage: "key `TYPE`: " + strings.Join(keys.Kinds, "|")},
			&ucli.BoolFlag{Name: "encrypt", Usage: "protect the key with a passphrase (encrypted PKCS#8)"},
			&ucli.BoolFlag{Name: "der", Usage: "write DER instead of PEM"},
			forceFlag,
			jsonFlag,
		}, oneSecretFlags("passphrase of the new key")...),
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
		return usageErrorf("a passphrase is given but not --encrypt: add --encrypt to protect the key")
	}
	out, force := c.String("out"), c.Bool("force")
	env := envOf(c)
	if err := checkKeyOut(c, out); err != nil {
		return err
	}
	opts := keys.EncodeOptions{Format: keys.PKCS8, DER: c.Bool("der")}
	if c.Bool("encrypt") {
		// A passphrase given on the command line opens an existing key;
		// a typed one is asked only when a key is made.
		var err error
		opts.Password, _, err = readSecret(c, pwKey)
		if err != nil {
			return err
		}
	}
	if old, exists, err := existingFile(out, force); err != nil {
		return err
	} else if exists {
		if c.Bool("encrypt") && opts.Password == nil {
			return existsError(out) // no passphrase to open it with
		}
		if k := keys.HoldsKind(old, kind, opts); k != nil {
			return render.KeyReport(env.Stdout, render.KeyDoc{File: out, Key: keys.Describe(k), Form: render.KeyForm(opts.Format, opts.DER, opts.Password != nil), Encrypted: opts.Password != nil}, c.Bool("json"))
		}
		return existsError(out)
	}
	if c.Bool("encrypt") && opts.Password == nil {
		var err error
		if opts.Password, err = newPassphrase(c, pwKey, "new key"); err != nil {
			return err
		}
	}
	key, err := keys.Generate(kind)
	if err != nil {
		return err
	}
	data, err := keys.Encode(key, opts)
	if err != nil {
		return err
	}
	if err := writeKeyFile(env, out, data, force); err != nil {
		return err
	}
	return reported(out, true, render.KeyReport(env.Stdout, render.KeyDoc{File: out, Key: keys.Describe(key), Form: render.KeyForm(opts.Format, opts.DER, opts.Password != nil), Encrypted: opts.Password != nil, Changed: true}, c.Bool("json")))
}

// checkKeyOut checks --out against --json and the terminal before
// anything is made or asked: the key and the JSON document cannot share
// standard output, and DER is refused on a terminal.
func checkKeyOut(c *ucli.Context, out string) error {
	if out != "-" {
		return nil
	}
	if c.Bool("json") {
		return withHint(usageErrorf("--json and --out - both write to standard output"), "write the file with --out FILE")
	}
	if c.Bool("der") {
		return envOf(c).refuseBinaryToTerminal()
	}
	return nil
}

// maxKeyFile is more than any key or CSR trustctl writes: an existing
// --out file larger than this cannot hold what a command would write,
// and is not read.
const maxKeyFile = 1 << 20

// existingFile returns what out holds when it exists and force is not
// given, so a command can leave a file that already holds what it would
// write byte-identical; "-" and a missing file return exists false. A
// file that is not regular or over maxKeyFile exists with no data.
func existingFile(out string, force bool) (data []byte, exists bool, err error) {
	if out == "-" || force {
		return nil, false, nil
	}
	data, err = safefile.Read(out, maxKeyFile)
	switch {
	case err == nil:
		return data, true, nil
	case errors.Is(err, fs.ErrNotExist):
		if _, lerr := os.Lstat(out); lerr == nil {
			return nil, true, nil // a dangling symlink: still not ours to replace
		}
		return nil, false, nil
	case errors.Is(err, safefile.ErrNotRegular), errors.Is(err, safefile.ErrTooLarge):
		return nil, true, nil
	}
	return nil, false, err
}

func validKind(kind string) bool {
	for _, k := range keys.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

func existsError(out string) error {
	return withHint(fmt.Errorf("%s exists; not overwriting it", out), "pass --force to replace it")
}

// writeKeyFile writes private key material: mode 0600 for a new file, an
// existing one only with force and never left readable by others; "-" is
// standard output, where DER is refused on a terminal.
func writeKeyFile(env *Env, out string, data []byte, force bool) error {
	return writeOutput(env, out, data, force, true)
}

// writeOutput writes data to out, or to standard output for "-". A
// private file is created with mode 0600, and one it replaces loses the
// permissions it gave others; other files are created with 0644.
func writeOutput(env *Env, out string, data []byte, force, private bool) error {
	if out == "-" {
		if !isPEMText(data) {
			if err := env.refuseBinaryToTerminal(); err != nil {
				return err
			}
		}
		_, err := env.Stdout.Write(data)
		return err
	}
	opts := safefile.Options{Perm: 0o644, NoOverwrite: !force, Private: private}
	if private {
		opts.Perm = 0o600
	}
	err := safefile.Write(out, data, opts)
	if errors.Is(err, safefile.ErrExists) {
		return existsError(out)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}

func isPEMText(data []byte) bool { return bytes.HasPrefix(data, []byte("-----BEGIN ")) }
