// Package jks reads and writes Java KeyStore (JKS) files and reads JCEKS
// files, the two proprietary store formats of the JDK's Sun providers.
//
// The codec is written here rather than on keystore-go (v4.5.0), which the
// rest of trustctl was planned around. keystore-go does carry a key entry
// whose key password is unknown through a load and store unchanged, but it
// cannot read a store without its password (Java can, leaving the integrity
// digest unchecked, and so does `keytool -list` with no password), cannot read
// JCEKS at all, reports a wrong store or key password only as the text "got
// invalid digest", allocates whatever a length field in the file says, and
// panics on a protected key shorter than 40 bytes. keystorego_test.go holds
// this codec against keystore-go in both directions. The format is small
// (sun.security.provider.JavaKeyStore and com.sun.crypto.provider.JceKeyStore):
//
//	magic      uint32  FEEDFEED (JKS) or CECECECE (JCEKS)
//	version    uint32  2 (1: certificates carry no type name)
//	count      uint32
//	entries    tag uint32 (1 key, 2 trusted certificate, 3 JCEKS secret key),
//	           alias (writeUTF), creation time (int64 ms), then the entry
//	digest     SHA-1(password as UTF-16BE || "Mighty Aphrodite" || all of the above)
//
// What it leaves out: JCEKS is read-only (Encode writes JKS), JCEKS secret-key
// entries are kept as opaque bytes and never decrypted, and keys are handed
// over as PKCS #8 DER without being parsed; turning them into crypto.Signer
// values is the caller's business. Certificates are not parsed either.
package jks

import (
	"bytes"
	"crypto/sha1"
	"crypto/subtle"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/secret"
)

const (
	magicJKS   = 0xFEEDFEED
	magicJCEKS = 0xCECECECE

	tagKey     = 1
	tagTrusted = 2
	tagSecret  = 3

	certTypeX509 = "X.509"
)

// whitener is mixed into the integrity digest after the password
// (JavaKeyStore.getPreKeyedHash; JceKeyStore uses the same phrase).
var whitener = []byte("Mighty Aphrodite")

var (
	// ErrWrongPassword means the store's integrity digest does not match the
	// store password. The digest covers the whole file, so a store whose bytes
	// were altered inside a well-formed structure (a flipped byte in a
	// certificate) reports this error too: the format cannot tell the two
	// apart. Damage that breaks the structure (truncation, bad lengths) is a
	// [*FormatError] instead. It is [secret.ErrWrongPassword] to errors.Is.
	ErrWrongPassword = secret.WrongPassword("wrong store password or damaged store")

	// ErrWrongKeyPassword means a key password does not decrypt a key
	// entry. It is [secret.ErrWrongPassword] to errors.Is.
	ErrWrongKeyPassword = secret.WrongPassword("wrong key password")

	// ErrUnsupported is returned by Encode for entries JKS cannot hold: JCEKS
	// secret-key entries and keys still protected with the JCEKS algorithm.
	ErrUnsupported = errors.New("not representable in JKS")
)

// FormatError reports data that is not a well-formed JKS or JCEKS store.
type FormatError struct {
	Offset int    // byte offset where reading failed
	Reason string // what was wrong there
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("malformed keystore at byte %d: %s", e.Offset, e.Reason)
}

// KeyError ties a key-entry failure to its alias.
type KeyError struct {
	Alias string
	Err   error
}

func (e *KeyError) Error() string { return fmt.Sprintf("key entry %q: %v", e.Alias, e.Err) }
func (e *KeyError) Unwrap() error { return e.Err }

