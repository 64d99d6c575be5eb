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
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"unicode/utf16"
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

// IsKey reports whether e is a private key entry.
func (e *Entry) IsKey() bool { return e.Key != nil }

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
// MAC or a flipped byte in the protected data look the same.
var ErrWrongPassword = errors.New("wrong password")

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

// Object identifiers of RFC 7292 section 4 and appendix D, PKCS#7 and PKCS#9.
var (
	oidDataContentType          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedDataContentType    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidEnvelopedDataContentType = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}
	oidEncryptedDataContentType = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}

	oidKeyBag              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidPKCS8ShroudedKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidSafeContentsBag     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 6}

	oidCertTypeX509 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}

	oidFriendlyName = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidLocalKeyID   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	// oidJavaTrustedKeyUsage is the attribute the JDK's PKCS12KeyStore
	// writes on trusted certificate entries (ORACLE_TrustedKeyUsage); its
	// values are extended key usage OIDs, anyExtendedKeyUsage by default.
	oidJavaTrustedKeyUsage = asn1.ObjectIdentifier{2, 16, 840, 1, 113894, 746875, 1, 1}
	oidAnyExtendedKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
)

type pfxPDU struct {
	Version  int
	AuthSafe contentInfo
	MacData  asn1.RawValue `asn1:"optional"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"optional"` // [0] EXPLICIT, see explicit0
}

type encryptedData struct {
	Version              int
	EncryptedContentInfo encryptedContentInfo
}

type encryptedContentInfo struct {
	ContentType                asn1.ObjectIdentifier
	ContentEncryptionAlgorithm pkix.AlgorithmIdentifier
	EncryptedContent           asn1.RawValue `asn1:"optional"`
}

type macData struct {
	Mac        digestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

type safeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue     // [0] EXPLICIT, see explicit0
	Attributes []pkcs12Attribute `asn1:"set,optional"`
}

type pkcs12Attribute struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue // SET OF values
}

type certBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

// explicit0 wraps an encoded element in a [0] EXPLICIT tag. encoding/asn1
// writes RawValue fields as they are, ignoring tag parameters, so the
// wrapping is done by hand in both directions.
func explicit0(inner []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}
}

// unwrap0 returns the element inside a [0] EXPLICIT tag.
func unwrap0(rv asn1.RawValue) (asn1.RawValue, bool) {
	var inner asn1.RawValue
	if rv.Class != asn1.ClassContextSpecific || rv.Tag != 0 || !rv.IsCompound {
		return inner, false
	}
	rest, err := asn1.Unmarshal(rv.Bytes, &inner)
	return inner, err == nil && len(rest) == 0
}

// octetString returns the value of an OCTET STRING inside [0] EXPLICIT.
func octetString(rv asn1.RawValue) ([]byte, bool) {
	rv, ok := unwrap0(rv)
	if !ok {
		return nil, false
	}
	if rv.Class != asn1.ClassUniversal || rv.Tag != asn1.TagOctetString || rv.IsCompound {
		return nil, false
	}
	return rv.Bytes, true
}

// Decode reads a PKCS#12 store. password may be nil or empty; a store
// without a MAC and without encrypted parts opens with any password. For the
// empty password both forms in use are tried, the RFC 7292 B.1 one (two
// zero bytes, what the JDK and OpenSSL write) and the absent password
// OpenSSL also accepts.
//
// Errors: [ErrWrongPassword], *[FormatError] for data that is not PKCS#12
// or is damaged, *[UnsupportedError] for algorithms not implemented.
func Decode(der []byte, password []byte) (*File, error) {
	// Bytes after the PFX are ignored, as OpenSSL's d2i and the JDK's
	// DerValue do: some exporters pad files, and both tools open them.
	data, err := berFirst(der)
	if err != nil {
		return nil, formatErr("encoding", err)
	}
	var pfx pfxPDU
	if _, err := asn1.Unmarshal(data, &pfx); err != nil {
		return nil, formatErr("PFX structure", err)
	}
	if pfx.Version != 3 {
		return nil, formatErr(fmt.Sprintf("version %d (want 3)", pfx.Version), nil)
	}
	switch {
	case pfx.AuthSafe.ContentType.Equal(oidDataContentType):
	case pfx.AuthSafe.ContentType.Equal(oidSignedDataContentType):
		return nil, &UnsupportedError{What: "public-key integrity mode (signedData)"}
	default:
		return nil, formatErr("authSafe content type "+pfx.AuthSafe.ContentType.String(), nil)
	}
	authSafe, ok := octetString(pfx.AuthSafe.Content)
	if !ok {
		return nil, formatErr("authSafe content", nil)
	}

	forms := []passwords{{bmp: bmpPassword(password), raw: password}}
	if len(password) == 0 {
		// OpenSSL's PKCS12_verify_mac retries with a NULL password, whose
		// KDF input is empty rather than the two-byte terminator.
		forms = append(forms, passwords{})
	}
	// The parts are decrypted, in the background, with the first form while
	// the MAC is checked; a MAC that verifies with another form discards
	// them.
	pre := prefetchParts(authSafe, forms[0])
	d := &decoder{}
	if len(pfx.MacData.FullBytes) > 0 {
		var md macData
		if err := unmarshalAll(pfx.MacData.FullBytes, &md); err != nil {
			return nil, formatErr("MAC data", err)
		}
		if md.Iterations < 1 || md.Iterations > maxIterations {
			return nil, formatErr(fmt.Sprintf("MAC iteration count %d", md.Iterations), nil)
		}
		d.hasMAC = true
		d.macSHA1 = md.Mac.Algorithm.Algorithm.Equal(oidSHA1)
		found := -1
		pbmac1 := md.Mac.Algorithm.Algorithm.Equal(oidPBMAC1)
		for i, pw := range forms {
			var mac []byte
			var err error
			if pbmac1 {
				mac, err = computePBMAC1(md.Mac.Algorithm.Parameters.FullBytes, pw.raw, authSafe)
			} else {
				mac, err = computeMAC(md.Mac.Algorithm.Algorithm, pw.bmp, md.MacSalt, md.Iterations, authSafe)
			}
			if err != nil {
				return nil, err
			}
			if hmac.Equal(mac, md.Mac.Digest) {
				found = i
				break
			}
		}
		if found < 0 {
			return nil, ErrWrongPassword
		}
		if found != 0 {
			forms[0], forms[found] = forms[found], forms[0]
			pre = nil
		}
	}

	var failed *decryptFailure
	for i, pw := range forms {
		d.reset(pw)
		if i == 0 {
			d.pre = pre
		}
		err := d.authSafe(authSafe)
		if err == nil {
			return d.file(), nil
		}
		if !errors.As(err, &failed) {
			return nil, err
		}
	}
	if !d.hasMAC {
		return nil, ErrWrongPassword
	}
	// The MAC verified, so the store password is right, but a part does not
	// decrypt with it: a key protected with its own password, or damage.
	return nil, fmt.Errorf("%s does not decrypt with the store password: %w", failed.part, ErrWrongPassword)
}

