package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/store"
)

func convertCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "convert",
		Usage:     "convert between JKS, PKCS#12 and PEM, keys and chains included",
		ArgsUsage: "IN OUT",
		Description: `Reads IN (JKS, JCEKS, PKCS#12 or a PEM bundle, from its content) and writes
every entry to OUT in the type --type or OUT's name says (.jks, .p12/.pfx,
.pem): trusted certificates stay trusted, key entries keep their key, chain
and alias. OUT is protected with --new-password if given, else with IN's
password. OUT is not overwritten without --force.

EXAMPLES:
   # A JKS truststore to PKCS#12 (keytool -importkeystore)
   trustctl convert truststore.jks truststore.p12 --password changeit
   # A PFX to PEM files for a server that wants PEM
   trustctl convert server.pfx server-bundle.pem --password-env PFX_PW
   # For Windows Server 2016 and Java 8 before 8u301
   trustctl convert keystore.jks keystore.pfx --password-env PW --encryption legacy

EXIT CODES:
   0 converted; 2 unreadable IN, wrong password, OUT exists, unwritable OUT`,
		Flags: append(append(storeFlags(false),
			secretFlags(pwNew, "password of OUT (default: IN's password)")...),
			encryptionFlag, forceFlag),
		Action: runConvert,
	}
}

func runConvert(c *ucli.Context) error {
	if c.NArg() != 2 {
		return usageErrorf("usage: trustctl convert IN OUT")
	}
	in, out := c.Args().Get(0), c.Args().Get(1)
	typ, err := storeType(c)
	if err != nil {
		return err
	}
	if typ == store.FormatUnknown {
		typ = store.FormatForName(out)
	}
	if typ == store.FormatUnknown {
		return usageErrorf("cannot tell which type %s should be: use a .jks, .p12, .pfx or .pem name, or --type", out)
	}
	enc, err := encryptionFlagValue(c)
	if err != nil {
		return err
	}
	if !c.Bool("force") {
		if _, err := os.Stat(out); err == nil {
			return fmt.Errorf("%s exists; pass --force to overwrite it", out)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := checkWritableDir(out); err != nil {
		return err
	}
	st, err := readStore(c, in)
	if err != nil {
		return err
	}
	pw, _, err := storePassword(c)
	if err != nil {
		return err
	}
	newPw, ok, err := readSecret(c, pwNew)
	if err != nil {
		return err
	}
	if ok {
		pw = newPw
	}
	inFormat := st.Format
	st.Format = typ
	switch {
	case enc != nil:
		st.Protection = *enc
	case inFormat != store.FormatPKCS12:
		st.Protection = store.Modern
	}
	if pw == nil && typ != store.FormatPEM && st.Protection != store.Passwordless {
		if pw, err = needSecret(c, pwNew, "Password for "+out); err != nil {
			return err
		}
	}
	for _, e := range st.Entries {
		if e.Kind == store.PrivateKey && e.Key == nil {
			return withHint(fmt.Errorf("key entry %q of %s cannot be decrypted", e.Alias, in),
				"pass its key password with --key-password")
		}
	}
	if err := writeStore(out, st, pw); err != nil {
		return err
	}
	fmt.Fprintf(envOf(c).Stdout, "%s: %d entries written as %s\n", out, len(st.Entries), describeFormat(st))
	return nil
}

func describeFormat(st *store.Store) string {
	if st.Format == store.FormatPKCS12 {
		return fmt.Sprintf("PKCS#12 (%s)", st.Protection)
	}
	return st.Format.String()
}