// Entry is one store entry. Exactly one of Trusted, Secret or "key entry"
// (neither) holds.
type Entry struct {
	// Alias is lower-cased, as the JDK does when it loads a JKS or JCEKS
	// store (JavaKeyStore.convertAlias uses toLowerCase(Locale.ENGLISH)).
	Alias   string
	Created time.Time
	// Trusted marks a trustedCertEntry; Certs then holds one certificate.
	Trusted bool
	// Certs is the certificate DER: one for a trusted entry, the chain (leaf
	// first) for a key entry.
	Certs [][]byte
	// Key is the private key as PKCS #8 DER, nil when it was not decrypted.
	Key []byte
	// Protected is the key as stored (an EncryptedPrivateKeyInfo), set when
	// Key is nil, so that Encode writes the entry back unchanged. For a
	// secret-key entry it holds the serialized SealedObject.
	Protected []byte
	// Secret marks a JCEKS secret-key entry, which is kept opaque.
	Secret bool
}

// File is a decoded store.
type File struct {
	Entries []Entry // in file order
	JCEKS   bool    // read from a JCEKS store
	// Verified reports that the integrity digest was checked against the
	// store password; false when Decode was given no store password.
	Verified bool
}

// reader reads the big-endian fields of java.io.DataInputStream, never
// trusting a length beyond the bytes that remain.
type reader struct {
	b   []byte
	off int
}

func (r *reader) fail(reason string) error { return &FormatError{Offset: r.off, Reason: reason} }

func (r *reader) u32(what string) (uint32, error) {
	if len(r.b)-r.off < 4 {
		return 0, r.fail("truncated " + what)
	}
	r.off += 4
	return binary.BigEndian.Uint32(r.b[r.off-4:]), nil
}

func (r *reader) bytes(n int, what string) ([]byte, error) {
	if n < 0 || len(r.b)-r.off < n {
		return nil, r.fail("truncated " + what)
	}
	r.off += n
	return r.b[r.off-n : r.off : r.off], nil
}

func (r *reader) lenBytes(what string) ([]byte, error) {
	n, err := r.u32(what + " length")
	if err != nil {
		return nil, err
	}
	if n > math.MaxInt32 {
		return nil, r.fail("negative " + what + " length")
	}
	return r.bytes(int(n), what)
}

func (r *reader) utf(what string) (string, error) {
	if len(r.b)-r.off < 2 {
		return "", r.fail("truncated " + what)
	}
	n := int(binary.BigEndian.Uint16(r.b[r.off:]))
	r.off += 2
	b, err := r.bytes(n, what)
	if err != nil {
		return "", err
	}
	s, err := decodeMUTF8(b)
	if err != nil {
		r.off -= n
		return "", r.fail(what + ": " + err.Error())
	}
	return s, nil
}

func (r *reader) cert(version uint32) ([]byte, error) {
	if version == 2 {
		t, err := r.utf("certificate type")
		if err != nil {
			return nil, err
		}
		if t != certTypeX509 && !strings.EqualFold(t, "X509") {
			// The JDK looks up a CertificateFactory for the type; only
			// X.509 exists in practice, which the SUN provider also
			// registers as "X509" (the name keystore-go users often
			// write).
			return nil, r.fail(fmt.Sprintf("unsupported certificate type %q", t))
		}
	}
	return r.lenBytes("certificate")
}

