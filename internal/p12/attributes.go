package p12

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"unicode/utf16"
)

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

// bagAttributes returns the attributes this package writes on a bag:
// friendlyName (a BMPString, as the JDK writes it) when alias is set,
// localKeyID when given, and for a trusted certificate the Java
// trusted-key-usage attribute with anyExtendedKeyUsage, as keytool writes
// it.
func bagAttributes(alias string, localKeyID []byte, trusted bool) []pkcs12Attribute {
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
	return attrs
}
