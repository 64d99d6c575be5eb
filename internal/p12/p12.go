// Package p12 reads and writes PKCS#12 (RFC 7292) key and trust stores in
// the shapes keytool and OpenSSL produce: any number of private keys with
// their chains, trusted certificates carrying the Java trusted-key-usage
// attribute, plain certificates, and password-less stores like the JDK 18+
// cacerts. BER input, as Windows exports it, is read too (tested with
// synthetic BER, not with a Windows-made file).
//
// Decode accepts PBES1 (3DES, 2-key 3DES, RC2-40, RC2-128 with SHA-1) and
// PBES2 (AES-CBC or 3DES with PBKDF2 over HMAC-SHA-1/224/256/384/512)
// encryption, and HMAC-SHA-1/224/256/384/512 or PBMAC1 (RFC 9579)
// integrity. Encode writes three profiles, see [Encryption].
//
// go-pkcs12 decodes one key per file (DecodeChain) or all-trusted stores
// (DecodeTrustStore) and encodes the same two shapes, so trustctl has its
// own codec; gopkcs12_test.go checks that within those shapes each reads
// what the other writes.
//
// Left out: public-key integrity and privacy modes (signedData and
// envelopedData, which nothing in the Java world writes); writing PBMAC1;
// secret bags (keytool's SecretKeyEntry) and CRL bags, which Decode skips
// and counts in [File.Skipped]; bag attributes other than friendlyName,
// localKeyID and the Java trusted-key-usage attribute. Keys stay PKCS#8
// DER: parsing them is the caller's business.
package p12

import (
	"fmt"

	"github.com/trustctl/trustctl/internal/secret"
)

// Encryption is how a store is protected.
type Encryption int

const (
	// Modern is what JDK 17+ and OpenSSL 3 write: PBES2 with
	// PBKDF2-HMAC-SHA-256 and AES-256-CBC for keys and certificates, and an
	// HMAC-SHA-256 MAC, all with 10000 iterations. 10000 is the JDK's
	// default (keystore.pkcs12.*IterationCount in java.security since JDK
	// 11.0.12/17); OpenSSL's 2048 would be cheaper, but Java is the reader
	// most stores are written for and matching it makes our files look like
	// keytool's.
	Modern Encryption = iota
	// Legacy is what pre-2021 JDKs, Windows Server 2016 and macOS
	// Keychain read: pbeWithSHAAnd3-KeyTripleDES-CBC for keys and
	// certificates and an HMAC-SHA-1 MAC, 2048 iterations (OpenSSL's
	// long-standing default). RC2, which OpenSSL 1.x used for
	// certificates, is read but never written: OpenSSL 3 needs its legacy
	// provider for it.
	Legacy
	// None is a password-less store, as JDK 18+ writes cacerts and as
	// keytool writes with keystore.pkcs12.certProtectionAlgorithm=NONE and
	// keystore.pkcs12.macAlgorithm=NONE: no MAC and certificates in plain
	// data. Keys, if any, are still encrypted (Modern scheme) with the
	// password when one is given, as the JDK does; with an empty password
	// they are written as plain keyBags, which OpenSSL reads and the JDK
	// does not.
	None
)

func (e Encryption) String() string {
	switch e {
	case Modern:
		return "modern"
	case Legacy:
		return "legacy"
	case None:
		return "none"
	}
	return fmt.Sprintf("Encryption(%d)", int(e))
}

// Entry is one alias of a store: a private key with its chain, or one
// certificate.
type Entry struct {
	// Alias is the friendlyName attribute; it may be empty.
	Alias string
	// LocalKeyID ties a key to its certificate inside the file. Decode
	// reports it; Encode uses it for key entries when set and otherwise
	// derives one from the leaf certificate.
	LocalKeyID []byte
	// Key is the private key as PKCS#8 PrivateKeyInfo DER, decrypted; nil
	// for a certificate entry.
	Key []byte
	// Certs is, for a key entry, its chain leaf first and then each
	// certificate's issuer; for a certificate entry exactly one
	// certificate. Certificates crypto/x509 refuses are kept as they are.
	Certs [][]byte
	// Trusted is true for a certificate carrying the Java
	// trusted-key-usage attribute (OID 2.16.840.1.113894.746875.1.1),
	// which is what keytool lists as a trustedCertEntry. The JDK reads a
	// certificate without it (and without a key) only as chain material,
	// not as an entry, so truststores for Java set it on every certificate.
	Trusted bool
}

// File is a decoded PKCS#12 store.
type File struct {
	Entries []Entry
	// Encryption is the profile found on Decode: None when there is no MAC
	// and no encrypted certificates, Modern when PBES2 or a SHA-2 MAC is
	// used, Legacy otherwise (SHA-1 MAC, 3DES or RC2).
	Encryption Encryption
	// Skipped counts the bags Decode did not turn into entries: secret
	// keys (keytool's SecretKeyEntry), CRLs and bags of unknown type, so a
	// caller can warn before rewriting the store without them. Encode
	// ignores it.
	Skipped int
}

// ErrWrongPassword is returned when the MAC does not verify with the
// password, or, in a store without a MAC, when decryption fails. A damaged
// MAC or a flipped byte in the protected data look the same. It is
// [secret.ErrWrongPassword].
var ErrWrongPassword = secret.ErrWrongPassword

// FormatError is returned for data that is not PKCS#12 or is damaged:
// truncated, garbage, or a structure that does not follow RFC 7292.
type FormatError struct {
	What string // the part that could not be read
	Err  error  // the underlying ASN.1 error, may be nil
}

func (e *FormatError) Error() string {
	if e.Err == nil {
		return "not a valid PKCS#12 file: bad " + e.What
	}
	return "not a valid PKCS#12 file: bad " + e.What + ": " + e.Err.Error()
}

func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(what string, err error) error { return &FormatError{What: what, Err: err} }

// UnsupportedError is returned for a well-formed store that uses an
// algorithm or mode this package does not implement.
type UnsupportedError struct {
	What string
}

func (e *UnsupportedError) Error() string { return "unsupported PKCS#12 " + e.What }
