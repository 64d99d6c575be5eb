package cli

import (
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/jdk"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/store"
)

// The JDK ships cacerts with this well-known password.
const cacertsPassword = "changeit"

// storeFlags are the flags of a command that opens one store: the store
// password family, --type and, where allowed, --cacerts.
func storeFlags(withCacerts bool) []ucli.Flag {
	fs := secretFlags(pwStore, "store password")
	fs = append(fs, secretFlags(pwKey, "key password of JKS key entries, when not the store password")...)
	fs = append(fs, typeFlag)
	if withCacerts {
		fs = append(fs, cacertsFlag)
	}
	return fs
}

// storeArg returns the store a command works on: the first argument, or
// the JDK's cacerts with --cacerts (then every argument is left for the
// command). rest are the remaining arguments.
func storeArg(c *ucli.Context, usage string) (path string, rest []string, err error) {
	args := c.Args().Slice()
	if c.Bool("cacerts") {
		p, err := jdk.Cacerts(jdk.Env{Getenv: envOf(c).Getenv})
		if err != nil {
			return "", nil, withHint(err, "set JAVA_HOME to the JDK whose cacerts you mean")
		}
		return p, args, nil
	}
	if len(args) == 0 {
		return "", nil, usageErrorf("usage: trustctl %s %s", c.Command.FullName(), usage)
	}
	return args[0], args[1:], nil
}

// targetArg is storeArg for a command that changes the store in place,
// which standard input cannot be: "-" is refused before anything is read.
func targetArg(c *ucli.Context, usage string) (path string, rest []string, err error) {
	path, rest, err = storeArg(c, usage)
	if err == nil && path == safefile.Stdin {
		err = usageErrorf("%s changes STORE in place, so STORE cannot be standard input (-): name a file", c.Command.FullName())
	}
	return path, rest, err
}

// storePassword returns the store password given on the command line, or
// changeit for --cacerts, and whether there is one.
func storePassword(c *ucli.Context) ([]byte, bool, error) {
	pw, ok, err := readSecret(c, pwStore)
	if err != nil || ok {
		return pw, ok, err
	}
	if c.Bool("cacerts") {
		return []byte(cacertsPassword), true, nil
	}
	return nil, false, nil
}

// keyPasswordFunc returns the key password family's value lazily, or nil
// when none was given (the store password is then tried, as keytool does).
func keyPasswordFunc(c *ucli.Context) (func() ([]byte, error), error) {
	pw, ok, err := readSecret(c, pwKey)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	return func() ([]byte, error) { return pw, nil }, nil
}

// storeOptions turns the store flags into what internal/store takes: the
// store password (changeit for --cacerts) and key password as given, a
// prompt on a terminal for what is missing, --type and --encryption.
// withKeys says whether the command needs the keys of JKS key entries;
// otherwise their passwords are never asked for.
func storeOptions(c *ucli.Context, withKeys bool) (store.Options, error) {
	pw, ok, err := storePassword(c)
	if err != nil {
		return store.Options{}, err
	}
	kp, kok, err := readSecret(c, pwKey)
	if err != nil {
		return store.Options{}, err
	}
	typ, err := storeType(c)
	if err != nil {
		return store.Options{}, err
	}
	enc, err := encryptionFlagValue(c)
	if err != nil {
		return store.Options{}, err
	}
	return store.Options{
		Passwords:    store.Passwords{Store: pw, StoreGiven: ok, Key: kp, KeyGiven: kok, Ask: askPassword(c, withKeys)},
		Type:         typ,
		Protection:   enc,
		Reproducible: c.Bool("reproducible"),
	}, nil
}

// askPassword returns the prompt internal/store asks missing passwords
// with, or nil without a terminal.
func askPassword(c *ucli.Context, withKeys bool) func(store.Prompt) ([]byte, error) {
	env := envOf(c)
	if !env.StdinTTY {
		return nil
	}
	return func(p store.Prompt) ([]byte, error) {
		switch {
		case p.Secret == store.KeyPassword && p.Alias != "" && !withKeys:
			return nil, nil
		case p.Secret == store.KeyPassword && p.Alias != "":
			return env.ReadPassword(fmt.Sprintf("Key password for %q in %s: ", p.Alias, p.Path))
		case p.Secret == store.KeyPassword:
			return env.ReadPassword("Key password for " + p.Path + ": ")
		case p.Secret == store.NewStorePassword:
			return env.ReadPassword("Password for the new store " + p.Path + ": ")
		}
		return env.ReadPassword("Store password for " + p.Path + ": ")
	}
}

