package cli

import (
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/store"
)

func convertCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "convert",
		Usage:     "convert between JKS, PKCS#12 and PEM, keys and chains included",
		ArgsUsage: "IN OUT",
		Description: `Reads IN (JKS, JCEKS, PKCS#12 or a PEM bundle, from its content; "-" is
standard input, its passwords then from the flags only) and writes every
entry to OUT in the type --type or OUT's name says (.jks, .p12/.pfx,
.pem): trusted certificates stay trusted, key entries keep their key, chain
and alias. OUT is protected with --new-password if given, else with IN's
password. An OUT that holds other entries is not overwritten without
--force; one that already holds the same entries is left as it is.

OUT "-" is standard output, which gets the store and no report line.
There is no file name to tell the type from: it is --type, or PEM without
it. A JKS or PKCS#12 store is binary and is not written to a terminal.

A truststore is written reproducibly: the same entries and password give
the same OUT. JKS entries keep their dates; entries from a PEM bundle or a
PKCS#12 store, which record none, are dated by SOURCE_DATE_EPOCH when it
is set, else by their certificate's notBefore. A store with a private key
gets fresh random salts unless --reproducible, which reveals that two
files hold the same key under the same password.

EXAMPLES:
   # A JKS truststore to PKCS#12 (keytool -importkeystore)
   trustctl convert truststore.jks truststore.p12 --password changeit
   # A PFX to PEM files for a server that wants PEM
   trustctl convert server.pfx server-bundle.pem --password-env PFX_PW
   # For Windows Server 2016 and Java 8 before 8u301
   trustctl convert keystore.jks keystore.pfx --password-env PW --encryption legacy
   # The truststore baked into an image, as PEM on standard output
   docker run --rm app cat /app/truststore.jks | trustctl convert - -

EXIT CODES:
   0 converted (or OUT already held it); 2 unreadable IN, wrong password,
   OUT exists with other entries, unwritable OUT`,
		Flags: append(append(storeFlags(false),
			secretFlags(pwNew, "password of OUT (default: IN's password)")...),
			encryptionFlag, forceFlag, reproducibleFlag, jsonFlag),
		Action: runConvert,
	}
}

func runConvert(c *ucli.Context) error {
	if c.NArg() != 2 {
		return usageErrorf("usage: trustctl convert IN OUT")
	}
	in, out := c.Args().Get(0), c.Args().Get(1)
	inOpts, err := storeOptions(c, true)
	if err != nil {
		return err
	}
	env := envOf(c)
	toStdout := out == safefile.Stdin
	typ := inOpts.Type
	switch {
	case typ != store.FormatUnknown:
	case toStdout:
		typ = store.FormatPEM
	default:
		typ = store.FormatForName(out)
	}
	if typ == store.FormatUnknown {
		return usageErrorf("cannot tell which type %s should be: use a .jks, .p12, .pfx or .pem name, or --type", out)
	}
	if toStdout && c.Bool("json") {
		return withHint(usageErrorf("--json and OUT - both write to standard output"), "write a file: trustctl convert IN FILE --json")
	}
	if toStdout && typ != store.FormatPEM {
		if err := env.refuseBinaryToTerminal(); err != nil {
			return err
		}
	}
	epoch, err := sourceDateEpoch(c)
	if err != nil {
		return err
	}
	outOpts := store.Options{Protection: inOpts.Protection, Replace: c.Bool("force"), Reproducible: c.Bool("reproducible"), Stdout: env.Stdout}
	newPw, ok, err := readSecret(c, pwNew)
	if err != nil {
		return err
	}
	outOpts.Passwords = store.Passwords{Store: newPw, StoreGiven: ok, Ask: askPassword(c, false)}
	if in == safefile.Stdin {
		outOpts.Passwords.Ask = nil // standard input holds IN, not a typed password
	}
	var st *store.Store
	changed, err := store.Create(out, outOpts, func() (*store.Store, error) {
		if st, err = readStoreKeys(c, in, true); err != nil {
			return nil, err
		}
		st.DateUndated(epoch)
		return st, st.Convert(typ)
	})
	var need *store.NeedPasswordError
	switch {
	case errors.As(err, &need) && need.Secret == store.NewStorePassword:
		return usageErrorf("new password needed and no terminal to ask on: pass --%s, --%s-env or --%s-file", pwNew, pwNew, pwNew)
	case errors.Is(err, store.ErrKeyProtected):
		return withHint(err, "pass its key password with --key-password")
	case err != nil:
		return storeError(c, err, true)
	}
	if n := len(st.Other); n > 0 && typ != store.FormatPEM {
		warn(env.Stderr, fmt.Sprintf("%s: %d PEM block(s) other than certificates and keys (%s) are not carried into %s", in, n, st.Other[0].Type, out))
	}
	if toStdout {
		return nil // the store itself was the output
	}
	if c.Bool("json") {
		return reported(out, changed, render.ConvertJSON(env.Stdout, in, out, st, changed))
	}
	return reported(out, changed, render.Convert(env.Stdout, out, st, changed))
}
