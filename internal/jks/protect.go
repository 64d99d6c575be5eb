package jks

import (
	"bytes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hkdf"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
)

var (
	// oidSunJKS is Sun's proprietary key protection of JKS key entries
	// (sun.security.provider.KeyProtector, KEY_PROTECTOR_OID).
	oidSunJKS = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 42, 2, 17, 1, 1}
	// oidSunJCE is PBEWithMD5AndTripleDES as JCEKS protects key entries
	// (com.sun.crypto.provider.KeyProtector, PBE_WITH_MD5_AND_DES3_CBC_OID).
	oidSunJCE = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 42, 2, 19, 1}
)

// maxPBEIterations bounds the iteration count read from a JCEKS key entry, as
// the JDK does (com.sun.crypto.provider.KeyProtector MAX_ITERATION_COUNT), so
// a crafted file cannot make decryption run for minutes.
const maxPBEIterations = 5_000_000

// maxDecodeWork bounds the key derivation work of one Decode, in MD5
// rounds over all key entries (see [derivationWork]): four JCEKS keys at
// the largest count, a hundred at the 200,000 the JDK writes. The bound on each
// key does not bound the store: a few kilobytes of key entries, each at
// the largest count, would keep trustctl busy for an hour.
const maxDecodeWork = 8 * maxPBEIterations

// ErrTooMuchWork is returned by Decode for a store whose key entries
// together ask for more key derivation work than [maxDecodeWork].
var ErrTooMuchWork = errors.New("its key entries together ask for more key derivation work than trustctl spends on one store (at most four at the largest iteration count)")

// derivationWork is what decrypting a protected key costs in MD5 rounds:
// twice the iteration count for PBEWithMD5AndTripleDES (one run per half
// of the salt), nothing for JKS's own protection, whose cost follows the
// key's size, or for a count Decrypt refuses before deriving.
func derivationWork(protected []byte) int {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(protected, &info); err != nil || !info.Algo.Algorithm.Equal(oidSunJCE) {
		return 0
	}
	var p pbeParams
	if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &p); err != nil || p.Iterations < 1 || p.Iterations > maxPBEIterations {
		return 0
	}
	return 2 * p.Iterations
}

// encryptedPrivateKeyInfo is PKCS #8's EncryptedPrivateKeyInfo (RFC 5958 section 3).
type encryptedPrivateKeyInfo struct {
	Algo pkix.AlgorithmIdentifier
	Data []byte
}

type pbeParams struct {
	Salt       []byte
	Iterations int
}

var errUnsupportedProtection = errors.New("unsupported key protection algorithm")

// unprotect decrypts a protected key entry to PKCS #8 DER. A wrong password
// gives errBadKeyPassword.
func unprotect(protected, password []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	rest, err := asn1.Unmarshal(protected, &info)
	if err != nil {
		return nil, fmt.Errorf("parsing protected key: %w", err)
	}
	if len(rest) > 0 {
		return nil, errors.New("parsing protected key: trailing data")
	}
	switch {
	case info.Algo.Algorithm.Equal(oidSunJKS):
		return sunJKSDecrypt(info.Data, password)
	case info.Algo.Algorithm.Equal(oidSunJCE):
		var p pbeParams
		if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &p); err != nil {
			return nil, fmt.Errorf("parsing PBE parameters: %w", err)
		}
		return pbeMD5TripleDESDecrypt(info.Data, password, p)
	default:
		return nil, fmt.Errorf("%w %s", errUnsupportedProtection, info.Algo.Algorithm)
	}
}

// protectionOID reports the algorithm of a protected key, or nil.
func protectionOID(protected []byte) asn1.ObjectIdentifier {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(protected, &info); err != nil {
		return nil
	}
	return info.Algo.Algorithm
}

// errBadKeyPassword is the internal signal that a password does not decrypt
// a key; Decode and Entry.Decrypt turn it into ErrWrongKeyPassword.
var errBadKeyPassword = errors.New("wrong key password")

// sunJKSStream computes Sun's key stream: SHA-1(password || salt), then
// SHA-1(password || previous digest), ... (sun.security.provider.KeyProtector).
func sunJKSStream(pw, salt []byte, n int) []byte {
	stream := make([]byte, 0, n+sha1.Size)
	d := salt
	for len(stream) < n {
		h := sha1.New()
		h.Write(pw)
		h.Write(d)
		d = h.Sum(nil)
		stream = append(stream, d...)
	}
	return stream[:n]
}

// sunJKSDecrypt reverses sunJKSEncrypt: data is salt(20) || key XOR stream ||
// SHA-1(password || key). The trailing check digest tells a wrong password.
func sunJKSDecrypt(data, password []byte) ([]byte, error) {
	if len(data) < 2*sha1.Size {
		return nil, errors.New("protected key too short")
	}
	pw := passwordBytes(password)
	defer zero(pw)
	salt := data[:sha1.Size]
	enc := data[sha1.Size : len(data)-sha1.Size]
	check := data[len(data)-sha1.Size:]
	plain := make([]byte, len(enc))
	subtle.XORBytes(plain, enc, sunJKSStream(pw, salt, len(enc)))
	h := sha1.New()
	h.Write(pw)
	h.Write(plain)
	if subtle.ConstantTimeCompare(h.Sum(nil), check) != 1 {
		zero(plain)
		return nil, errBadKeyPassword
	}
	return plain, nil
}