// Decode reads a JKS or JCEKS store.
//
// With a nil storePassword the integrity digest is not checked (Verified is
// false), as the JDK does when it loads a store with a null password. With a
// store password, a digest mismatch returns [ErrWrongPassword].
//
// Key entries are decrypted with keyPassword(alias); when keyPassword is nil
// or returns nil, the store password is tried, as keytool does. A key the
// store password does not decrypt (or any key, when no password is at hand) is
// kept in Entry.Protected. A password that keyPassword returned explicitly
// and that fails returns a [*KeyError] wrapping [ErrWrongKeyPassword].
// Malformed data returns a [*FormatError], and key entries that together
// ask for too much key derivation work [ErrTooMuchWork].
func Decode(data, storePassword []byte, keyPassword func(alias string) []byte) (*File, error) {
	// One copy, so that the entries may share it and the caller may reuse data.
	r := &reader{b: bytes.Clone(data)}
	magic, err := r.u32("magic")
	if err != nil {
		return nil, err
	}
	f := &File{}
	switch magic {
	case magicJKS:
	case magicJCEKS:
		f.JCEKS = true
	default:
		return nil, &FormatError{Offset: 0, Reason: "not a JKS or JCEKS store"}
	}
	version, err := r.u32("version")
	if err != nil {
		return nil, err
	}
	if version != 1 && version != 2 {
		return nil, r.fail(fmt.Sprintf("unsupported version %d", version))
	}
	count, err := r.u32("entry count")
	if err != nil {
		return nil, err
	}
	// Each entry takes at least 14 bytes; do not let the count size the slice.
	f.Entries = make([]Entry, 0, min(int(count), (len(r.b)-r.off)/14))
	index := make(map[string]int, cap(f.Entries))
	for i := uint32(0); i < count; i++ {
		e, err := readEntry(r, version, f.JCEKS)
		if err != nil {
			return nil, err
		}
		// The JDK keeps entries in a map, so a repeated alias replaces the
		// earlier entry.
		if j, ok := index[e.Alias]; ok {
			f.Entries[j] = e
			continue
		}
		index[e.Alias] = len(f.Entries)
		f.Entries = append(f.Entries, e)
	}
	end := r.off
	digest, err := r.bytes(sha1.Size, "integrity digest")
	if err != nil {
		return nil, err
	}
	// Bytes after the digest are ignored, as the JDK ignores them.
	if storePassword != nil {
		if subtle.ConstantTimeCompare(storeDigest(storePassword, r.b[:end]), digest) != 1 {
			return nil, ErrWrongPassword
		}
		f.Verified = true
	}
	// Every key entry is tried with a password below; the sum of what
	// that costs is checked before any key is derived.
	if storePassword != nil || keyPassword != nil {
		work := 0
		for i := range f.Entries {
			if e := &f.Entries[i]; !e.Trusted && !e.Secret {
				work += derivationWork(e.Protected)
			}
		}
		if work > maxDecodeWork {
			return nil, ErrTooMuchWork
		}
	}
	for i := range f.Entries {
		e := &f.Entries[i]
		if e.Trusted || e.Secret {
			continue
		}
		var pw []byte
		if keyPassword != nil {
			pw = keyPassword(e.Alias)
		}
		explicit := pw != nil
		if !explicit {
			pw = storePassword
		}
		if pw == nil {
			continue
		}
		if err := e.Decrypt(pw); err != nil && explicit {
			return nil, err
		}
	}
	return f, nil
}

func readEntry(r *reader, version uint32, jceks bool) (Entry, error) {
	var e Entry
	start := r.off
	tag, err := r.u32("entry tag")
	if err != nil {
		return e, err
	}
	alias, err := r.utf("alias")
	if err != nil {
		return e, err
	}
	e.Alias = strings.ToLower(alias)
	ms, err := r.u32("creation time")
	if err != nil {
		return e, err
	}
	ls, err := r.u32("creation time")
	if err != nil {
		return e, err
	}
	e.Created = time.UnixMilli(int64(uint64(ms)<<32 | uint64(ls))).UTC()
	switch tag {
	case tagKey:
		if e.Protected, err = r.lenBytes("protected key"); err != nil {
			return e, err
		}
		n, err := r.u32("chain length")
		if err != nil {
			return e, err
		}
		if n > uint32(len(r.b)-r.off)/4 {
			return e, r.fail("chain length beyond end of data")
		}
		e.Certs = make([][]byte, 0, n)
		for j := uint32(0); j < n; j++ {
			c, err := r.cert(version)
			if err != nil {
				return e, err
			}
			e.Certs = append(e.Certs, c)
		}
	case tagTrusted:
		e.Trusted = true
		c, err := r.cert(version)
		if err != nil {
			return e, err
		}
		e.Certs = [][]byte{c}
	case tagSecret:
		if !jceks {
			return e, &FormatError{Offset: start, Reason: "secret-key entry in a JKS store"}
		}
		n, err := skipSerialized(r.b[r.off:])
		if err != nil {
			return e, r.fail("secret-key entry: " + err.Error())
		}
		e.Secret = true
		e.Protected, _ = r.bytes(n, "secret key")
	default:
		return e, &FormatError{Offset: start, Reason: fmt.Sprintf("unknown entry tag %d", tag)}
	}
	return e, nil
}

