package store

import (
	"errors"
	"fmt"

	"github.com/trustctl/trustctl/internal/secret"
)

// ErrWrongPassword is returned when a store's password does not open it
// (a JKS digest or PKCS#12 MAC that does not match). The codecs' own
// sentinels are translated to it. It is [secret.ErrWrongPassword] to
// errors.Is.
var ErrWrongPassword = secret.WrongPassword("wrong store password")

// ErrWrongKeyPassword is returned when a key entry's password does not
// decrypt it. It is [secret.ErrWrongPassword] to errors.Is.
var ErrWrongKeyPassword = secret.WrongPassword("wrong key password")

// ErrAliasesDerived is returned for a rename in a PEM bundle, whose
// aliases are derived from the certificates each time it is read.
var ErrAliasesDerived = errors.New("a PEM bundle keeps no aliases")

// UnreadBagsError is returned for a change to a PKCS#12 store that holds
// bags trustctl does not read (see [Store.Unread]): writing the store
// would drop them.
type UnreadBagsError struct{ N int }

func (e *UnreadBagsError) Error() string {
	return fmt.Sprintf("holds %d PKCS#12 bag(s) that trustctl does not read (a secret key, a CRL), which writing it would drop", e.N)
}

// ErrReadOnly is returned for a change to a JCEKS store: trustctl reads
// JCEKS but never writes it (convert it to PKCS#12 or JKS first).
var ErrReadOnly = errors.New("a JCEKS store, which trustctl reads but does not write")

// Decode reads a store of a known format with the passwords given. Without
// a store password (StoreGiven false) a JKS store is read without checking
// its integrity (Verified false) and a PKCS#12 store is tried as
// password-less, then with the empty password. Key entries are decrypted
// as [Passwords] says; pw.Ask is consulted for key passwords only, never
// for the store password (that is [Open]'s business).
func Decode(data []byte, f Format, pw Passwords) (*Store, error) {
	return decode(data, f, newSecrets(pw, ""))
}

func decode(data []byte, f Format, s *secrets) (*Store, error) {
	switch f {
	case FormatJKS, FormatJCEKS:
		return decodeJKS(data, s)
	case FormatPKCS12:
		return decodeP12(data, s)
	case FormatPEM:
		return decodePEM(data, s)
	}
	return nil, fmt.Errorf("unknown store format")
}

// EncodeOptions carries what encoding may need.
type EncodeOptions struct {
	Password []byte
	// KeyPassword gives a JKS key entry's password; nil or a nil result
	// means the entry's own KeyPassword, else the store password.
	KeyPassword func(alias string) []byte
	// Reproducible derives the salts and IVs of private keys from the
	// entries too, instead of drawing fresh random ones. It reveals that
	// two stores hold the same key under the same password, which is why
	// it is asked for rather than done always.
	Reproducible bool
}

// Encode writes the store in its format. Entries are written sorted by
// alias. A JCEKS store is not written ([ErrReadOnly]): convert it by
// setting another Format first.
//
// A store that holds no private key is written reproducibly: its bytes
// are a function of its entries and its password, so the same entries
// give the same file on any machine, at any time, in any order. JKS
// entries carry the creation dates they have; PKCS#12 salts and IVs are
// derived from the entries, never from the password (see p12.Options).
// A store with a private key gets fresh random salts, unless
// opts.Reproducible.
func (s *Store) Encode(opts EncodeOptions) ([]byte, error) {
	s.Sort()
	switch s.Format {
	case FormatJKS:
		return encodeJKS(s, opts)
	case FormatJCEKS:
		return nil, ErrReadOnly
	case FormatPKCS12:
		return encodeP12(s, opts)
	case FormatPEM:
		return encodePEM(s)
	}
	return nil, fmt.Errorf("unknown store format")
}