// decryptFailure marks a part that did not decrypt (bad padding or not
// DER), which is what a wrong password gives.
type decryptFailure struct{ part string }

func (e *decryptFailure) Error() string { return "decrypting " + e.part + ": " + errDecrypt.Error() }

func wrapDecrypt(part string, err error) error {
	if errors.Is(err, errDecrypt) {
		return &decryptFailure{part: part}
	}
	return fmt.Errorf("decrypting %s: %w", part, err)
}

type keyItem struct {
	pkcs8      []byte
	alias      string
	localKeyID []byte
	order      int
}

type certItem struct {
	der        []byte
	alias      string
	localKeyID []byte
	trusted    bool
	order      int
	used       bool

	namesDone       bool
	issuer, subject []byte
}

type decoder struct {
	pw        passwords
	pre       prefetched // decryptions started ahead, for pw
	hasMAC    bool
	macSHA1   bool
	encrypted bool // some certificates or bags were in encryptedData
	pbes2     bool // PBES2 seen anywhere
	keys      []*keyItem
	certs     []*certItem
	order     int
	skipped   int
}

func (d *decoder) reset(pw passwords) {
	*d = decoder{pw: pw, hasMAC: d.hasMAC, macSHA1: d.macSHA1}
}

func (d *decoder) authSafe(data []byte) error {
	var cis []contentInfo
	if err := unmarshalAll(data, &cis); err != nil {
		return formatErr("AuthenticatedSafe", err)
	}
	for i, ci := range cis {
		switch {
		case ci.ContentType.Equal(oidDataContentType):
			sc, ok := octetString(ci.Content)
			if !ok {
				return formatErr(fmt.Sprintf("content %d", i+1), nil)
			}
			if err := d.safeContents(sc, 0); err != nil {
				return err
			}
		case ci.ContentType.Equal(oidEncryptedDataContentType):
			alg, ct, err := encryptedContent(&ci, i)
			if err != nil {
				return err
			}
			d.encrypted = true
			plain, pbes2, err := d.decrypt(alg, ct)
			d.pbes2 = d.pbes2 || pbes2
			if err != nil {
				return wrapDecrypt(fmt.Sprintf("content %d", i+1), err)
			}
			if err := d.safeContents(plain, 0); err != nil {
				return err
			}
		case ci.ContentType.Equal(oidEnvelopedDataContentType):
			return &UnsupportedError{What: "public-key privacy mode (envelopedData)"}
		default:
			return formatErr("content type "+ci.ContentType.String(), nil)
		}
	}
	return nil
}

