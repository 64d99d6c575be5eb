// Package store owns a keystore or truststore file from disk to disk. A
// store is a list of entries with aliases, each a trusted certificate or a
// private key with its chain, in one of three file formats (JKS, PKCS#12
// and PEM bundles; JCEKS is read but never written).
//
// [Open] reads a store (format from the content, symbolic links followed,
// passwords checked or asked for through [Passwords]); [Edit] changes one
// in place under a lock and writes it back atomically in the form it had,
// only when something changed; [Create] writes a new or replacement store
// the same way. Every command that touches a store file goes through these
// three, so their guarantees hold everywhere: a failed change leaves the
// file byte-identical and adds none.
//
// The package also computes what import, sync and diff would change as
// plan values. It does not print and does not prompt: asking for a
// password is the caller's [Passwords.Ask]. Files are read and written
// through internal/safefile.
package store

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
)

// Format is a store's file format.
type Format int

// The formats a store can have.
const (
	FormatUnknown Format = iota
	FormatJKS
	FormatJCEKS
	FormatPKCS12
	FormatPEM
)

func (f Format) String() string {
	switch f {
	case FormatJKS:
		return "JKS"
	case FormatJCEKS:
		return "JCEKS"
	case FormatPKCS12:
		return "PKCS12"
	case FormatPEM:
		return "PEM"
	}
	return "unknown"
}

// ParseFormat reads a --type value: jks, pkcs12 (or p12, pfx), pem.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "jks":
		return FormatJKS, nil
	case "pkcs12", "p12", "pfx":
		return FormatPKCS12, nil
	case "pem":
		return FormatPEM, nil
	}
	return FormatUnknown, fmt.Errorf("unknown store type %q: use jks, pkcs12 or pem", s)
}

// FormatForName chooses the format of a file that does not exist yet from
// its name: .jks, .p12/.pfx, .pem/.crt/.cer. The name never decides the
// format of a file that exists.
func FormatForName(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jks", ".keystore", ".truststore":
		return FormatJKS
	case ".p12", ".pfx":
		return FormatPKCS12
	case ".pem", ".crt", ".cer":
		return FormatPEM
	}
	return FormatUnknown
}

// Protection is how a PKCS#12 store is protected.
type Protection int

// PKCS#12 protections.
const (
	// Modern is AES-256-CBC with PBKDF2-HMAC-SHA-256 and a SHA-256 MAC,
	// what OpenSSL 3 and JDK 17+ write by default.
	Modern Protection = iota
	// Legacy is 3DES with a SHA-1 MAC, for Windows Server 2016, old
	// Android and JDKs before 2021 (8u301, 11.0.12).
	Legacy
	// Passwordless has no MAC and no encryption of certificates, the form
	// JDK 18+ uses for cacerts; it is not the same as an empty password.
	Passwordless
)

// ParseProtection reads an --encryption value.
func ParseProtection(s string) (Protection, error) {
	switch strings.ToLower(s) {
	case "modern":
		return Modern, nil
	case "legacy":
		return Legacy, nil
	case "none", "passwordless":
		return Passwordless, nil
	}
	return Modern, fmt.Errorf("unknown --encryption %q: use modern or legacy", s)
}

func (p Protection) String() string {
	switch p {
	case Legacy:
		return "legacy"
	case Passwordless:
		return "password-less"
	}
	return "modern"
}

// Kind is what an entry holds.
type Kind int

// Entry kinds, named as keytool names them.
const (
	TrustedCert Kind = iota
	PrivateKey
	SecretKey
)

func (k Kind) String() string {
	switch k {
	case PrivateKey:
		return "PrivateKeyEntry"
	case SecretKey:
		return "SecretKeyEntry"
	}
	return "trustedCertEntry"
}

// Entry is one alias of a store.
type Entry struct {
	Alias   string
	Kind    Kind
	Created time.Time
	// Certs is the trusted certificate (one) or the key's chain, leaf
	// first.
	Certs []*certs.Cert
	// Key is the private key as PKCS#8 DER, nil when it could not be
	// decrypted (then Protected keeps it as it was).
	Key []byte
	// Protected is a key kept exactly as the file had it, because its
	// password is not known; it is written back unchanged.
	Protected []byte
	// KeyPassword is the password a JKS key entry is protected with, when
	// it differs from the store password.
	KeyPassword []byte
}

// Cert is the entry's certificate: the trusted one, or the key's leaf.
func (e *Entry) Cert() *certs.Cert {
	if len(e.Certs) == 0 {
		return nil
	}
	return e.Certs[0]
}

