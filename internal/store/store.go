// Package store is trustctl's model of a keystore or truststore: a list of
// entries with aliases, each a trusted certificate or a private key with
// its chain, over three file formats (JKS, PKCS#12 and PEM bundles; JCEKS
// is read but never written). It computes what import, sync and diff would
// change as plan values, and encodes stores back in the form they had.
//
// It does not sniff formats (internal/source does, from content) and it
// does not print; writing to disk goes through internal/safefile.
package store

import (
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
}

// New returns an empty store of the given format.
func New(f Format) *Store { return &Store{Format: f, Verified: true} }

// ErrNoAlias is wrapped by errors about an alias that is not in the store.
var ErrNoAlias = errors.New("no such alias")

// AliasError names the alias that was not found.
type AliasError struct{ Alias string }

func (e *AliasError) Error() string { return fmt.Sprintf("no entry with alias %q", e.Alias) }
func (e *AliasError) Unwrap() error { return ErrNoAlias }

// sameAlias compares aliases as Java does: JKS and PKCS#12 aliases are
// case-insensitive (keytool lower-cases them when it writes).
func sameAlias(a, b string) bool { return strings.EqualFold(a, b) }

// Get returns the entry with the alias, or nil.
func (s *Store) Get(alias string) *Entry {
	for _, e := range s.Entries {
		if sameAlias(e.Alias, alias) {
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
			if sameAlias(e.Alias, a) {
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

// Rename changes an alias. The new alias must be free (unless it differs
// from the old one only in case).
func (s *Store) Rename(oldAlias, newAlias string) error {
	e := s.Get(oldAlias)
	if e == nil {
		return &AliasError{Alias: oldAlias}
	}
	if err := CheckAlias(newAlias); err != nil {
		return err
	}
	if o := s.Get(newAlias); o != nil && o != e {
		return fmt.Errorf("alias %q is already taken", newAlias)
	}
	e.Alias = newAlias
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
