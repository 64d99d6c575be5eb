package cli

import (
	"errors"
	"fmt"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/secret"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

func keystoreBuildCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "build",
		Usage:     "build a PFX or JKS with a private key and its full chain",
		UsageText: "trustctl keystore build --key K --cert C --out OUT [--chain SOURCE]... [options]",
		Description: `Puts the private key K and the certificate C into one key entry of a new
PKCS#12 (.pfx, .p12) or JKS (.jks) keystore, with the full chain. C may be
a bundle (a fullchain.pem): the certificate that belongs to the key is the
entry's, wherever it sits. The issuers are found in the rest of C's file
and in every --chain SOURCE
(PEM bundles, directories, truststores), ordered leaf first up to the
self-signed root (--exclude-root leaves the root out). Where several
issuers fit (a cross-signed intermediate, a renewed CA with the same name),
one valid now is chosen and trustctl says which.

It refuses a key that does not belong to the certificate, and a chain that
does not reach a self-signed root unless --partial-chain. The key may be
PKCS#1, SEC1 or PKCS#8, PEM or DER, plain or encrypted (its passphrase from
--key-password*, or asked on a terminal).

The keystore password comes from --password*; an empty one (--password '')
is what "openssl pkcs12 -export -password pass:" makes, as .NET clients of
seed-style PostgreSQL setups expect. PKCS#12 is protected with --encryption
modern (AES-256-CBC, PBKDF2-SHA-256, SHA-256 MAC; the default) or legacy
(3DES, SHA-1 MAC: Windows Server 2016, old Android, JDKs before 2021). In a
JKS the key entry is protected with --key-password when given, else with
the store password, as keytool does.

EXAMPLES:
   # The gateway's PFX: entity, intermediate and root, password changeit
   trustctl keystore build --key gateway-host.key --cert gateway-host.crt \
       --chain acme-ca-intermediate.crt --chain acme-ca-root.crt \
       --out gateway-host.pfx --password changeit
   # A .NET client certificate with an empty password
   trustctl keystore build --key client.key --cert client.crt --chain root.crt \
       --out client.pfx --password ''
   # A JKS for an old Java client, the chain completed from a truststore
   trustctl keystore build --key app.key --cert app.crt --chain corp-truststore.p12 \
       --source-password-env TS_PW --out app.jks --password-env KS_PW

OUT is not overwritten without --force, unless it already holds exactly
this key entry: then it is left as it is, so building twice changes
nothing. OUT "-" writes the keystore to standard output (not to a
terminal), with its type from --type and no report line.

Each keystore written gets fresh random salts (and IVs), so two builds of
the same key into two files differ. --reproducible derives them from the
entry instead (a JKS entry is dated by SOURCE_DATE_EPOCH, else by the
certificate's notBefore, in any case): the same key, chain, alias and
password then give the same file, for an image or a pipeline that must
rebuild byte for byte. That gives something away: anyone who sees two
such files knows whether they hold the same key under the same password.

EXIT CODES:
   0 written (or already there); 2 nothing written: key and certificate do
   not match, the chain is incomplete, a wrong passphrase, OUT exists with
   other content (without --force)`,
		Flags: append(append(append([]ucli.Flag{
			&ucli.StringFlag{Name: "key", Usage: "the private key `K` (PEM or DER, plain or encrypted)", Required: true},
			&ucli.StringFlag{Name: "cert", Usage: "the certificate `C` (its file may hold the chain too)", Required: true},
			&ucli.StringFlag{Name: "out", Usage: "the keystore to write: .pfx/.p12 or .jks (- for standard output, with --type)", Required: true},
			&ucli.StringSliceFlag{Name: "chain", Usage: "`SOURCE` of issuer certificates (repeatable)"},
			&ucli.BoolFlag{Name: "exclude-root", Usage: "leave the self-signed root out of the chain"},
			&ucli.BoolFlag{Name: "partial-chain", Usage: "accept a chain that stops short of a self-signed root"},
			&ucli.StringFlag{Name: "alias", Usage: "alias of the key entry (default: from the certificate's common name)"},
			encryptionFlag, typeFlag, forceFlag, reproducibleFlag, jsonFlag,
		}, secretFlags(pwStore, "keystore password")...),
			secretFlags(pwKey, "passphrase of the input key, and the JKS key entry password")...),
			sourceFlags()...),
		Action: runKeystoreBuild,
	}
}