// Decrypt decrypts the entry's protected key with password and sets Key
// (clearing Protected). A password that does not fit returns a [*KeyError]
// wrapping [ErrWrongKeyPassword]; the entry is then left as it was.
// Decrypting an entry whose Key is already set does nothing.
func (e *Entry) Decrypt(password []byte) error {
	if e.Key != nil {
		return nil
	}
	if e.Trusted || e.Secret || e.Protected == nil {
		return &KeyError{Alias: e.Alias, Err: errors.New("not a protected key entry")}
	}
	key, err := unprotect(e.Protected, password)
	if errors.Is(err, errBadKeyPassword) {
		err = ErrWrongKeyPassword
	}
	if err != nil {
		return &KeyError{Alias: e.Alias, Err: err}
	}
	e.Key, e.Protected = key, nil
	return nil
}

func storeDigest(password, data []byte) []byte {
	pw := passwordBytes(password)
	defer zero(pw)
	h := sha1.New()
	h.Write(pw)
	h.Write(whitener)
	h.Write(data)
	return h.Sum(nil)
}

// Options tune [EncodeWith].
type Options struct {
	// KeyPassword gives the password of a key entry; nil, or nil for an
	// alias, means the store password.
	KeyPassword func(alias string) []byte
	// DerivedSalts makes the salt of each newly protected key a function
	// of its entry (alias, key and chain) instead of random, so that the
	// same entries under the same passwords give the same bytes. It
	// reveals that two such files, or two entries, hold the same key.
	DerivedSalts bool
}

// Encode writes f as a JKS store (version 2), whatever f.JCEKS says, with the
// entries sorted by alias so that the same content gives the same bytes
// (apart from the random salt of newly protected keys; see [EncodeWith]).
//
// Aliases are lower-cased; two entries with the same alias are an error.
// A key entry with Key set is protected with keyPassword(alias), or with the
// store password when keyPassword is nil or returns nil. A key entry with
// only Protected is written back byte for byte; when that protection is
// JCEKS's, which the JDK's JKS provider cannot read, Encode returns an error
// wrapping [ErrUnsupported] (decrypt it first), as it does for secret-key
// entries. Key entries need a certificate chain, as KeyStore.setKeyEntry
// demands. A zero Created is written as the leaf certificate's NotBefore
// (or the Unix epoch if it cannot be parsed), never the current time, so
// output stays deterministic.
func Encode(f *File, storePassword []byte, keyPassword func(alias string) []byte) ([]byte, error) {
	return EncodeWith(f, storePassword, Options{KeyPassword: keyPassword})
}

// EncodeWith is [Encode] with options.
func EncodeWith(f *File, storePassword []byte, opts Options) ([]byte, error) {
	if storePassword == nil {
		return nil, errors.New("encoding a keystore needs a store password")
	}
	entries := make([]*Entry, len(f.Entries))
	size := 12 + sha1.Size
	for i := range f.Entries {
		entries[i] = &f.Entries[i]
		size += 64 + len(f.Entries[i].Key) + len(f.Entries[i].Protected)
		for _, c := range f.Entries[i].Certs {
			size += 16 + len(c)
		}
	}
	aliases := make([]string, len(entries))
	for i, e := range entries {
		aliases[i] = strings.ToLower(e.Alias)
	}
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(aliases[a], aliases[b]) })

	out := make([]byte, 0, size)
	out = binary.BigEndian.AppendUint32(out, magicJKS)
	out = binary.BigEndian.AppendUint32(out, 2)
	out = binary.BigEndian.AppendUint32(out, uint32(len(entries)))
	for k, i := range order {
		e, alias := entries[i], aliases[i]
		if alias == "" {
			return nil, errors.New("entry with an empty alias")
		}
		if k > 0 && aliases[order[k-1]] == alias {
			return nil, fmt.Errorf("two entries with alias %q", alias)
		}
		var err error
		if out, err = appendEntry(out, e, alias, storePassword, opts); err != nil {
			return nil, err
		}
	}
	return append(out, storeDigest(storePassword, out)...), nil
}

