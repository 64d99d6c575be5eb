package jks

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// Aliases and certificate type names are stored with Java's
// DataOutput.writeUTF: a big-endian uint16 byte count, then "modified UTF-8",
// which encodes each UTF-16 code unit on its own (a supplementary character
// becomes two 3-byte surrogates) and U+0000 as C0 80 (java.io.DataInput).

var errBadUTF = errors.New("malformed modified UTF-8 string")

// decodeMUTF8 decodes modified UTF-8 the way DataInputStream.readUTF does.
func decodeMUTF8(b []byte) (string, error) {
	ascii := true
	for _, c := range b {
		if c == 0 || c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b), nil
	}
	units := make([]uint16, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			units = append(units, uint16(c))
			i++
		case c>>5 == 0x6: // 110xxxxx 10xxxxxx
			if i+1 >= len(b) || b[i+1]&0xC0 != 0x80 {
				return "", errBadUTF
			}
			units = append(units, uint16(c&0x1F)<<6|uint16(b[i+1]&0x3F))
			i += 2
		case c>>4 == 0xE: // 1110xxxx 10xxxxxx 10xxxxxx
			if i+2 >= len(b) || b[i+1]&0xC0 != 0x80 || b[i+2]&0xC0 != 0x80 {
				return "", errBadUTF
			}
			units = append(units, uint16(c&0x0F)<<12|uint16(b[i+1]&0x3F)<<6|uint16(b[i+2]&0x3F))
			i += 3
		default:
			return "", errBadUTF
		}
	}
	return string(utf16.Decode(units)), nil
}

// encodeMUTF8 is the inverse of decodeMUTF8 for valid UTF-8 input.
func encodeMUTF8(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, u := range javaChars(s) {
		switch {
		case u >= 1 && u <= 0x7F:
			out = append(out, byte(u))
		case u <= 0x7FF:
			out = append(out, 0xC0|byte(u>>6), 0x80|byte(u&0x3F))
		default:
			out = append(out, 0xE0|byte(u>>12), 0x80|byte(u>>6&0x3F), 0x80|byte(u&0x3F))
		}
	}
	return out
}

// javaChars returns s as Java chars (UTF-16 code units). Invalid UTF-8
// bytes become U+FFFD, as new String(bytes, UTF_8) would make them.
func javaChars(s string) []uint16 {
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	return utf16.Encode([]rune(s))
}

// passwordBytes is the password as the JKS digest and key protector hash it:
// each Java char as two big-endian bytes (sun.security.provider.JavaKeyStore
// getPreKeyedHash, KeyProtector). The password is given as UTF-8.
func passwordBytes(pw []byte) []byte {
	units := javaChars(string(pw))
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// pbeASCII is the password as com.sun.crypto.provider.PBEKey keeps it for
// PBEWithMD5AndTripleDES: one byte per char, the low 7 bits.
func pbeASCII(pw []byte) []byte {
	units := javaChars(string(pw))
	out := make([]byte, len(units))
	for i, u := range units {
		out[i] = byte(u & 0x7F)
	}
	return out
}

func zero(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
