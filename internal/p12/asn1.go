package p12

import (
	"crypto/x509/pkix"
	"encoding/asn1"
)

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
