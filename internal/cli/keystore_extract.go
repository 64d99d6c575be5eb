package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/pemfile"
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
With several key entries, --alias chooses one. A key file that exists is
not overwritten without --force.

EXAMPLES:
   trustctl keystore extract client.pfx --out-dir client --password '' --pkcs8-der
   trustctl keystore extract server.jks --alias tomcat --out-dir pem --password-env KS_PW

EXIT CODES:
   0 written; 2 unreadable store, no or several key entries without --alias,
   files that exist`,
		Flags: append(storeFlags(false),
			&ucli.StringFlag{Name: "out-dir", Usage: "directory to write into", Required: true},
			&ucli.StringFlag{Name: "alias", Usage: "the key entry `A` to extract"},
			&ucli.BoolFlag{Name: "pkcs8-der", Usage: "also write the key as DER PKCS#8 (A.pk8)"},
			forceFlag),
		Action: runKeystoreExtract,
	}
}

func runKeystoreExtract(c *ucli.Context) error {
	if c.NArg() != 1 {
		return usageErrorf("usage: trustctl keystore extract STORE --out-dir DIR")
	}
	path := c.Args().First()
	st, err := readStore(c, path)
	if err != nil {
		return err
	}
	e, err := pickKeyEntry(st, c.String("alias"), path)
	if err != nil {
		return err
	}
	if e.Key == nil {
		return withHint(fmt.Errorf("key entry %q cannot be decrypted", e.Alias), "pass its key password with --key-password")
	}
	dir := c.String("out-dir")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, safeFileName(e.Alias))
	type file struct {
		path string
		data []byte
		perm os.FileMode
	}
	files := []file{
		{base + ".key", pemfile.Encode("PRIVATE KEY", e.Key), 0o600},
		{base + ".crt", pemfile.Encode("CERTIFICATE", e.Certs[0].Raw), 0o644},
	}
	var chainPEM []byte
	for _, x := range e.Certs[1:] {
		chainPEM = append(chainPEM, pemfile.Encode("CERTIFICATE", x.Raw)...)
	}
	if len(chainPEM) > 0 {
		files = append(files, file{base + "-chain.pem", chainPEM, 0o644})
	}
	files = append(files, file{base + "-fullchain.pem", append(pemfile.Encode("CERTIFICATE", e.Certs[0].Raw), chainPEM...), 0o644})
	if c.Bool("pkcs8-der") {
		files = append(files, file{base + ".pk8", e.Key, 0o600})
	}
	force := c.Bool("force")
	if !force {
		for _, f := range files {
			if fileExists(f.path) {
				return fmt.Errorf("%s exists; pass --force to overwrite it", f.path)
			}
		}
	}
	env := envOf(c)
	for _, f := range files {
		// Key files are never replaced without --force, even if one
		// appeared after the check above.
		opts := safefile.Options{Perm: f.perm, NoOverwrite: !force && f.perm == 0o600}
		if err := safefile.Write(f.path, f.data, opts); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, f.path)
	}
	return nil
}

// pickKeyEntry returns the key entry named alias, or the only one.
func pickKeyEntry(st *store.Store, alias, path string) (*store.Entry, error) {
	if alias != "" {
		e := st.Get(alias)
		if e == nil {
			return nil, &store.AliasError{Alias: alias}
		}
		if e.Kind != store.PrivateKey {
			return nil, fmt.Errorf("entry %q is a %s, not a key entry", e.Alias, e.Kind)
		}
		return e, nil
	}
	var found []*store.Entry
	for _, e := range st.Entries {
		if e.Kind == store.PrivateKey {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%s holds no private key entry", path)
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, e := range found {
		names[i] = e.Alias
	}
	return nil, withHint(fmt.Errorf("%s holds %d key entries", path, len(found)), "choose one with --alias: "+strings.Join(names, ", "))
}