// Store is a decoded store.
type Store struct {
	Format  Format
	Entries []*Entry
	// Protection is the PKCS#12 form the store was read in (or will be
	// written in).
	Protection Protection
	// Verified is false when a JKS store was read without its password,
	// so its integrity was not checked.
	Verified bool
	// Other holds the blocks of a PEM bundle that are neither
	// certificates nor private keys (CRLs, CSRs, DH parameters), in the
	// order they were read. A PEM bundle is written with them after its
	// entries, so a change to its entries never drops them; the other
	// formats have no place for them.
	Other []*pem.Block
	text  *pemText // what a PEM bundle held outside its blocks
	// Unread counts the bags of a PKCS#12 store that are not entries
	// here: secret keys (keytool's SecretKeyEntry), CRLs, bags of unknown
	// type. Such a store is not rewritten ([Edit] refuses it), as that
	// would drop them.
	Unread int

	path         string // as given to Open or Edit
	exists       bool   // read from a file
	password     []byte // written with; see SetPassword
	havePassword bool
}

// New returns an empty store of the given format.
func New(f Format) *Store { return &Store{Format: f, Verified: true} }

// ErrKeyProtected is wrapped by errors about a key entry whose key could
// not be decrypted (no key password given opens it) when the key itself is
// needed.
var ErrKeyProtected = errors.New("cannot be decrypted")

// ErrNoAlias is wrapped by errors about an alias that is not in the store.
var ErrNoAlias = errors.New("no such alias")

// AliasError names the alias that was not found.
type AliasError struct{ Alias string }

func (e *AliasError) Error() string { return fmt.Sprintf("no entry with alias %q", e.Alias) }
func (e *AliasError) Unwrap() error { return ErrNoAlias }

// SameAlias compares aliases as Java does: JKS and PKCS#12 aliases are
// case-insensitive (keytool lower-cases them when it writes).
func SameAlias(a, b string) bool { return strings.EqualFold(a, b) }

// Get returns the entry with the alias, or nil.
func (s *Store) Get(alias string) *Entry {
	for _, e := range s.Entries {
		if SameAlias(e.Alias, alias) {
			return e
		}
	}
	return nil
}

// ByFingerprint returns the first entry whose certificate has the SHA-256
// fingerprint, or nil.
func (s *Store) ByFingerprint(sum [32]byte) *Entry {
	for _, e := range s.Entries {
		if c := e.Cert(); c != nil && c.SHA256() == sum {
			return e
		}
	}
	return nil
}

// Delete removes the entries with the aliases. Every alias must exist;
// otherwise nothing is removed.
func (s *Store) Delete(aliases ...string) error {
	for _, a := range aliases {
		if s.Get(a) == nil {
			return &AliasError{Alias: a}
		}
	}
	kept := s.Entries[:0]
	for _, e := range s.Entries {
		drop := false
		for _, a := range aliases {
			if SameAlias(e.Alias, a) {
				drop = true
			}
		}
		if !drop {
			kept = append(kept, e)
		}
	}
	s.Entries = kept
	return nil
}

// Rename changes an alias and reports whether it changed. The new alias
// must be free (unless it differs from the old one only in case).
func (s *Store) Rename(oldAlias, newAlias string) (bool, error) {
	e := s.Get(oldAlias)
	if e == nil {
		return false, &AliasError{Alias: oldAlias}
	}
	if err := CheckAlias(newAlias); err != nil {
		return false, err
	}
	if o := s.Get(newAlias); o != nil && o != e {
		return false, fmt.Errorf("alias %q is already taken", newAlias)
	}
	if e.Alias == newAlias {
		return false, nil
	}
	if s.Format == FormatPEM {
		return false, fmt.Errorf("%s is a PEM bundle, whose aliases are derived from the certificates' subjects: it cannot keep the alias %q: %w", s.path, newAlias, ErrAliasesDerived)
	}
	e.Alias = newAlias
	return true, nil
}

// ChangePassword sets the store password the store is written with, and
// reports whether that changes anything. Key entries protected with the
// store password follow it; a JKS key entry with a password of its own
// keeps it. A password-less PKCS#12 store becomes a protected one (modern,
// unless its Protection was set otherwise). A PEM bundle has no password,
// and a key entry that could not be decrypted cannot be protected anew.
func (s *Store) ChangePassword(pw []byte) (bool, error) {
	if s.Format == FormatPEM {
		return false, fmt.Errorf("%s is a PEM bundle, which has no password", s.path)
	}
	for _, e := range s.Entries {
		if e.Kind == PrivateKey && e.Key == nil && e.KeyPassword == nil {
			return false, fmt.Errorf("key entry %q %w, so it cannot be protected with the new password", e.Alias, ErrKeyProtected)
		}
	}
	changed := false
	if s.Format == FormatPKCS12 && s.Protection == Passwordless {
		s.Protection = Modern
		changed = true
	}
	if !s.havePassword || !bytes.Equal(s.password, pw) {
		changed = true
	}
	s.SetPassword(pw)
	return changed, nil
}

