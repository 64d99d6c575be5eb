package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/pemfile"
	"github.com/trustctl/trustctl/internal/safefile"
)

// ErrNotStore is returned for a file that exists but is not a JKS, JCEKS,
// PKCS#12 or PEM store.
var ErrNotStore = errors.New("not a keystore or truststore")

// ErrExists is returned by [Create] when the file exists with other
// content and Replace was not asked for.
var ErrExists = errors.New("exists")

// ErrStdin is returned by [Edit] for the path "-": standard input can be
// read as a store ([Open]), never changed in place.
var ErrStdin = errors.New("standard input (-) can be read as a store, not changed in place: name a file")

// Options says how to open a store file.
type Options struct {
	Passwords Passwords
	// Type is the format of a store that does not exist yet ([Edit],
	// [Create]); FormatUnknown means "from the file name" (see
	// [FormatForName]). The format of a file that exists always comes from
	// its content.
	Type Format
	// Protection, when set, is the PKCS#12 protection to write with; nil
	// keeps the store's own (Modern for a new store).
	Protection *Protection
	// Create lets [Edit] create the store when it does not exist; without
	// it a missing store is an error wrapping fs.ErrNotExist.
	Create bool
	// Replace lets [Create] replace a file that holds something else.
	Replace bool
	// Reproducible writes a store that holds a private key
	// deterministically too (see [EncodeOptions.Reproducible]). Stores
	// without one are always written so.
	Reproducible bool
	// DryRun makes [Edit] call change on the store as it would be
	// changed, and report whether it would be written, without the lock
	// and without writing. The password of a store that does not exist
	// yet is not asked for.
	DryRun bool
	// Stdin is what [Open] reads for the path "-", and Stdout where
	// [Create] writes for it; nil is the process's own.
	Stdin  io.Reader
	Stdout io.Writer
}

// Detect tells a store's format from its content: the magic numbers of JKS
// (FEEDFEED) and JCEKS (CECECECE), a PEM BEGIN line, or the start of a
// PKCS#12 PFX (a SEQUENCE whose first element is INTEGER 3, RFC 7292
// section 4; no other DER file trustctl reads starts so). Only the start
// is looked at, so that a truncated or damaged PFX is still taken for one,
// and its decoder says what is wrong with it. Anything else is
// FormatUnknown. It never looks at a file name.
func Detect(data []byte) Format {
	switch {
	case bytes.HasPrefix(data, []byte{0xfe, 0xed, 0xfe, 0xed}):
		return FormatJKS
	case bytes.HasPrefix(data, []byte{0xce, 0xce, 0xce, 0xce}):
		return FormatJCEKS
	case pemfile.LooksLikePEM(data):
		return FormatPEM
	case looksLikePFX(data):
		return FormatPKCS12
	}
	return FormatUnknown
}

// looksLikePFX reports whether data starts as a PFX does: a SEQUENCE tag,
// a length (definite in any form, or BER's indefinite one), then the
// version, INTEGER 3.
func looksLikePFX(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	n := 2 // tag and a short (or indefinite) length
	if l := data[1]; l > 0x80 {
		if l > 0x84 {
			return false
		}
		n += int(l & 0x7f)
	}
	return bytes.HasPrefix(data[min(n, len(data)):], []byte{0x02, 0x01, 0x03})
}

// Open reads the store at path, following symbolic links, and decides its
// format from the content. The file must be a regular file of at most
// [safefile.MaxSize] bytes; anything else (a FIFO, a device) is refused
// before it is read. The path "-" is standard input (opts.Stdin), read up
// to the same size and named "standard input" in errors; no file named
// "-" is ever read.
//
// Without a store password, a JKS store is read without checking its
// integrity (Store.Verified is false) and a PKCS#12 store is tried as
// password-less and with the empty password; when it needs another one,
// opts.Passwords.Ask is asked once. The errors name path: one wrapping
// fs.ErrNotExist for a missing file, [ErrNotStore], [ErrWrongPassword],
// [ErrWrongKeyPassword], [*NeedPasswordError], and the format errors of the
// codecs for a damaged store.
func Open(path string, opts Options) (*Store, error) {
	if path != safefile.Stdin {
		return open(path, newSecrets(opts.Passwords, path))
	}
	data, err := safefile.ReadStdin(opts.Stdin)
	if err != nil {
		return nil, err
	}
	name := safefile.StdinName
	return openData(data, name, newSecrets(opts.Passwords, name))
}