func storeType(c *ucli.Context) (store.Format, error) {
	if !c.IsSet("type") {
		return store.FormatUnknown, nil
	}
	f, err := store.ParseFormat(c.String("type"))
	if err != nil {
		return f, usageErrorf("--type: %v", err)
	}
	return f, nil
}

// readStore opens a store for reading with store.Open, and says when its
// integrity could not be checked. The path "-" reads standard input; its
// passwords then come from the flags only, never from a prompt, since
// standard input holds the store.
func readStore(c *ucli.Context, path string) (*store.Store, error) {
	return readStoreKeys(c, path, false)
}

// readStoreKeys is readStore for commands that need the keys of JKS key
// entries (it asks for their passwords on a terminal).
func readStoreKeys(c *ucli.Context, path string, withKeys bool) (*store.Store, error) {
	opts, err := storeOptions(c, withKeys)
	if err != nil {
		return nil, err
	}
	name := path
	if path == safefile.Stdin {
		name, opts.Passwords.Ask = safefile.StdinName, nil
	}
	opts.Stdin = envOf(c).Stdin
	st, err := store.Open(path, opts)
	if err != nil {
		return nil, storeError(c, err, opts.Passwords.StoreGiven)
	}
	if !st.Verified {
		warn(envOf(c).Stderr, name+" was read without its password; its integrity was not checked")
	}
	if st.Unread > 0 {
		warn(envOf(c).Stderr, fmt.Sprintf("%s holds %d PKCS#12 bag(s) that trustctl does not read (a secret key, a CRL); they are left out here", name, st.Unread))
	}
	return st, nil
}

// changeStore changes the store at path with store.Edit (creating it when
// create is set) and reports whether the file was written.
func changeStore(c *ucli.Context, path string, create bool, change func(*store.Store) (bool, error)) (bool, error) {
	opts, err := storeOptions(c, false)
	if err != nil {
		return false, err
	}
	opts.Create = create
	changed, err := store.Edit(path, opts, change)
	if err != nil {
		return false, storeError(c, err, opts.Passwords.StoreGiven)
	}
	return changed, nil
}

// storeError adds the hints people need to an error from internal/store.
func storeError(c *ucli.Context, err error, havePassword bool) error {
	var need *store.NeedPasswordError
	var unreadable *store.UnreadableError
	var hinted *hintError
	var usage *usageError
	switch {
	case errors.As(err, &hinted), errors.As(err, &usage):
		return err // already worded for people
	case errors.As(err, &need) && need.Secret == store.NewStorePassword:
		return usageErrorf("password needed and no terminal to ask on: pass --%s, --%s-env or --%s-file", pwStore, pwStore, pwStore)
	case errors.As(err, &need) && need.Secret == store.KeyPassword:
		return withHint(err, "pass the key password with --key-password, --key-password-env or --key-password-file")
	case errors.As(err, &need):
		return withHint(err, "pass --password, --password-env NAME or --password-file PATH")
	case errors.As(err, new(*store.UnreadBagsError)):
		return withHint(err, "keytool keeps them: change this store with keytool, or convert its certificates into a new store and work on that")
	case errors.Is(err, store.ErrReadOnly):
		return withHint(err, "convert it to PKCS#12 first (trustctl convert STORE NEW.p12) and work on the copy")
	case errors.Is(err, store.ErrWrongPassword) && !havePassword:
		return withHint(err, "this store needs its password: pass --password, --password-env NAME or --password-file PATH")
	case errors.Is(err, store.ErrWrongPassword) && c.Bool("cacerts"):
		return withHint(err, `the JDK's cacerts uses "changeit" unless it was changed; pass --password-env NAME`)
	case errors.Is(err, keys.ErrNeedPassword), errors.Is(err, store.ErrWrongKeyPassword), errors.Is(err, store.ErrKeyProtected):
		return withHint(err, "pass the key password with --key-password, --key-password-env or --key-password-file")
	case errors.Is(err, store.ErrExists):
		return withHint(err, "pass --force to overwrite it")
	case errors.As(err, &unreadable) && unreadable.Cert.Readable():
		return withHint(err, "a PEM bundle can hold it: import it into a .pem file")
	}
	return err
}

func encryptionFlagValue(c *ucli.Context) (*store.Protection, error) {
	if !c.IsSet("encryption") {
		return nil, nil
	}
	p, err := store.ParseProtection(c.String("encryption"))
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return &p, nil
}