// encryptedContent returns the algorithm and the ciphertext of ci, the
// content at index i of the AuthenticatedSafe, an encryptedData.
func encryptedContent(ci *contentInfo, i int) (pkix.AlgorithmIdentifier, []byte, error) {
	what := fmt.Sprintf("encrypted content %d", i+1)
	var ed encryptedData
	inner, ok := unwrap0(ci.Content)
	if !ok {
		return pkix.AlgorithmIdentifier{}, nil, formatErr(what, nil)
	}
	if err := unmarshalAll(inner.FullBytes, &ed); err != nil {
		return pkix.AlgorithmIdentifier{}, nil, formatErr(what, err)
	}
	enc := ed.EncryptedContentInfo.EncryptedContent
	if enc.Class != asn1.ClassContextSpecific || enc.Tag != 0 {
		return pkix.AlgorithmIdentifier{}, nil, formatErr(what, nil)
	}
	ct := enc.Bytes
	if enc.IsCompound {
		// [0] IMPLICIT OCTET STRING in constructed BER form: the
		// segments are OCTET STRINGs (X.690 8.7.3).
		var err error
		if ct, err = joinSegments(enc.Bytes); err != nil {
			return pkix.AlgorithmIdentifier{}, nil, formatErr(what, err)
		}
	}
	return ed.EncryptedContentInfo.ContentEncryptionAlgorithm, ct, nil
}

// decrypt is decrypt with the decoder's password, or the result of the
// same decryption started ahead by prefetchParts.
func (d *decoder) decrypt(alg pkix.AlgorithmIdentifier, ct []byte) ([]byte, bool, error) {
	if f := d.pre.take(alg, ct); f != nil {
		r, err := f.get()
		return r.plain, r.pbes2, err
	}
	return decrypt(alg, d.pw, ct)
}

func joinSegments(data []byte) ([]byte, error) {
	var out []byte
	for len(data) > 0 {
		var seg []byte
		rest, err := asn1.Unmarshal(data, &seg)
		if err != nil {
			return nil, err
		}
		out = append(out, seg...)
		data = rest
	}
	return out, nil
}

func (d *decoder) safeContents(data []byte, depth int) error {
	if depth > 8 {
		return formatErr("SafeContents nesting", nil)
	}
	var bags []safeBag
	if err := unmarshalAll(data, &bags); err != nil {
		return formatErr("SafeContents", err)
	}
	for i := range bags {
		if err := d.bag(&bags[i], depth); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) bag(b *safeBag, depth int) error {
	var alias string
	var localKeyID []byte
	trusted := false
	for _, a := range b.Attributes {
		switch {
		case a.ID.Equal(oidFriendlyName):
			s, err := decodeFriendlyName(a.Value)
			if err != nil {
				return formatErr("friendlyName", err)
			}
			alias = s
		case a.ID.Equal(oidLocalKeyID):
			var id []byte
			if err := firstValue(a.Value, &id); err != nil {
				return formatErr("localKeyID", err)
			}
			localKeyID = id
		case a.ID.Equal(oidJavaTrustedKeyUsage):
			trusted = true
		}
	}
	d.order++
	value, ok := unwrap0(b.Value)
	if !ok {
		return formatErr("bag value", nil)
	}
	switch {
	case b.ID.Equal(oidCertBag):
		var cb certBag
		if err := unmarshalAll(value.FullBytes, &cb); err != nil {
			return formatErr("certificate bag", err)
		}
		if !cb.ID.Equal(oidCertTypeX509) {
			d.skipped++ // sdsiCertificate: nothing writes it
			return nil
		}
		d.certs = append(d.certs, &certItem{der: cb.Data, alias: alias, localKeyID: localKeyID, trusted: trusted, order: d.order})
	case b.ID.Equal(oidKeyBag):
		if err := checkSequence(value.FullBytes); err != nil {
			return formatErr("key bag", err)
		}
		d.keys = append(d.keys, &keyItem{pkcs8: value.FullBytes, alias: alias, localKeyID: localKeyID, order: d.order})
	case b.ID.Equal(oidPKCS8ShroudedKeyBag):
		epki, err := shroudedKey(b)
		if err != nil {
			return err
		}
		key, pbes2, err := d.decrypt(epki.Algorithm, epki.Data)
		d.pbes2 = d.pbes2 || pbes2
		if err != nil {
			return wrapDecrypt(fmt.Sprintf("key %q", alias), err)
		}
		d.keys = append(d.keys, &keyItem{pkcs8: key, alias: alias, localKeyID: localKeyID, order: d.order})
	case b.ID.Equal(oidSafeContentsBag):
		return d.safeContents(value.FullBytes, depth+1)
	default:
		d.skipped++
	}
	// CRL and secret bags are skipped, see the package comment.
	return nil
}

// shroudedKey reads the EncryptedPrivateKeyInfo of a shrouded key bag.
func shroudedKey(b *safeBag) (encryptedPrivateKeyInfo, error) {
	var epki encryptedPrivateKeyInfo
	value, ok := unwrap0(b.Value)
	if !ok {
		return epki, formatErr("bag value", nil)
	}
	if err := unmarshalAll(value.FullBytes, &epki); err != nil {
		return epki, formatErr("shrouded key bag", err)
	}
	return epki, nil
}

func checkSequence(der []byte) error {
	var rv asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &rv); err == nil && len(rest) == 0 {
		// fast path: DER
	} else if err := unmarshalAll(der, &rv); err != nil {
		return err
	}
	if rv.Tag != asn1.TagSequence {
		return errors.New("not a SEQUENCE")
	}
	return nil
}