func open(path string, sec *secrets) (*Store, error) {
	data, err := safefile.Read(path, safefile.MaxSize)
	if err != nil {
		return nil, err
	}
	return openData(data, path, sec)
}

// openData decodes what was read from path.
func openData(data []byte, path string, sec *secrets) (*Store, error) {
	f := Detect(data)
	if f == FormatUnknown {
		if c := certs.Parse(data); c.X509 != nil {
			return nil, fmt.Errorf("%s is a DER certificate, %w", path, ErrNotStore)
		}
		return nil, fmt.Errorf("%s: %w", path, ErrNotStore)
	}
	st, err := decode(data, f, sec)
	if errors.Is(err, ErrWrongPassword) && !sec.StoreGiven {
		// A PKCS#12 store that is neither password-less nor protected
		// with the empty password: ask once, or say that its password
		// is needed when there is no one to ask.
		if _, err = sec.store(StorePassword, false); err != nil {
			return nil, err
		}
		st, err = decode(data, f, sec)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	st.path, st.exists = path, true
	if sec.StoreGiven || f == FormatPKCS12 {
		st.password, st.havePassword = sec.Store, true
		if st.password == nil {
			st.password = []byte{}
		}
	}
	return st, nil
}

// Edit changes the store at path in place: it takes the writers' lock,
// reads the store, calls change, and when change reports a change writes
// the store back atomically, in the format, protection and file mode it
// had, through symbolic links to the real file. A store that does not
// exist is created (with opts.Create) in opts.Type or the format its name
// says, mode 0600 when it holds a private key and 0644 otherwise.
//
// Nothing is written when change fails or reports no change, so the file
// stays byte-identical; nothing is left behind on any path (the lock file
// is removed, and temporary files of earlier killed runs are cleaned up).
// A JCEKS store is refused ([ErrReadOnly]) before change is called, and so
// are a PKCS#12 store with bags trustctl does not read ([*UnreadBagsError])
// and a JKS store read without its password when none can be asked for
// ([*NeedPasswordError]). The path "-" is refused ([ErrStdin]). Edit
// reports whether it wrote the file.
func Edit(path string, opts Options, change func(*Store) (changed bool, err error)) (changed bool, err error) {
	if path == safefile.Stdin {
		return false, ErrStdin
	}
	if opts.DryRun {
		if _, err := safefile.Stat(path); errors.Is(err, fs.ErrNotExist) && opts.Create {
			opts.Passwords = Passwords{Store: []byte{}, StoreGiven: true}
		}
	} else {
		unlock, err := safefile.Lock(path)
		if err != nil {
			return false, err
		}
		defer unlock()
	}
	sec := newSecrets(opts.Passwords, path)
	st, err := openForChange(path, opts, sec)
	if err != nil {
		return false, err
	}
	changed = !st.exists
	if opts.Protection != nil && *opts.Protection != st.Protection && st.Format == FormatPKCS12 {
		st.Protection = *opts.Protection
		changed = true
	}
	ch, err := change(st)
	if err != nil {
		return false, err
	}
	if !ch && !changed || opts.DryRun {
		return ch || changed, nil
	}
	if err := st.write(path, false, opts.Reproducible); err != nil {
		return false, err
	}
	return true, nil
}

// openForChange opens the store at path for a change, or makes a new one.
func openForChange(path string, opts Options, sec *secrets) (*Store, error) {
	if _, err := safefile.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if !opts.Create {
			return nil, err
		}
		return newFile(path, opts, sec)
	}
	st, err := open(path, sec)
	if err != nil {
		return nil, err
	}
	if st.Format == FormatJCEKS {
		return nil, fmt.Errorf("%s: %w", path, ErrReadOnly)
	}
	if st.Unread > 0 {
		return nil, fmt.Errorf("%s: %w", path, &UnreadBagsError{N: st.Unread})
	}
	if !st.Verified {
		// A JKS store read without its password: writing it needs the
		// password for the digest, and checking it first.
		if _, err := sec.store(StorePassword, true); err != nil {
			return nil, err
		}
		if st, err = open(path, sec); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// newFile returns the empty store a path that does not exist will hold.
func newFile(path string, opts Options, sec *secrets) (*Store, error) {
	f := opts.Type
	if f == FormatUnknown {
		f = FormatForName(path)
	}
	if f == FormatUnknown {
		return nil, fmt.Errorf("%s does not exist and its name does not say which type to create: use a .jks, .p12, .pfx or .pem name, or --type", path)
	}
	if f == FormatJCEKS {
		return nil, fmt.Errorf("%s: %w", path, ErrReadOnly)
	}
	st := New(f)
	st.path = path
	if opts.Protection != nil {
		st.Protection = *opts.Protection
	}
	if st.needsPassword() {
		pw, err := sec.store(NewStorePassword, false)
		if err != nil {
			return nil, err
		}
		st.SetPassword(pw)
	}
	return st, nil
}

// Create writes the store build returns as the file path: a new file, or
// with opts.Replace a replacement for what is there. It takes the same
// lock as [Edit] first, so a path that cannot be written fails before
// build runs. The store is written with opts.Passwords' store password, or
// the one it carries ([Store.SetPassword], or the one it was opened with),
// or one asked for.
//
// When the file already holds the same entries in the same format
// (see [Store.Same]), nothing is written and Create reports no change, with
// or without Replace; when it holds something else and Replace is not set,
// Create fails with [ErrExists]. New files are created 0600 when they hold
// a private key, 0644 otherwise; a replaced file keeps its mode.
//
// The path "-" is standard output (opts.Stdout): the store is written
// there whole, with no lock and no comparison, and Create reports a
// change. Whether its bytes may go to a terminal is the caller's call.
func Create(path string, opts Options, build func() (*Store, error)) (changed bool, err error) {
	toStdout := path == safefile.Stdin
	if toStdout {
		path = "standard output"
	} else {
		unlock, err := safefile.Lock(path)
		if err != nil {
			return false, err
		}
		defer unlock()
	}
	st, err := build()
	if err != nil {
		return false, err
	}
	if opts.Protection != nil {
		st.Protection = *opts.Protection
	}
	if st.Format == FormatJCEKS {
		return false, fmt.Errorf("%s: %w", path, ErrReadOnly)
	}
	sec := newSecrets(opts.Passwords, path)
	switch {
	case sec.StoreGiven:
		st.SetPassword(sec.Store)
	case st.havePassword:
		sec.Store, sec.StoreGiven = st.password, true
	case st.needsPassword():
		pw, err := sec.store(NewStorePassword, false)
		if err != nil {
			return false, err
		}
		st.SetPassword(pw)
	}
	if toStdout {
		data, err := st.encode(path, opts.Reproducible)
		if err != nil {
			return false, err
		}
		w := opts.Stdout
		if w == nil {
			w = os.Stdout
		}
		if _, err := w.Write(data); err != nil {
			return false, fmt.Errorf("writing to %s: %w", path, err)
		}
		return true, nil
	}
	if _, err := safefile.Stat(path); err == nil {
		// Read what is there with the new store's passwords: the same
		// content needs no write.
		quiet := newSecrets(Passwords{Store: st.password, StoreGiven: true, Key: sec.Key, KeyGiven: sec.KeyGiven}, path)
		if old, err := open(path, quiet); err == nil && old.Same(st) {
			return false, nil
		}
		if !opts.Replace {
			return false, fmt.Errorf("%s %w", path, ErrExists)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if err := st.write(path, !opts.Replace, opts.Reproducible); err != nil {
		return false, err
	}
	return true, nil
}

// needsPassword reports whether writing st needs a store password: a PEM
// bundle and a password-less PKCS#12 need none.
func (s *Store) needsPassword() bool {
	return s.Format != FormatPEM && !(s.Format == FormatPKCS12 && s.Protection == Passwordless)
}

// SetPassword sets the store password the store is written with.
func (s *Store) SetPassword(pw []byte) {
	if pw == nil {
		pw = []byte{}
	}
	s.password, s.havePassword = pw, true
}

// Password returns the store password the store was opened with (or set
// with [Store.SetPassword]), and whether there is one.
func (s *Store) Password() ([]byte, bool) { return s.password, s.havePassword }

// Path returns the path the store was opened with, empty for a store made
// with [New].
func (s *Store) Path() string { return s.path }

// Exists reports whether the store was read from a file (false for a store
// [Edit] is about to create).
func (s *Store) Exists() bool { return s.exists }

// encode encodes the store to be written to path.
func (s *Store) encode(path string, reproducible bool) ([]byte, error) {
	if s.needsPassword() && !s.havePassword {
		return nil, &NeedPasswordError{Secret: NewStorePassword, Path: path}
	}
	data, err := s.Encode(EncodeOptions{Password: s.password, Reproducible: reproducible})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

// write encodes the store and writes it to path atomically.
func (s *Store) write(path string, noOverwrite, reproducible bool) error {
	data, err := s.encode(path, reproducible)
	if err != nil {
		return err
	}
	opts := safefile.Options{Perm: 0o644, NoOverwrite: noOverwrite}
	for _, e := range s.Entries {
		if e.Kind != TrustedCert {
			// A PEM bundle holds its keys in the clear.
			opts.Perm, opts.Private = 0o600, s.Format == FormatPEM
		}
	}
	return safefile.Write(path, data, opts)
}

// Same reports whether two stores hold the same thing: the same format
// (and PKCS#12 protection), and entries with the same aliases (compared as
// Java compares them), kinds, certificates and keys. Creation dates are
// not compared.
func (s *Store) Same(o *Store) bool {
	if s.Format != o.Format || len(s.Entries) != len(o.Entries) {
		return false
	}
	if s.Format == FormatPKCS12 && s.Protection != o.Protection {
		return false
	}
	for _, e := range s.Entries {
		f := o.Get(e.Alias)
		if f == nil || f.Kind != e.Kind || len(f.Certs) != len(e.Certs) ||
			!bytes.Equal(f.Key, e.Key) || !bytes.Equal(f.Protected, e.Protected) {
			return false
		}
		for i := range e.Certs {
			if !e.Certs[i].Equal(f.Certs[i]) {
				return false
			}
		}
	}
	return true
}

// Passwd changes the password of the store at path to pw with [Edit] (see
// [Store.ChangePassword]). When the old password given does not open the
// store but pw does, the change was made before: Passwd reports no change,
// so that running it twice is harmless.
func Passwd(path string, opts Options, pw []byte) (changed bool, err error) {
	changed, err = Edit(path, opts, func(st *Store) (bool, error) { return st.ChangePassword(pw) })
	if errors.Is(err, ErrWrongPassword) {
		again := opts
		again.Passwords = Passwords{Store: pw, StoreGiven: true, Key: opts.Passwords.Key, KeyGiven: opts.Passwords.KeyGiven}
		if st, err2 := Open(path, again); err2 == nil && st.Verified {
			return false, nil
		}
	}
	return changed, err
}
