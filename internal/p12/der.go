package p12

import (
	"bytes"
	"encoding/asn1"
	"fmt"
	"slices"
)

// The encoder writes DER by hand, in buffers of the exact size, rather
// than through cryptobyte or encoding/asn1. On BenchmarkEncode20000 (a
// truststore of 20,000 CA certificates, modern profile) a cryptobyte
// writer took 1.7 times the CPU time of this one, and asn1.Marshal for the
// SafeContents alone 2.2 times: cryptobyte allocates a builder and a
// closure for every element and moves the content along each time a
// length outgrows one byte; asn1.Marshal reflects over every bag and its
// attributes. TestEncodeIsCanonicalDER and
// TestEncodeSafeContentsMatchesReflection check that every level comes out
// exactly as encoding/asn1 writes it.

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

func appendElement(dst, tag, value []byte) []byte {
	dst = append(dst, tag...)
	return append(appendLength(dst, len(value)), value...)
}

// appendHeader appends the DER tag and length of an element of n content
// bytes, for encoders that write the content themselves.
func appendHeader(dst []byte, tag byte, n int) []byte {
	return appendLength(append(dst, tag), n)
}

func appendLength(dst []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(dst, byte(n))
	case n < 0x100:
		return append(dst, 0x81, byte(n))
	case n < 0x10000:
		return append(dst, 0x82, byte(n>>8), byte(n))
	case n < 0x1000000:
		return append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		return append(dst, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}

// elementLen is the size of a DER element with a one-byte tag and n
// content bytes: what appendHeader writes, plus n.
func elementLen(n int) int {
	switch {
	case n < 0x80:
		return 2 + n
	case n < 0x100:
		return 3 + n
	case n < 0x10000:
		return 4 + n
	case n < 0x1000000:
		return 5 + n
	default:
		return 6 + n
	}
}