func firstValue(set asn1.RawValue, v any) error {
	if set.Tag != asn1.TagSet || !set.IsCompound {
		return errors.New("attribute values are not a SET")
	}
	_, err := asn1.Unmarshal(set.Bytes, v)
	return err
}

// decodeFriendlyName reads the BMPString of PKCS#9 friendlyName; a
// UTF8String, which some tools write, is accepted too.
func decodeFriendlyName(set asn1.RawValue) (string, error) {
	var rv asn1.RawValue
	if err := firstValue(set, &rv); err != nil {
		return "", err
	}
	switch rv.Tag {
	case asn1.TagBMPString:
		if len(rv.Bytes)%2 != 0 {
			return "", errors.New("odd-length BMPString")
		}
		u := make([]uint16, 0, len(rv.Bytes)/2)
		for i := 0; i < len(rv.Bytes); i += 2 {
			u = append(u, uint16(rv.Bytes[i])<<8|uint16(rv.Bytes[i+1]))
		}
		// The JDK writes no terminator, but some tools do.
		for len(u) > 0 && u[len(u)-1] == 0 {
			u = u[:len(u)-1]
		}
		return string(utf16.Decode(u)), nil
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String:
		return string(rv.Bytes), nil
	}
	return "", fmt.Errorf("friendlyName of ASN.1 tag %d", rv.Tag)
}

// names returns the raw issuer and subject of a certificate by walking the
// TBSCertificate (RFC 5280 4.1) without crypto/x509, so certificates it
// refuses still chain.
func (c *certItem) names() (issuer, subject []byte) {
	if c.namesDone {
		return c.issuer, c.subject
	}
	c.namesDone = true
	var cert, tbs asn1.RawValue
	if _, err := asn1.Unmarshal(c.der, &cert); err != nil || !cert.IsCompound {
		return nil, nil
	}
	if _, err := asn1.Unmarshal(cert.Bytes, &tbs); err != nil || !tbs.IsCompound {
		return nil, nil
	}
	rest := tbs.Bytes
	var fields []asn1.RawValue
	for len(rest) > 0 && len(fields) < 6 {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			return nil, nil
		}
		fields = append(fields, f)
	}
	// version [0] is optional (absent for v1 certificates).
	if len(fields) > 0 && fields[0].Class == asn1.ClassContextSpecific {
		fields = fields[1:]
	}
	if len(fields) < 5 {
		return nil, nil
	}
	c.issuer, c.subject = fields[2].FullBytes, fields[4].FullBytes
	return c.issuer, c.subject
}

func (c *certItem) selfIssued() bool {
	is, sub := c.names()
	return is != nil && bytes.Equal(is, sub)
}

// issues reports whether c's subject is the issuer of other.
func (c *certItem) issues(other *certItem) bool {
	_, sub := c.names()
	is, _ := other.names()
	return sub != nil && bytes.Equal(sub, is)
}

// file groups the bags into entries. Certificates whose localKeyID matches
// a key's are that key's; each key's chain then follows issuer links
// through the certificates that are neither trusted nor bound to another
// key (OpenSSL's -certfile CAs and the JDK's chain certificates carry no
// localKeyID). The rest are certificate entries; none is dropped.
func (d *decoder) file() *File {
	f := &File{Encryption: d.encryption(), Skipped: d.skipped}
	type ordered struct {
		order int
		e     Entry
	}
	var out []ordered
	bound := func(c *certItem) bool {
		if len(c.localKeyID) == 0 {
			return false
		}
		for _, k := range d.keys {
			if bytes.Equal(k.localKeyID, c.localKeyID) {
				return true
			}
		}
		return false
	}
	var pool []*certItem
	for _, c := range d.certs {
		if !c.trusted && !bound(c) {
			pool = append(pool, c)
		}
	}
	for _, k := range d.keys {
		var group []*certItem
		if len(k.localKeyID) > 0 {
			for _, c := range d.certs {
				if bytes.Equal(c.localKeyID, k.localKeyID) {
					group = append(group, c)
				}
			}
		}
		leaf := pickLeaf(k, group)
		if leaf == nil {
			// No localKeyID link: fall back to the certificate holding
			// the key's public key.
			leaf = matchByPublicKey(k, pool)
			if leaf != nil {
				group = []*certItem{leaf}
			}
		}
		e := Entry{Alias: k.alias, LocalKeyID: k.localKeyID, Key: k.pkcs8}
		if leaf != nil {
			if e.Alias == "" {
				e.Alias = leaf.alias
			}
			chain := []*certItem{leaf}
			leaf.used = true
			candidates := append(append([]*certItem{}, group...), pool...)
			for cur := leaf; !cur.selfIssued() && len(chain) < 32; {
				var next *certItem
				for _, c := range candidates {
					if c.issues(cur) && !inChain(chain, c) {
						next = c
						break
					}
				}
				if next == nil {
					break
				}
				chain = append(chain, next)
				next.used = true
				cur = next
			}
			// Certificates sharing the key's localKeyID that are not on the
			// issuer path stay with the key rather than be lost.
			for _, c := range group {
				if !c.used {
					chain = append(chain, c)
					c.used = true
				}
			}
			for _, c := range chain {
				e.Certs = append(e.Certs, c.der)
			}
		}
		out = append(out, ordered{k.order, e})
	}
	usedDER := map[string]bool{}
	for _, c := range d.certs {
		if c.used {
			usedDER[string(c.der)] = true
		}
	}
	for _, c := range d.certs {
		if c.used || (!c.trusted && usedDER[string(c.der)]) {
			continue
		}
		out = append(out, ordered{c.order, Entry{Alias: c.alias, LocalKeyID: c.localKeyID, Certs: [][]byte{c.der}, Trusted: c.trusted}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].order < out[j].order })
	f.Entries = make([]Entry, len(out))
	for i := range out {
		f.Entries[i] = out[i].e
	}
	return f
}