// sunJKSEncrypt protects a PKCS #8 key the way keytool protects JKS key
// entries and wraps it in EncryptedPrivateKeyInfo. The 20-byte salt is
// random when salt is nil.
func sunJKSEncrypt(pkcs8, password, salt []byte) ([]byte, error) {
	pw := passwordBytes(password)
	defer zero(pw)
	data := make([]byte, sha1.Size, 2*sha1.Size+len(pkcs8))
	if salt != nil {
		copy(data, salt)
	} else if _, err := rand.Read(data); err != nil {
		return nil, err
	}
	enc := make([]byte, len(pkcs8))
	subtle.XORBytes(enc, pkcs8, sunJKSStream(pw, data, len(pkcs8)))
	data = append(data, enc...)
	h := sha1.New()
	h.Write(pw)
	h.Write(pkcs8)
	data = h.Sum(data)
	// The JDK writes the algorithm identifier with NULL parameters
	// (sun.security.x509.AlgorithmId.encode).
	return asn1.Marshal(encryptedPrivateKeyInfo{
		Algo: pkix.AlgorithmIdentifier{Algorithm: oidSunJKS, Parameters: asn1.NullRawValue},
		Data: data,
	})
}

// pbeMD5TripleDESKey derives the DES-EDE key and IV of Sun's
// PBEWithMD5AndTripleDES (com.sun.crypto.provider.PBES1Core.deriveCipherKey):
// the 8-byte salt is split in halves (if they are equal the first half is
// reversed), each half is hashed iterations times as MD5(prev || password),
// and the two 16-byte results give a 24-byte key and an 8-byte IV.
func pbeMD5TripleDESKey(password, salt []byte, iterations int) (key, iv []byte) {
	s := bytes.Clone(salt)
	if bytes.Equal(s[:4], s[4:]) {
		s[0], s[3] = s[3], s[0]
		s[1], s[2] = s[2], s[1]
	}
	out := make([]byte, 0, 32)
	buf := make([]byte, 0, md5.Size+len(password))
	defer zero(buf[:cap(buf)])
	for i := 0; i < 2; i++ {
		buf = append(append(buf[:0], s[i*4:i*4+4]...), password...)
		var d [md5.Size]byte
		for j := 0; j < iterations; j++ {
			d = md5.Sum(buf)
			buf = append(append(buf[:0], d[:]...), password...)
		}
		out = append(out, d[:]...)
	}
	return out[:24], out[24:]
}

func pbeMD5TripleDESDecrypt(data, password []byte, p pbeParams) ([]byte, error) {
	if len(p.Salt) != 8 {
		return nil, errors.New("PBE salt is not 8 bytes")
	}
	if p.Iterations < 1 || p.Iterations > maxPBEIterations {
		return nil, fmt.Errorf("PBE iteration count %d out of range", p.Iterations)
	}
	if len(data) == 0 || len(data)%des.BlockSize != 0 {
		return nil, errors.New("encrypted key is not a whole number of blocks")
	}
	pw := pbeASCII(password)
	defer zero(pw)
	key, iv := pbeMD5TripleDESKey(pw, p.Salt, p.Iterations)
	block, err := des.NewTripleDESCipher(key)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
	// PKCS #5 padding, then a DER SEQUENCE filling the rest: with a wrong
	// password both checks fail but for a 1 in 2^16 or so chance.
	n := int(plain[len(plain)-1])
	if n < 1 || n > des.BlockSize || n > len(plain) {
		return nil, errBadKeyPassword
	}
	for _, c := range plain[len(plain)-n:] {
		if int(c) != n {
			return nil, errBadKeyPassword
		}
	}
	plain = plain[:len(plain)-n]
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(plain, &seq); err != nil || len(rest) > 0 || seq.Tag != asn1.TagSequence {
		return nil, errBadKeyPassword
	}
	return plain, nil
}

// derivedSalt is the salt of a key entry for Options.DerivedSalts: the
// HKDF-SHA-256 expansion of a digest of the entry's alias, key and chain,
// never of the password (a salt that depended on the password would let
// guesses be checked against it directly).
func derivedSalt(alias string, e *Entry) ([]byte, error) {
	h := sha256.New()
	put := func(b []byte) {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	put([]byte("trustctl JKS key entry v1"))
	put([]byte(alias))
	put(e.Key)
	for _, c := range e.Certs {
		put(c)
	}
	return hkdf.Key(sha256.New, h.Sum(nil), nil, "trustctl JKS key salt", sha1.Size)
}
