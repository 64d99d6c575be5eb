package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/store"
)

func keystoreExtractCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "extract",
		Usage:     "write a keystore's key, certificate and chain as PEM files",
		ArgsUsage: "STORE --out-dir DIR",
		Description: `Writes one key entry of a PFX, JKS or PEM keystore as files in DIR, named
after the alias A:
   A.key            the private key, PKCS#8 PEM, mode 0600
   A.crt            the certificate
   A-chain.pem      its issuers, in order (absent when there are none)
   A-fullchain.pem  the certificate followed by its issuers
   A.pk8            with --pkcs8-der: the key as DER PKCS#8, what JDBC
                    drivers (PostgreSQL's sslkey) want
With several key entries, --alias chooses one. A file that exists with
other content (a key file in particular) is not overwritten without
--force; one that already holds what would be written is left as it is.
Nothing is written through a symbolic link in DIR. STORE "-" reads the
keystore from standard input (its passwords from the flags only).

EXAMPLES:
   trustctl keystore extract client.pfx --out-dir client --password '' --pkcs8-der
   trustctl keystore extract server.jks --alias tomcat --out-dir pem --password-env KS_PW

EXIT CODES:
   0 written (or already there); 2 unreadable store, no or several key
   entries without --alias, files that exist with other content`,
		Flags: append(storeFlags(false),
			&ucli.StringFlag{Name: "out-dir", Usage: "directory to write into", Required: true},
			&ucli.StringFlag{Name: "alias", Usage: "the key entry `A` to extract"},
			&ucli.BoolFlag{Name: "pkcs8-der", Usage: "also write the key as DER PKCS#8 (A.pk8)"},
			forceFlag, jsonFlag),
		Action: runKeystoreExtract,
	}
}

func runKeystoreExtract(c *ucli.Context) error {
	if c.NArg() != 1 {
		return usageErrorf("usage: trustctl keystore extract STORE --out-dir DIR")
	}
	path := c.Args().First()
	if err := notStdoutDir("--out-dir", c.String("out-dir")); err != nil {
		return err
	}
	st, err := readStoreKeys(c, path, true)
	if err != nil {
		return err
	}
	e, err := st.KeyEntry(c.String("alias"))
	var many *store.ManyKeysError
	switch {
	case errors.As(err, &many):
		return withHint(err, "choose one with --alias: "+strings.Join(many.Aliases, ", "))
	case err != nil:
		return err
	case e.Key == nil:
		return withHint(fmt.Errorf("key entry %q %w", e.Alias, store.ErrKeyProtected), "pass its key password with --key-password")
	}
	dir := c.String("out-dir")
	undo, keep, err := safefile.MkdirAll(dir)
	if err != nil {
		return err
	}
	defer keep()
	files := store.ExtractFiles(filepath.Join(dir, safefile.Name(e.Alias)), e, c.Bool("pkcs8-der"))
	written, err := safefile.WriteFiles(files, safefile.Options{NoOverwrite: !c.Bool("force"), NoFollow: true})
	if err != nil {
		undo()
		return writeFilesError(err)
	}
	return printWritten(c, path, files, written)
}