func inChain(chain []*certItem, c *certItem) bool {
	for _, x := range chain {
		if x == c || bytes.Equal(x.der, c.der) {
			return true
		}
	}
	return false
}

// pickLeaf chooses the key's own certificate among those sharing its
// localKeyID: the one with the key's public key, else the one that issued
// none of the others.
func pickLeaf(k *keyItem, group []*certItem) *certItem {
	switch len(group) {
	case 0:
		return nil
	case 1:
		return group[0]
	}
	if c := matchByPublicKey(k, group); c != nil {
		return c
	}
	for _, c := range group {
		issuer := false
		for _, o := range group {
			if o != c && c.issues(o) {
				issuer = true
				break
			}
		}
		if !issuer {
			return c
		}
	}
	return group[0]
}

func matchByPublicKey(k *keyItem, certs []*certItem) *certItem {
	if len(certs) == 0 {
		return nil
	}
	key, err := x509.ParsePKCS8PrivateKey(k.pkcs8)
	if err != nil {
		return nil
	}
	signer, ok := key.(interface{ Public() crypto.PublicKey })
	if !ok {
		return nil
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return nil
	}
	for _, c := range certs {
		if c.used {
			continue
		}
		xc, err := x509.ParseCertificate(c.der)
		if err == nil && pub.Equal(xc.PublicKey) {
			return c
		}
	}
	return nil
}

func (d *decoder) encryption() Encryption {
	switch {
	case !d.hasMAC && !d.encrypted:
		return None
	case d.pbes2 || (d.hasMAC && !d.macSHA1):
		return Modern
	}
	return Legacy
}

// Options tune [EncodeWith].
type Options struct {
	Encryption Encryption
	// Rand is the source of salts and IVs; nil means crypto/rand. Tests
	// pass a fixed stream to get identical bytes.
	Rand io.Reader
	// Iterations overrides the profile's iteration count for keys,
	// certificates and the MAC; 0 keeps the default.
	Iterations int
}

type profile struct {
	pbes2      bool
	iterations int
	saltLen    int
	macAlg     asn1.ObjectIdentifier
}

// Encode writes f as a PKCS#12 store protected with password using enc;
// see [Encryption] for the profiles.
func Encode(f *File, password []byte, enc Encryption) ([]byte, error) {
	return EncodeWith(f, password, Options{Encryption: enc})
}

