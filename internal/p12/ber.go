package p12

import (
	"encoding/asn1"
	"errors"
	"fmt"
)

// Windows (certutil, PFXExportCertStoreEx) and some older Java and NSS
// versions write PKCS#12 in BER: indefinite lengths and OCTET STRINGs split
// into constructed segments (X.690 section 8.1.3.6 and 8.7.3).
// encoding/asn1 reads DER only, so every layer is normalised first. DER
// input comes out unchanged.

const maxBERDepth = 64

var errBER = errors.New("malformed BER")

// berToDER converts one BER element (and anything after it is an error)
// into DER lengths with primitive OCTET STRINGs.
func berToDER(in []byte) ([]byte, error) {
	// Nearly every file is DER already (the JDK and OpenSSL write DER);
	// checking that without allocating keeps a 2,000-certificate store from
	// being copied at every layer.
	if rest, ok := derLike(in, 0); ok && len(rest) == 0 {
		return in, nil
	}
	out, rest, err := berElement(in, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d bytes of trailing data", len(rest))
	}
	return out, nil
}

// berFirst is berToDER for the first element of in, ignoring what follows.
func berFirst(in []byte) ([]byte, error) {
	if rest, ok := derLike(in, 0); ok {
		return in[:len(in)-len(rest)], nil
	}
	out, _, err := berElement(in, 0)
	return out, err
}

// berHeader reads an identifier and length. length is -1 for indefinite.
func berHeader(in []byte) (tag []byte, constructed bool, universalTag int, length int, rest []byte, err error) {
	if len(in) < 2 {
		return nil, false, 0, 0, nil, errBER
	}
	i := 1
	universalTag = -1
	if in[0]&0x1f == 0x1f {
		// High tag number form: base-128 digits, last one without the top bit.
		for {
			if i >= len(in) || i > 6 {
				return nil, false, 0, 0, nil, errBER
			}
			i++
			if in[i-1]&0x80 == 0 {
				break
			}
		}
	} else if in[0]&0xc0 == 0 {
		universalTag = int(in[0] & 0x1f)
	}
	tag = in[:i]
	constructed = in[0]&0x20 != 0
	if i >= len(in) {
		return nil, false, 0, 0, nil, errBER
	}
	l := int(in[i])
	i++
	switch {
	case l < 0x80:
		length = l
	case l == 0x80:
		if !constructed {
			return nil, false, 0, 0, nil, errBER
		}
		length = -1
	default:
		n := l & 0x7f
		if n > 4 || i+n > len(in) {
			return nil, false, 0, 0, nil, errBER
		}
		length = 0
		for _, b := range in[i : i+n] {
			length = length<<8 | int(b)
		}
		i += n
		if length < 0 {
			return nil, false, 0, 0, nil, errBER
		}
	}
	rest = in[i:]
	if length > len(rest) {
		return nil, false, 0, 0, nil, fmt.Errorf("%w: truncated (needs %d bytes, has %d)", errBER, length, len(rest))
	}
	return tag, constructed, universalTag, length, rest, nil
}

// derLike reports whether the element at the start of in uses only
// definite, minimal lengths and primitive OCTET STRINGs, so encoding/asn1
// reads it as it is.
func derLike(in []byte, depth int) (rest []byte, ok bool) {
	if depth > maxBERDepth || len(in) < 2 {
		return nil, false
	}
	tag, constructed, utag, length, body, err := berHeader(in)
	if err != nil || length < 0 {
		return nil, false
	}
	if l := in[len(tag)]; l&0x80 != 0 {
		// Long form: DER uses it only from 128 on, without leading zeros.
		if length < 0x80 || in[len(tag)+1] == 0 {
			return nil, false
		}
	}
	content, rest := body[:length], body[length:]
	if !constructed {
		return rest, true
	}
	if utag == asn1.TagOctetString {
		return nil, false
	}
	for len(content) > 0 {
		if content, ok = derLike(content, depth+1); !ok {
			return nil, false
		}
	}
	return rest, true
}

func berElement(in []byte, depth int) (out, rest []byte, err error) {
	if depth > maxBERDepth {
		return nil, nil, fmt.Errorf("%w: nested too deep", errBER)
	}
	tag, constructed, utag, length, body, err := berHeader(in)
	if err != nil {
		return nil, nil, err
	}
	if !constructed {
		return appendElement(nil, tag, body[:length]), body[length:], nil
	}
	var content []byte
	var children [][]byte
	if length >= 0 {
		content, rest = body[:length], body[length:]
		for len(content) > 0 {
			var c []byte
			if c, content, err = berElement(content, depth+1); err != nil {
				return nil, nil, err
			}
			children = append(children, c)
		}
	} else {
		rest = body
		for {
			if len(rest) >= 2 && rest[0] == 0 && rest[1] == 0 {
				rest = rest[2:]
				break
			}
			if len(rest) == 0 {
				return nil, nil, fmt.Errorf("%w: missing end-of-contents", errBER)
			}
			var c []byte
			if c, rest, err = berElement(rest, depth+1); err != nil {
				return nil, nil, err
			}
			children = append(children, c)
		}
	}
	if utag == asn1.TagOctetString {
		// Constructed OCTET STRING: the value is the concatenation of the
		// segments, which are OCTET STRINGs themselves (X.690 8.7.3.2).
		var v []byte
		for _, c := range children {
			_, cons, ct, l, b, err := berHeader(c)
			if err != nil || cons || ct != asn1.TagOctetString {
				return nil, nil, fmt.Errorf("%w: bad OCTET STRING segment", errBER)
			}
			v = append(v, b[:l]...)
		}
		return appendElement(nil, []byte{asn1.TagOctetString}, v), rest, nil
	}
	var v []byte
	for _, c := range children {
		v = append(v, c...)
	}
	return appendElement(nil, tag, v), rest, nil
}

// unmarshalAll parses DER (after BER normalisation) into v and refuses
// trailing bytes.
func unmarshalAll(data []byte, v any) error {
	der, err := berToDER(data)
	if err != nil {
		return err
	}
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%d bytes of trailing data", len(rest))
	}
	return nil
}
