package p12

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"slices"
	"unicode/utf16"
)

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

	// Random values are read from rnd in the order they appear in the
	// file: each key's, then the certificates', then the MAC's.
	var certBags, keyBags []safeBag
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
		if opts.Encryption == None && len(password) == 0 {
			keyBags = append(keyBags, safeBag{ID: oidKeyBag, Value: explicit0(e.Key), Attributes: attrs})
			continue
		}
		alg, ct, err := encrypt(prof, pw, rnd, e.Key)
		if err != nil {
			return nil, fmt.Errorf("encrypting key %q: %w", e.Alias, err)
		}
		epki, err := asn1.Marshal(encryptedPrivateKeyInfo{Algorithm: alg, Data: ct})
		if err != nil {
			return nil, err
		}
		keyBags = append(keyBags, safeBag{ID: oidPKCS8ShroudedKeyBag, Value: explicit0(epki), Attributes: attrs})
	}

	// The AuthenticatedSafe and the PFX around it are written by hand, each
	// in one buffer of its exact size: through asn1.Marshal, a 2,000-entry
	// truststore was copied once per level of nesting.
	var cis []contentInfoDER
	if len(certBags) > 0 {
		sc, err := encodeSafeContents(certBags)
		if err != nil {
			return nil, fmt.Errorf("encoding certificates: %w", err)
		}
		if opts.Encryption == None {
			cis = append(cis, dataContentInfo(sc))
		} else {
			alg, ct, err := encrypt(prof, pw, rnd, sc)
			if err != nil {
				return nil, fmt.Errorf("encrypting certificates: %w", err)
			}
			algDER, err := asn1.Marshal(alg)
			if err != nil {
				return nil, err
			}
			cis = append(cis, encryptedDataContentInfo(algDER, ct))
		}
	}
	var macSalt []byte
	if opts.Encryption != None {
		macSalt = make([]byte, prof.saltLen)
		if _, err := io.ReadFull(rnd, macSalt); err != nil {
			return nil, err
		}
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
	if macSalt != nil {
		mac, err := computeMAC(prof.macAlg, pw.bmp, macSalt, prof.iterations, authSafe)
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