// EncodeWith is [Encode] with options.
//
// Layout, as keytool and OpenSSL lay it out: one SafeContents with every
// certificate (encrypted once, so a 2,000-certificate truststore costs one
// key derivation), then one plain SafeContents with the shrouded keys.
// Trusted entries get friendlyName and the Java trusted-key-usage attribute
// with anyExtendedKeyUsage, as keytool writes them; a key entry's key and
// leaf get friendlyName and a shared localKeyID (the SHA-1 of the leaf, as
// OpenSSL derives it, when Entry.LocalKeyID is empty); chain certificates
// get no attributes and are written once even when several keys share them.
// A certificate entry that is not Trusted is written with friendlyName only.
func EncodeWith(f *File, password []byte, opts Options) ([]byte, error) {
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	pw := passwords{bmp: bmpPassword(password), raw: password}
	var prof profile
	switch opts.Encryption {
	case Modern, None:
		prof = profile{pbes2: true, iterations: 10000, saltLen: 16, macAlg: oidSHA256}
	case Legacy:
		prof = profile{pbes2: false, iterations: 2048, saltLen: 8, macAlg: oidSHA1}
	default:
		return nil, fmt.Errorf("unknown encryption %d", int(opts.Encryption))
	}
	if opts.Iterations > 0 {
		prof.iterations = opts.Iterations
	}

	// Each encrypted part is derived and encrypted in a goroutine of its
	// own (see parallel.go); their salts and IVs are read from rnd here,
	// in file order.
	type pendingKey struct {
		attrs []pkcs12Attribute
		alias string
		plain []byte          // for a key stored unencrypted
		seal  *future[sealed] // or its encryption
	}
	var certBags []safeBag
	var keys []pendingKey
	written := map[string]bool{} // chain certificates already written
	usedIDs := map[string]bool{}
	for i := range f.Entries {
		e := &f.Entries[i]
		if e.Key == nil {
			if len(e.Certs) != 1 {
				return nil, fmt.Errorf("entry %d (%q): a certificate entry needs exactly one certificate, has %d", i+1, e.Alias, len(e.Certs))
			}
			attrs, err := bagAttributes(e.Alias, nil, e.Trusted)
			if err != nil {
				return nil, err
			}
			b, err := newCertBag(e.Certs[0], attrs)
			if err != nil {
				return nil, fmt.Errorf("entry %d (%q): %w", i+1, e.Alias, err)
			}
			certBags = append(certBags, b)
			continue
		}
		if err := checkSequence(e.Key); err != nil {
			return nil, fmt.Errorf("entry %d (%q): key is not PKCS#8 DER: %w", i+1, e.Alias, err)
		}
		id := e.LocalKeyID
		if len(id) == 0 {
			src := e.Key
			if len(e.Certs) > 0 {
				src = e.Certs[0]
			}
			sum := sha1.Sum(src)
			id = sum[:]
			for n := 1; usedIDs[string(id)]; n++ {
				sum = sha1.Sum(append(append([]byte{}, src...), byte(n), byte(n>>8)))
				id = sum[:]
			}
		}
		if usedIDs[string(id)] {
			return nil, fmt.Errorf("entry %d (%q): localKeyID used by another key entry", i+1, e.Alias)
		}
		usedIDs[string(id)] = true
		attrs, err := bagAttributes(e.Alias, id, false)
		if err != nil {
			return nil, err
		}
		for j, c := range e.Certs {
			a := attrs
			if j > 0 {
				if written[string(c)] {
					continue
				}
				written[string(c)] = true
				a = nil
			}
			b, err := newCertBag(c, a)
			if err != nil {
				return nil, fmt.Errorf("entry %d (%q) certificate %d: %w", i+1, e.Alias, j+1, err)
			}
			certBags = append(certBags, b)
		}
		k := pendingKey{attrs: attrs, alias: e.Alias}
		if opts.Encryption == None && len(password) == 0 {
			k.plain = e.Key
		} else if k.seal, err = startEncrypt(prof, pw, rnd, e.Key); err != nil {
			return nil, fmt.Errorf("encrypting key %q: %w", e.Alias, err)
		}
		keys = append(keys, k)
	}

	// The AuthenticatedSafe and the PFX around it are written by hand, each
	// in one buffer of its exact size: through asn1.Marshal, a 2,000-entry
	// truststore was copied once per level of nesting.
	var cis []contentInfoDER
	var certSeal *future[sealed]
	if len(certBags) > 0 {
		sc, err := encodeSafeContents(certBags)
		if err != nil {
			return nil, fmt.Errorf("encoding certificates: %w", err)
		}
		if opts.Encryption == None {
			cis = append(cis, dataContentInfo(sc))
		} else if certSeal, err = startEncrypt(prof, pw, rnd, sc); err != nil {
			return nil, fmt.Errorf("encrypting certificates: %w", err)
		}
	}
	var macSalt []byte
	var macKey *future[[]byte]
	if opts.Encryption != None {
		macSalt = make([]byte, prof.saltLen)
		if _, err := io.ReadFull(rnd, macSalt); err != nil {
			return nil, err
		}
		macKey = async(prof.iterations, func() ([]byte, error) { return deriveMACKey(prof.macAlg, pw.bmp, macSalt, prof.iterations) })
	}

	if certSeal != nil {
		r, err := certSeal.get()
		if err != nil {
			return nil, fmt.Errorf("encrypting certificates: %w", err)
		}
		algDER, err := asn1.Marshal(r.alg)
		if err != nil {
			return nil, err
		}
		cis = append(cis, encryptedDataContentInfo(algDER, r.ct))
	}
	keyBags := make([]safeBag, 0, len(keys))
	for _, k := range keys {
		if k.seal == nil {
			keyBags = append(keyBags, safeBag{ID: oidKeyBag, Value: explicit0(k.plain), Attributes: k.attrs})
			continue
		}
		r, err := k.seal.get()
		if err != nil {
			return nil, fmt.Errorf("encrypting key %q: %w", k.alias, err)
		}
		epki, err := asn1.Marshal(encryptedPrivateKeyInfo{Algorithm: r.alg, Data: r.ct})
		if err != nil {
			return nil, err
		}
		keyBags = append(keyBags, safeBag{ID: oidPKCS8ShroudedKeyBag, Value: explicit0(epki), Attributes: k.attrs})
	}
	if len(keyBags) > 0 {
		sc, err := encodeSafeContents(keyBags)
		if err != nil {
			return nil, fmt.Errorf("encoding keys: %w", err)
		}
		cis = append(cis, dataContentInfo(sc))
	}
	// AuthenticatedSafe ::= SEQUENCE OF ContentInfo
	n := 0
	for _, ci := range cis {
		n += ci.len
	}
	authSafe := appendHeader(make([]byte, 0, elementLen(n)), 0x30, n)
	for _, ci := range cis {
		authSafe = ci.append(authSafe)
	}
	var md []byte
	if macKey != nil {
		key, err := macKey.get()
		if err != nil {
			return nil, err
		}
		mac, err := hmacOf(prof.macAlg, key, authSafe)
		if err != nil {
			return nil, err
		}
		md, err = asn1.Marshal(macData{
			Mac:        digestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: prof.macAlg, Parameters: asn1.NullRawValue}, Digest: mac},
			MacSalt:    macSalt,
			Iterations: prof.iterations,
		})
		if err != nil {
			return nil, err
		}
	}
	// PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }
	data := dataContentInfo(authSafe)
	n = len(derVersion3) + data.len + len(md)
	pfx := appendHeader(make([]byte, 0, elementLen(n)), 0x30, n)
	pfx = append(pfx, derVersion3...)
	pfx = data.append(pfx)
	return append(pfx, md...), nil
}