func runKeystoreBuild(c *ucli.Context) error {
	if c.NArg() > 0 {
		return usageErrorf("keystore build takes no arguments, only flags (got %q)", c.Args().First())
	}
	out := c.String("out")
	if err := notAnInput("--out", out, append([]string{c.String("key"), c.String("cert")}, c.StringSlice("chain")...)...); err != nil {
		return err
	}
	opts, err := storeOptions(c, false)
	if err != nil {
		return err
	}
	typ := opts.Type
	if typ == store.FormatUnknown {
		typ = store.FormatForName(out)
	}
	if typ != store.FormatPKCS12 && typ != store.FormatJKS {
		return usageErrorf("cannot tell whether %s is a PKCS#12 or a JKS keystore: name it .pfx, .p12 or .jks, or pass --type", out)
	}
	if opts.Protection != nil && typ != store.FormatPKCS12 {
		return usageErrorf("--encryption applies to PKCS#12 keystores, and %s is a JKS", out)
	}
	env := envOf(c)
	toStdout := out == safefile.Stdin
	if toStdout {
		if c.Bool("json") {
			return withHint(usageErrorf("--json and --out - both write to standard output"), "write the keystore with --out FILE")
		}
		if err := env.refuseBinaryToTerminal(); err != nil {
			return err
		}
		opts.Stdout = env.Stdout
	}
	alias := c.String("alias")
	if alias != "" {
		if err := store.CheckAlias(alias); err != nil {
			return usageErrorf("--alias: %v", err)
		}
	}
	epoch, err := sourceDateEpoch(c)
	if err != nil {
		return err
	}
	opts.Replace = c.Bool("force")
	var e *store.Entry
	var built *chain.Built
	var st *store.Store
	changed, err := store.Create(out, opts, func() (*store.Store, error) {
		var err error
		if e, built, err = buildKeyEntry(c, alias, epoch); err != nil {
			return nil, err
		}
		if typ == store.FormatJKS && opts.Passwords.KeyGiven {
			e.KeyPassword = opts.Passwords.Key
		}
		st = store.New(typ)
		st.Entries = []*store.Entry{e}
		return st, nil
	})
	if err != nil {
		return storeError(c, err, true)
	}
	if toStdout {
		return nil // the keystore itself was the output
	}
	return reported(out, changed, render.KeystoreBuilt(env.Stdout, out, st, e, built, changed, c.Bool("json")))
}

// buildKeyEntry reads --key and --cert, picks the certificate of the key,
// and makes the key entry with its chain completed from the rest of
// --cert's file and the --chain sources (store.NewKeyEntry).
func buildKeyEntry(c *ucli.Context, alias string, epoch time.Time) (*store.Entry, *chain.Built, error) {
	keyPw, keyPwGiven, err := readSecret(c, pwKey)
	if err != nil {
		return nil, nil, err
	}
	keyPwFn := lazySecret(c, pwKey, "Passphrase for "+c.String("key"))
	if keyPwGiven {
		keyPwFn = func() ([]byte, error) { return keyPw, nil }
	}
	kset, err := source.Load(c.String("key"), source.Options{KeyPassword: keyPwFn, Stdin: envOf(c).Stdin})
	if err != nil {
		return nil, nil, keyError(err)
	}
	if len(kset.Keys) == 0 {
		return nil, nil, fmt.Errorf("%s: no private key found", c.String("key"))
	}
	key := kset.Keys[0]
	cset, err := source.Load(c.String("cert"), source.Options{Stdin: envOf(c).Stdin})
	if err != nil {
		return nil, nil, err
	}
	leaf, pool, err := cset.CertFor(key.Signer)
	if err != nil {
		return nil, nil, withHint(fmt.Errorf("%s: no certificate belongs to the private key in %s", c.String("cert"), c.String("key")),
			"check with: trustctl key match KEY CERT")
	}
	if chains := c.StringSlice("chain"); len(chains) > 0 {
		pset, err := loadSources(c, chains)
		if err != nil {
			return nil, nil, err
		}
		pool = append(pool, pset.X509()...)
	}
	e, built, err := store.NewKeyEntry(key.PKCS8, leaf, pool, store.KeyEntryOptions{
		Alias: alias, Epoch: epoch, Now: envOf(c).Now(), Partial: c.Bool("partial-chain"), ExcludeRoot: c.Bool("exclude-root"),
	})
	if err != nil {
		var ie *chain.IncompleteError
		if errors.As(err, &ie) {
			return nil, nil, withHint(err, "add the missing issuer with --chain SOURCE, or pass --partial-chain to write the chain as far as it goes")
		}
		return nil, nil, err
	}
	return e, built, nil
}

// keyError adds a hint to key-reading errors.
func keyError(err error) error {
	switch {
	case errors.Is(err, secret.ErrWrongPassword):
		return withHint(err, "check the passphrase given with --key-password, --key-password-env or --key-password-file")
	case errors.Is(err, keys.ErrNeedPassword):
		return withHint(err, "pass the passphrase with --key-password, --key-password-env or --key-password-file")
	}
	return err
}