func appendUTF(out []byte, s, what string) ([]byte, error) {
	b := encodeMUTF8(s)
	if len(b) > math.MaxUint16 {
		return nil, fmt.Errorf("%s longer than 65535 bytes", what)
	}
	out = binary.BigEndian.AppendUint16(out, uint16(len(b)))
	return append(out, b...), nil
}

func appendBytes(out, b []byte, what string) ([]byte, error) {
	if len(b) > math.MaxInt32 {
		return nil, fmt.Errorf("%s too large", what)
	}
	out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
	return append(out, b...), nil
}

func appendCert(out, der []byte) ([]byte, error) {
	out, _ = appendUTF(out, certTypeX509, "")
	return appendBytes(out, der, "certificate")
}

func appendEntry(out []byte, e *Entry, alias string, storePassword []byte, opts Options) ([]byte, error) {
	var err error
	switch {
	case e.Secret:
		return nil, fmt.Errorf("entry %q: secret-key entry: %w", alias, ErrUnsupported)
	case e.Trusted:
		if len(e.Certs) != 1 {
			return nil, fmt.Errorf("trusted entry %q has %d certificates, want 1", alias, len(e.Certs))
		}
		out = binary.BigEndian.AppendUint32(out, tagTrusted)
	default:
		if len(e.Certs) == 0 {
			return nil, &KeyError{Alias: alias, Err: errors.New("no certificate chain")}
		}
		out = binary.BigEndian.AppendUint32(out, tagKey)
	}
	if out, err = appendUTF(out, alias, "alias"); err != nil {
		return nil, err
	}
	out = binary.BigEndian.AppendUint64(out, uint64(created(e).UnixMilli()))
	if e.Trusted {
		return appendCert(out, e.Certs[0])
	}
	var protected []byte
	switch {
	case e.Key != nil:
		var pw, salt []byte
		if opts.KeyPassword != nil {
			pw = opts.KeyPassword(alias)
		}
		if pw == nil {
			pw = storePassword
		}
		if opts.DerivedSalts {
			if salt, err = derivedSalt(alias, e); err != nil {
				return nil, &KeyError{Alias: alias, Err: err}
			}
		}
		if protected, err = sunJKSEncrypt(e.Key, pw, salt); err != nil {
			return nil, &KeyError{Alias: alias, Err: err}
		}
	case e.Protected != nil:
		if !protectionOID(e.Protected).Equal(oidSunJKS) {
			return nil, &KeyError{Alias: alias, Err: fmt.Errorf("key protected with an algorithm JKS cannot read: %w", ErrUnsupported)}
		}
		protected = e.Protected
	default:
		return nil, &KeyError{Alias: alias, Err: errors.New("no key")}
	}
	if out, err = appendBytes(out, protected, "protected key"); err != nil {
		return nil, err
	}
	out = binary.BigEndian.AppendUint32(out, uint32(len(e.Certs)))
	for _, c := range e.Certs {
		if out, err = appendCert(out, c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func created(e *Entry) time.Time {
	if !e.Created.IsZero() {
		return e.Created
	}
	if len(e.Certs) > 0 {
		if c, err := x509.ParseCertificate(e.Certs[0]); err == nil {
			return c.NotBefore
		}
	}
	return time.Unix(0, 0)
}
