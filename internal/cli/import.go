package cli

import (
	"errors"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

func importCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "import",
		Usage:     "import CA certificates into a truststore",
		ArgsUsage: "STORE SOURCE...",
		Description: `Adds every certificate found in the SOURCEs (PEM bundles, DER files,
other stores, directories) as a trusted entry of STORE, creating STORE when
it does not exist (its type from --type or the name: .jks, .p12/.pfx, .pem).

A certificate already in the store (same SHA-256 fingerprint) is reported
and skipped, so running the same import twice changes nothing. Aliases are
derived from the subject (the common name, lower case, hyphens) unless
--alias names the one certificate imported; an alias held by another
certificate is an error unless --force. A certificate that is not a CA
needs --allow-leaf; --skip-leaves imports the CA certificates of a bundle
that also holds leaves (a fullchain.pem) and names each leaf passed over.
Every SOURCE must hold a certificate: one that holds none (a key, a CSR, an
empty directory) was named by mistake, and nothing is imported. A SOURCE
"-" is standard input. With --cacerts (and no STORE) the JDK's
truststore is the target, with the password changeit unless another is
given.

The store is rewritten atomically in the form it had (a password-less
PKCS#12 stays password-less); nothing is written when the import fails or
changes nothing. A JCEKS store is read-only: convert it first.

A truststore's bytes depend only on its entries and password: the same
certificates, in any order, give the same file on any machine and at any
time. A new JKS entry is dated by SOURCE_DATE_EPOCH when it is set, else by
its certificate's notBefore; entries already there keep their dates. A
store that also holds a private key gets fresh random salts when it is
rewritten, unless --reproducible.

EXAMPLES:
   # A corporate root into the JDK's cacerts (keytool -importcert -cacerts)
   trustctl import --cacerts acme-root.crt
   # A PKCS#12 truststore for an unattended gateway install
   trustctl import acme-ca.pfx acme-root.crt --alias acme-ca --password-env TRUSTSTORE_PASSWORD
   # Everything in a directory, into a JKS for old clients
   trustctl import truststore.jks /etc/ssl/certs --password changeit
   # The CA certificates of a server's fullchain.pem, from standard input
   cat fullchain.pem | trustctl import truststore.p12 - --skip-leaves --password-env PW

EXIT CODES:
   0 imported (or already present); 2 nothing was written: unreadable input,
   a SOURCE without a certificate, wrong password, a non-CA certificate
   without --allow-leaf, a taken alias`,
		Flags: append(append(storeFlags(true),
			&ucli.StringFlag{Name: "alias", Usage: "alias of the one certificate imported"},
			forceFlag,
			&ucli.BoolFlag{Name: "allow-leaf", Usage: "also import certificates that are not CA certificates"},
			&ucli.BoolFlag{Name: "skip-leaves", Usage: "pass over certificates that are not CA certificates (a fullchain.pem's leaf), naming each"},
			encryptionFlag,
			reproducibleFlag,
			jsonFlag),
			sourceFlags()...),
		Action: runImport,
	}
}

func runImport(c *ucli.Context) error {
	path, srcs, err := targetArg(c, "STORE SOURCE...")
	if err != nil {
		return err
	}
	if len(srcs) == 0 {
		return usageErrorf("usage: trustctl import STORE SOURCE... (no source given)")
	}
	if c.Bool("allow-leaf") && c.Bool("skip-leaves") {
		return usageErrorf("--allow-leaf imports leaves and --skip-leaves passes them over: give one")
	}
	epoch, err := sourceDateEpoch(c)
	if err != nil {
		return err
	}
	sets, err := loadEachSource(c, srcs)
	if err != nil {
		return err
	}
	// Every SOURCE must give a certificate: one that gives none was
	// named by mistake (a key, a CSR, an empty directory), and importing
	// the others would hide that.
	set := &source.Set{}
	var empty []string
	for i, s := range sets {
		if len(s.Certs) == 0 {
			empty = append(empty, source.Name(srcs[i]))
		}
		set.Merge(s)
	}
	if len(empty) > 0 {
		return fmt.Errorf("no certificate found in %s", strings.Join(empty, ", "))
	}
	in := set.CertList()
	opts := store.ImportOptions{
		Alias:      c.String("alias"),
		Force:      c.Bool("force"),
		AllowLeaf:  c.Bool("allow-leaf"),
		SkipLeaves: c.Bool("skip-leaves"),
		Epoch:      epoch,
	}
	var res *store.ImportResult
	changed, err := changeStore(c, path, true, func(st *store.Store) (bool, error) {
		var err error
		res, err = st.Import(in, opts)
		if err != nil {
			return false, err
		}
		return res.Changed(), nil
	})
	if err != nil {
		var nca *store.NotCAError
		var taken *store.AliasTakenError
		switch {
		case errors.As(err, &nca):
			return withHint(err, "pass --allow-leaf to trust it anyway, or --skip-leaves to import only the CA certificates")
		case errors.As(err, &taken):
			return withHint(err, "choose another --alias, or pass --force to replace it")
		}
		return err
	}
	env := envOf(c)
	if c.Bool("json") {
		return reported(path, changed, render.ImportJSON(env.Stdout, path, res, changed))
	}
	return reported(path, changed, render.Import(env.Stdout, path, res, changed))
}