// derVersion3 is INTEGER 3, the PFX version.
var derVersion3 = []byte{asn1.TagInteger, 1, 3}

// DER of the content types of ContentInfo.
var (
	derDataContentType          = mustMarshal(oidDataContentType)
	derEncryptedDataContentType = mustMarshal(oidEncryptedDataContentType)
)

// contentInfoDER is a ContentInfo (RFC 7292 section 4.1) to write, by its
// length and how to append it, so that its large content is copied once,
// straight to where it belongs.
type contentInfoDER struct {
	len    int
	append func(dst []byte) []byte
}

// dataContentInfo is ContentInfo { data, [0] EXPLICIT OCTET STRING content }.
func dataContentInfo(content []byte) contentInfoDER {
	octet := elementLen(len(content))
	inner := len(derDataContentType) + elementLen(octet)
	return contentInfoDER{len: elementLen(inner), append: func(dst []byte) []byte {
		dst = appendHeader(dst, 0x30, inner)
		dst = append(dst, derDataContentType...)
		dst = appendHeader(dst, 0xa0, octet)
		return appendElement(dst, []byte{asn1.TagOctetString}, content)
	}}
}

// encryptedDataContentInfo is ContentInfo { encryptedData, [0] EXPLICIT
// EncryptedData { version 0, EncryptedContentInfo { data, alg, [0] IMPLICIT ct } } }.
func encryptedDataContentInfo(algDER, ct []byte) contentInfoDER {
	eci := len(derDataContentType) + len(algDER) + elementLen(len(ct))
	ed := 3 + elementLen(eci)
	inner := len(derEncryptedDataContentType) + elementLen(elementLen(ed))
	return contentInfoDER{len: elementLen(inner), append: func(dst []byte) []byte {
		dst = appendHeader(dst, 0x30, inner)
		dst = append(dst, derEncryptedDataContentType...)
		dst = appendHeader(dst, 0xa0, elementLen(ed))
		dst = appendHeader(dst, 0x30, ed)
		dst = append(dst, asn1.TagInteger, 1, 0)
		dst = appendHeader(dst, 0x30, eci)
		dst = append(dst, derDataContentType...)
		dst = append(dst, algDER...)
		return appendElement(dst, []byte{0x80}, ct)
	}}
}

func newCertBag(der []byte, attrs []pkcs12Attribute) (safeBag, error) {
	if err := checkSequence(der); err != nil {
		return safeBag{}, fmt.Errorf("certificate is not DER: %w", err)
	}
	// CertBag ::= SEQUENCE { certId x509Certificate, certValue [0] EXPLICIT OCTET STRING },
	// by hand rather than asn1.Marshal and in one buffer: reflection
	// copied every certificate several times, which shows with 2,000.
	octet := elementLen(len(der))
	inner := len(derCertTypeX509) + elementLen(octet)
	cb := make([]byte, 0, elementLen(inner))
	cb = appendHeader(cb, 0x30, inner)
	cb = append(cb, derCertTypeX509...)
	cb = appendHeader(cb, 0xa0, octet)
	cb = appendHeader(cb, asn1.TagOctetString, len(der))
	cb = append(cb, der...)
	return safeBag{ID: oidCertBag, Value: explicit0(cb), Attributes: attrs}, nil
}

// DER of the fixed values bag attributes carry, encoded once.
var (
	derCertTypeX509        = mustMarshal(oidCertTypeX509)
	derAnyExtendedKeyUsage = mustMarshal(oidAnyExtendedKeyUsage)
)

// bagOIDs are the DER of the bag and attribute types this package writes.
var bagOIDs = func() []struct {
	oid asn1.ObjectIdentifier
	der []byte
} {
	var out []struct {
		oid asn1.ObjectIdentifier
		der []byte
	}
	for _, o := range []asn1.ObjectIdentifier{oidCertBag, oidPKCS8ShroudedKeyBag, oidKeyBag, oidFriendlyName, oidLocalKeyID, oidJavaTrustedKeyUsage} {
		out = append(out, struct {
			oid asn1.ObjectIdentifier
			der []byte
		}{o, mustMarshal(o)})
	}
	return out
}()