// Convert makes the store one of format f, keeping every entry: a store
// that was not PKCS#12 becomes a modern one. It fails when an entry cannot
// be written in f: a key entry whose key could not be decrypted (a JKS
// key with a password of its own, not given), or a JCEKS secret key.
func (s *Store) Convert(f Format) error {
	if f == FormatJCEKS {
		return ErrReadOnly
	}
	for _, e := range s.Entries {
		switch {
		case e.Kind == PrivateKey && e.Key == nil:
			return fmt.Errorf("key entry %q of %s %w", e.Alias, s.path, ErrKeyProtected)
		case e.Kind == SecretKey:
			return fmt.Errorf("entry %q of %s is a JCEKS secret key, which trustctl does not write", e.Alias, s.path)
		}
	}
	if s.Format != FormatPKCS12 {
		s.Protection = Modern
	}
	s.Format = f
	return nil
}

// CheckAlias rejects aliases no keystore can hold.
func CheckAlias(a string) error {
	if strings.TrimSpace(a) == "" {
		return errors.New("empty alias")
	}
	for _, r := range a {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("alias %q contains a control character", a)
		}
	}
	return nil
}

// ManyKeysError is returned by [Store.KeyEntry] when the store holds
// several key entries and none was named.
type ManyKeysError struct {
	Path    string
	Aliases []string
}

func (e *ManyKeysError) Error() string {
	return fmt.Sprintf("%s holds %d key entries", e.Path, len(e.Aliases))
}

// KeyEntry returns the key entry with the alias, or the only key entry when
// alias is empty ([*ManyKeysError] when there are several).
func (s *Store) KeyEntry(alias string) (*Entry, error) {
	if alias != "" {
		e := s.Get(alias)
		if e == nil {
			return nil, &AliasError{Alias: alias}
		}
		if e.Kind != PrivateKey {
			return nil, fmt.Errorf("entry %q is a %s, not a key entry", e.Alias, e.Kind)
		}
		return e, nil
	}
	var found []*Entry
	for _, e := range s.Entries {
		if e.Kind == PrivateKey {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%s holds no private key entry", s.path)
	case 1:
		return found[0], nil
	}
	me := &ManyKeysError{Path: s.path}
	for _, e := range found {
		me.Aliases = append(me.Aliases, e.Alias)
	}
	return nil, me
}

// Named is a certificate and the name it is exported under.
type Named struct {
	Name string
	Cert *certs.Cert
}

// Certificates returns the certificates of the entries with the aliases
// (all entries, in alias order, when none is given): a trusted entry's
// certificate under its alias, a key entry's chain as ALIAS, ALIAS-1, ...
func (s *Store) Certificates(aliases ...string) ([]Named, error) {
	var sel []*Entry
	if len(aliases) == 0 {
		s.Sort()
		sel = s.Entries
	}
	for _, a := range aliases {
		e := s.Get(a)
		if e == nil {
			return nil, &AliasError{Alias: a}
		}
		sel = append(sel, e)
	}
	var out []Named
	for _, e := range sel {
		for i, c := range e.Certs {
			name := e.Alias
			if i > 0 {
				name = fmt.Sprintf("%s-%d", e.Alias, i)
			}
			out = append(out, Named{Name: name, Cert: c})
		}
	}
	return out, nil
}

// Sort orders entries by alias, the order keytool lists and trustctl
// writes, so that writing the same content gives the same bytes.
func (s *Store) Sort() {
	sort.SliceStable(s.Entries, func(i, j int) bool {
		return strings.ToLower(s.Entries[i].Alias) < strings.ToLower(s.Entries[j].Alias)
	})
}

func lowerAlias(a string) string { return strings.ToLower(a) }

// parseEntryCerts parses the certificates of n entries at once (see
// certs.ParseAll) and hands them back per entry.
func parseEntryCerts(n int, ders func(i int) [][]byte) [][]*certs.Cert {
	var all [][]byte
	for i := 0; i < n; i++ {
		all = append(all, ders(i)...)
	}
	parsed := certs.ParseAll(all)
	out := make([][]*certs.Cert, n)
	for i := 0; i < n; i++ {
		k := len(ders(i))
		out[i], parsed = parsed[:k:k], parsed[k:]
	}
	return out
}
