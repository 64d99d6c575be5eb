package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/jdk"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/source"
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

// readStore opens a store for reading. Without a password a JKS store is
// read unverified (and trustctl says so) and a PKCS#12 store is tried
// password-less; if it needs one, trustctl asks on a terminal or says
// which flags give it.
func readStore(c *ucli.Context, path string) (*store.Store, error) {
	pw, ok, err := storePassword(c)
	if err != nil {
		return nil, err
	}
	kp, err := keyPasswordFunc(c)
	if err != nil {
		return nil, err
	}
	opts := source.OpenOptions{Options: source.Options{Password: pw, HavePassword: ok, KeyPassword: kp}}
	st, exists, err := source.OpenStore(path, opts)
	if err == nil && !exists {
		return nil, fmt.Errorf("%s: %w", path, fs.ErrNotExist)
	}
	if err != nil && !ok && errors.Is(err, store.ErrWrongPassword) && envOf(c).StdinTTY {
		pw, err2 := promptSecret(c, pwStore, "Store password for "+path)
		if err2 != nil {
			return nil, err2
		}
		opts.Password, opts.HavePassword = pw, true
		st, _, err = source.OpenStore(path, opts)
	}
	if err != nil {
		return nil, storeError(c, err, ok)
	}
	if !st.Verified {
		fmt.Fprintf(envOf(c).Stderr, "trustctl: warning: %s was read without its password; its integrity was not checked\n", path)
	}
	return st, nil
}

// storeError adds the hints people need to an error from opening a store.
func storeError(c *ucli.Context, err error, havePassword bool) error {
	switch {
	case errors.Is(err, store.ErrWrongPassword) && !havePassword:
		return withHint(err, "this store needs its password: pass --password, --password-env NAME or --password-file PATH")
	case errors.Is(err, store.ErrWrongPassword) && c.Bool("cacerts"):
		return withHint(err, `the JDK's cacerts uses "changeit" unless it was changed; pass --password-env NAME`)
	case errors.Is(err, keys.ErrNeedPassword), errors.Is(err, store.ErrWrongKeyPassword):
		return withHint(err, "pass the key password with --key-password, --key-password-env or --key-password-file")
	}
	return err
}

// storeEdit is a store opened for change.
type storeEdit struct {
	*store.Store
	Path   string
	Exists bool
	// Password is what the store is written with; passwd replaces it.
	Password []byte
}

// editStore opens a store for change under the writers' lock, runs change
// on it, and writes it back atomically in the form it had. A store that
// does not exist is created. change reports whether it changed anything;
// nothing is written when it did not, or when it fails.
func editStore(c *ucli.Context, path string, change func(ed *storeEdit) (bool, error)) error {
	pw, havePw, err := storePassword(c)
	if err != nil {
		return err
	}
	kp, err := keyPasswordFunc(c)
	if err != nil {
		return err
	}
	typ, err := storeType(c)
	if err != nil {
		return err
	}
	enc, err := encryptionFlagValue(c)
	if err != nil {
		return err
	}
	if err := checkWritableDir(path); err != nil {
		return err
	}
	unlock, err := safefile.Lock(path)
	if err != nil {
		return err
	}
	defer unlock()
	st, exists, err := source.OpenStore(path, source.OpenOptions{
		Options: source.Options{Password: pw, HavePassword: havePw, KeyPassword: kp},
		Type:    typ,
	})
	if err != nil {
		return storeError(c, err, havePw)
	}
	if exists && !st.Verified && st.Format != store.FormatPEM {
		// Writing a JKS store needs its password for the digest; one read
		// without it cannot be written back.
		return withHint(fmt.Errorf("%s: the store password is needed to change this store", path),
			"pass --password, --password-env NAME or --password-file PATH")
	}
	if !havePw && needsPassword(st, exists) {
		if pw, err = needSecret(c, pwStore, "Password for the new store "+path); err != nil {
			return err
		}
	}
	if enc != nil {
		st.Protection = *enc
	}
	ed := &storeEdit{Store: st, Path: path, Exists: exists, Password: pw}
	changed, err := change(ed)
	if err != nil || (!changed && exists) {
		return err
	}
	return writeStore(path, st, ed.Password)
}

// needsPassword reports whether writing st needs a password that was not
// given: a new JKS or PKCS#12 store (a password-less PKCS#12 or a PEM
// bundle needs none; an existing one was opened with one or without).
func needsPassword(st *store.Store, exists bool) bool {
	if st.Format == store.FormatPEM || st.Protection == store.Passwordless {
		return false
	}
	return !exists || st.Format == store.FormatJKS || st.Format == store.FormatJCEKS
}

// writeStore encodes and writes a store. New stores that hold a private
// key are created 0600.
func writeStore(path string, st *store.Store, pw []byte) error {
	data, err := st.Encode(store.EncodeOptions{Password: pw})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	perm := os.FileMode(0o644)
	for _, e := range st.Entries {
		if e.Kind != store.TrustedCert {
			perm = 0o600
		}
	}
	return safefile.Write(path, data, safefile.Options{Perm: perm})
}

// checkWritableDir fails early, before any work, when the directory that
// will hold path cannot be written.
func checkWritableDir(path string) error {
	real, err := safefile.Resolve(path)
	if err != nil {
		return err
	}
	dir := dirOf(real)
	f, err := os.CreateTemp(dir, ".trustctl-check*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, unwrapPathError(err))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
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

// storeErrorHint reports whether err is a store password problem.
func storeErrorHint(err error) error {
	if errors.Is(err, store.ErrWrongPassword) {
		return err
	}
	return nil
}