func bagAttributes(alias string, localKeyID []byte, trusted bool) ([]pkcs12Attribute, error) {
	var attrs []pkcs12Attribute
	// Each attribute's values are a SET holding one DER value, built by
	// hand: this runs once per entry of a store.
	add := func(id asn1.ObjectIdentifier, der []byte) {
		attrs = append(attrs, pkcs12Attribute{ID: id, Value: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: der}})
	}
	if alias != "" {
		u := utf16.Encode([]rune(alias))
		b := make([]byte, 0, 2*len(u))
		for _, c := range u {
			b = append(b, byte(c>>8), byte(c))
		}
		add(oidFriendlyName, appendElement(nil, []byte{asn1.TagBMPString}, b))
	}
	if localKeyID != nil {
		add(oidLocalKeyID, appendElement(nil, []byte{asn1.TagOctetString}, localKeyID))
	}
	if trusted {
		add(oidJavaTrustedKeyUsage, derAnyExtendedKeyUsage)
	}
	return attrs, nil
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// encodeSafeContents writes SafeContents (RFC 7292 4.2) by hand, for the
// same reason as newCertBag: reflection-based asn1.Marshal of every bag,
// value and attribute dominated writing a 2,000-entry truststore. Values
// and attributes in the shapes this package builds (an [0] EXPLICIT value,
// a SET of attribute values) are appended directly; anything else goes
// through asn1.Marshal. The bytes are the same DER either way
// (TestEncodeSafeContentsMatchesReflection).
func encodeSafeContents(bags []safeBag) ([]byte, error) {
	oidDER := func(o asn1.ObjectIdentifier) ([]byte, error) {
		for _, k := range bagOIDs {
			if k.oid.Equal(o) {
				return k.der, nil
			}
		}
		return asn1.Marshal(o)
	}
	size := 0
	for _, b := range bags {
		size += len(b.Value.Bytes) + 160
	}
	// Room for the outer SEQUENCE's header, written last in front of the
	// bags rather than copying them behind it.
	const room = 6
	body := make([]byte, room, room+size)
	var val, set []byte
	var elems [][]byte
	for _, b := range bags {
		oid, err := oidDER(b.ID)
		if err != nil {
			return nil, err
		}
		fast := false
		if v := b.Value; v.FullBytes == nil && v.Class == asn1.ClassContextSpecific && v.Tag == 0 && v.IsCompound {
			fast = true
		} else if val, err = asn1.Marshal(v); err != nil {
			return nil, err
		}
		set = set[:0]
		if len(b.Attributes) > 0 {
			elems = elems[:0]
			for _, a := range b.Attributes {
				if v := a.Value; v.FullBytes == nil && v.Class == asn1.ClassUniversal && v.Tag == asn1.TagSet && v.IsCompound {
					aoid, err := oidDER(a.ID)
					if err != nil {
						return nil, err
					}
					e := appendHeader(nil, 0x30, len(aoid)+elementLen(len(v.Bytes)))
					e = append(e, aoid...)
					elems = append(elems, appendElement(e, []byte{0x31}, v.Bytes))
					continue
				}
				ab, err := asn1.Marshal(a)
				if err != nil {
					return nil, err
				}
				elems = append(elems, ab)
			}
			// DER orders the elements of a SET OF by their encodings
			// (X.690 11.6), as asn1.Marshal does.
			slices.SortFunc(elems, bytes.Compare)
			for _, e := range elems {
				set = append(set, e...)
			}
		}
		n := len(oid)
		if fast {
			n += elementLen(len(b.Value.Bytes))
		} else {
			n += len(val)
		}
		if len(b.Attributes) > 0 {
			n += elementLen(len(set))
		}
		body = appendHeader(body, 0x30, n)
		body = append(body, oid...)
		if fast {
			body = appendElement(body, []byte{0xa0}, b.Value.Bytes)
		} else {
			body = append(body, val...)
		}
		if len(b.Attributes) > 0 {
			body = appendElement(body, []byte{0x31}, set)
		}
	}
	n := len(body) - room
	start := room - (elementLen(n) - n)
	appendHeader(body[start:start], 0x30, n)
	return body[start:], nil
}

// Sniff reports whether data starts like a PKCS#12 PFX: a SEQUENCE holding
// version 3 and a ContentInfo of type data or signedData. It reads only the
// first few dozen bytes, so it is cheap enough for content sniffing; a true
// result does not mean Decode will succeed.
func Sniff(data []byte) bool {
	// PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, ... }
	// Lengths are skipped, not checked, so a prefix of a file is enough.
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	body := skipLength(data[1:])
	if len(body) < 3 || body[0] != asn1.TagInteger || body[1] != 1 || body[2] != 3 {
		return false
	}
	body = body[3:]
	if len(body) < 2 || body[0] != 0x30 {
		return false
	}
	body = skipLength(body[1:])
	if len(body) < 2 || body[0] != asn1.TagOID {
		return false
	}
	n := int(body[1])
	if len(body) < 2+n {
		return false
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(body[:2+n], &oid); err != nil {
		return false
	}
	return oid.Equal(oidDataContentType) || oid.Equal(oidSignedDataContentType)
}

// skipLength skips a BER length (short, long or indefinite form).
func skipLength(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	if b[0] < 0x80 || b[0] == 0x80 {
		return b[1:]
	}
	n := int(b[0] & 0x7f)
	if len(b) < 1+n {
		return nil
	}
	return b[1+n:]
}
