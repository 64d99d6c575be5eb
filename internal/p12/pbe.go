package p12

import (
	"bytes"
	"crypto/cipher"
	"crypto/des"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"
	"unicode/utf16"

	"github.com/trustctl/trustctl/internal/pbes2"
)

// Object identifiers of the password-based algorithms, from RFC 7292
// appendix C (PBES1 for PKCS#12) and RFC 8018 (PBKDF2 and PBMAC1; PBES2 is
// package pbes2's), and of the MAC digests.
var (
	oidPBEWithSHAAnd3KeyTripleDESCBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBEWithSHAAnd2KeyTripleDESCBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 4}
	oidPBEWithSHAAnd128BitRC2CBC     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 5}
	oidPBEWithSHAAnd40BitRC2CBC      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 6}
	oidPBKDF2                        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidPBMAC1                        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// maxIterations bounds the iteration counts read from a file so a damaged or
// hostile file cannot keep trustctl busy for hours. The JDK refuses counts
// above the same value (PKCS12KeyStore MAX_ITERATION_COUNT).
var maxIterations = 5_000_000 // a variable so the fuzz test can lower it

// maxWork bounds the key derivation work of one Decode, summed over every
// encrypted part, in hash compressions (see [kdfWork]). The bound on each
// part does not bound the file: a few kilobytes can hold hundreds of keys,
// each asking for the maximum count, and would take an hour to open. The
// JDK derives a key only when it is asked for; trustctl reads every key
// it is given, so it bounds the sum instead. The bound is eight parts at
// the maximum count (some seconds), and is thousands of keys at the
// counts keytool (10,000) and OpenSSL (2,048) write.
func maxWork() int { return 8 * maxIterations }

// ErrTooMuchWork is returned by Decode for a file whose encrypted parts
// together ask for more key derivation work than [maxWork].
var ErrTooMuchWork = errors.New("together they ask for more work than trustctl spends on one file (at most eight parts at the largest count)")

// spend takes the work a key derivation costs from budget, or refuses it
// when too little is left.
func spend(budget *int, work int) error {
	if work > *budget {
		return formatErr("iteration counts", ErrTooMuchWork)
	}
	*budget -= work
	return nil
}

// errDecrypt is what a decryption with the wrong key looks like: bad CBC
// padding or plaintext that is not DER. Decode turns it into
// ErrWrongPassword when the file has no MAC to tell the two apart.
var errDecrypt = errors.New("decryption failed")

type pbeParams struct {
	Salt       []byte
	Iterations int
}

// bmpPassword encodes a password as RFC 7292 appendix B.1 asks for the
// PKCS#12 key derivation: UTF-16 big-endian with a two-byte zero terminator.
// The empty password is therefore two zero bytes, as the JDK and OpenSSL
// write it.
func bmpPassword(password []byte) []byte {
	u := utf16.Encode([]rune(string(password)))
	out := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		out = append(out, byte(c>>8), byte(c))
	}
	return append(out, 0, 0)
}

// pkcs12KDF is the key derivation of RFC 7292 appendix B.2. password is
// already BMP-encoded; id is 1 (key), 2 (IV) or 3 (MAC key).
func pkcs12KDF(kh kdfHash, password, salt []byte, iterations int, id byte, size int) []byte {
	h, v := kh.new(), kh.v
	u := h.Size()
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		n := v * ((len(src) + v - 1) / v)
		out := make([]byte, n)
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	d := bytes.Repeat([]byte{id}, v)
	in := append(fill(salt), fill(password)...)
	out := make([]byte, 0, size+u)
	a := make([]byte, 0, u)
	b := make([]byte, v)
	for len(out) < size {
		h.Reset()
		h.Write(d)
		h.Write(in)
		a = h.Sum(a[:0])
		kh.iterate(a, iterations-1)
		out = append(out, a...)
		if len(out) >= size {
			break
		}
		for i := range b {
			b[i] = a[i%u]
		}
		// I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I.
		for j := 0; j < len(in); j += v {
			carry := uint16(1)
			for k := v - 1; k >= 0; k-- {
				x := uint16(in[j+k]) + uint16(b[k]) + carry
				in[j+k] = byte(x)
				carry = x >> 8
			}
		}
	}
	return out[:size]
}

// kdfHash is a hash as the PKCS#12 key derivation uses it: its block size
// v, and iterate, which hashes a digest n more times in place. iterate is
// the whole cost of the derivation (2,048 to 10,000 rounds of one block
// each), so it calls the package-level Sum functions, which keep the state
// on the stack, rather than Reset, Write and Sum through hash.Hash.
type kdfHash struct {
	new     func() hash.Hash
	v       int
	iterate func(a []byte, n int)
}

var (
	kdfSHA1 = kdfHash{sha1.New, 64, func(a []byte, n int) {
		s := [sha1.Size]byte(a)
		for range n {
			s = sha1.Sum(s[:])
		}
		copy(a, s[:])
	}}
	kdfSHA224 = kdfHash{sha256.New224, 64, func(a []byte, n int) {
		s := [sha256.Size224]byte(a)
		for range n {
			s = sha256.Sum224(s[:])
		}
		copy(a, s[:])
	}}
	kdfSHA256 = kdfHash{sha256.New, 64, func(a []byte, n int) {
		s := [sha256.Size]byte(a)
		for range n {
			s = sha256.Sum256(s[:])
		}
		copy(a, s[:])
	}}
	kdfSHA384 = kdfHash{sha512.New384, 128, func(a []byte, n int) {
		s := [sha512.Size384]byte(a)
		for range n {
			s = sha512.Sum384(s[:])
		}
		copy(a, s[:])
	}}
	kdfSHA512 = kdfHash{sha512.New, 128, func(a []byte, n int) {
		s := [sha512.Size]byte(a)
		for range n {
			s = sha512.Sum512(s[:])
		}
		copy(a, s[:])
	}}
)

// macHash maps a MAC digest algorithm to its hash and the block size v the
// PKCS#12 key derivation needs (RFC 7292 B.2: 64 for SHA-1 and SHA-256,
// 128 for SHA-384 and SHA-512).
func macHash(oid asn1.ObjectIdentifier) (kdfHash, error) {
	switch {
	case oid.Equal(oidSHA1):
		return kdfSHA1, nil
	case oid.Equal(oidSHA224):
		return kdfSHA224, nil
	case oid.Equal(oidSHA256):
		return kdfSHA256, nil
	case oid.Equal(oidSHA384):
		return kdfSHA384, nil
	case oid.Equal(oidSHA512):
		return kdfSHA512, nil
	}
	return kdfHash{}, &UnsupportedError{What: "MAC algorithm " + oid.String()}
}

// passwords holds the two byte forms of the password: bmp for PBES1 and
// the MAC, raw (UTF-8) for PBES2, which RFC 8018 leaves to the application
// and the JDK and OpenSSL both feed UTF-8.
type passwords struct {
	bmp []byte
	raw []byte
}

// pbes1Cipher derives the key and IV of a PKCS#12 PBES1 scheme (RFC 7292
// appendix C) and returns the cipher.
func pbes1Cipher(alg pkix.AlgorithmIdentifier, bmp []byte, budget *int) (cipher.Block, []byte, error) {
	var keyLen int
	var mk func(key []byte) (cipher.Block, error)
	switch {
	case alg.Algorithm.Equal(oidPBEWithSHAAnd3KeyTripleDESCBC):
		keyLen, mk = 24, des.NewTripleDESCipher
	case alg.Algorithm.Equal(oidPBEWithSHAAnd2KeyTripleDESCBC):
		keyLen = 16
		mk = func(k []byte) (cipher.Block, error) {
			return des.NewTripleDESCipher(append(append([]byte{}, k...), k[:8]...))
		}
	case alg.Algorithm.Equal(oidPBEWithSHAAnd128BitRC2CBC):
		keyLen = 16
		mk = func(k []byte) (cipher.Block, error) { return newRC2(k, 128), nil }
	case alg.Algorithm.Equal(oidPBEWithSHAAnd40BitRC2CBC):
		keyLen = 5
		mk = func(k []byte) (cipher.Block, error) { return newRC2(k, 40), nil }
	default:
		return nil, nil, &UnsupportedError{What: "encryption algorithm " + alg.Algorithm.String()}
	}
	var p pbeParams
	if err := unmarshalAll(alg.Parameters.FullBytes, &p); err != nil {
		return nil, nil, formatErr("PBE parameters", err)
	}
	if p.Iterations < 1 || p.Iterations > maxIterations {
		return nil, nil, formatErr(fmt.Sprintf("PBE iteration count %d", p.Iterations), nil)
	}
	// Each 20-byte block of the key and the IV costs one SHA-1 compression
	// per iteration.
	if err := spend(budget, p.Iterations*((keyLen+19)/20+1)); err != nil {
		return nil, nil, err
	}
	key := pkcs12KDF(kdfSHA1, bmp, p.Salt, p.Iterations, 1, keyLen)
	iv := pkcs12KDF(kdfSHA1, bmp, p.Salt, p.Iterations, 2, 8)
	b, err := mk(key)
	return b, iv, err
}

// decryptPBES1 decrypts data with a PKCS#12 PBES1 scheme and removes the
// padding.
func decryptPBES1(alg pkix.AlgorithmIdentifier, bmp, data []byte, budget *int) ([]byte, error) {
	b, iv, err := pbes1Cipher(alg, bmp, budget)
	if err != nil {
		return nil, err
	}
	bs := b.BlockSize()
	if len(data) == 0 || len(data)%bs != 0 {
		return nil, formatErr(fmt.Sprintf("encrypted data of %d bytes", len(data)), nil)
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, data)
	return pbes2.Unpad(out, bs)
}

// decryptPBES2 decrypts data with PBES2 over the UTF-8 password, reading
// the parameters as BER.
func decryptPBES2(alg pkix.AlgorithmIdentifier, password, data []byte, budget *int) ([]byte, error) {
	opts := pbes2.ParseOptions{MaxIterations: maxIterations, Unmarshal: unmarshalAll}
	p, err := pbes2.Parse(alg.Parameters.FullBytes, opts)
	if err != nil {
		return nil, pbes2Error(err)
	}
	if err := p.CheckCiphertext(data); err != nil {
		return nil, pbes2Error(err)
	}
	if err := spend(budget, p.Work()); err != nil {
		return nil, err
	}
	plain, err := p.Decrypt(password, data)
	if err != nil {
		return nil, pbes2Error(err)
	}
	return plain, nil
}

// pbes2Error turns an error of package pbes2 into this package's.
func pbes2Error(err error) error {
	var ae *pbes2.AlgorithmError
	var fe *pbes2.FormatError
	switch {
	case errors.Is(err, pbes2.ErrPadding):
		return errDecrypt
	case errors.As(err, &ae):
		switch ae.Role {
		case pbes2.RoleKDF:
			return &UnsupportedError{What: "key derivation " + ae.OID.String()}
		case pbes2.RolePRF:
			return &UnsupportedError{What: "PBKDF2 PRF " + ae.OID.String()}
		case pbes2.RoleCipher:
			return &UnsupportedError{What: "PBES2 cipher " + ae.OID.String()}
		}
		// RFC 8018 A.2 also allows an AlgorithmIdentifier "otherSource"
		// salt that nobody uses.
		return &UnsupportedError{What: "PBKDF2 salt source"}
	case errors.As(err, &fe):
		switch fe.Field {
		case pbes2.FieldParams:
			return formatErr("PBES2 parameters", fe.Err)
		case pbes2.FieldKDFParams:
			return formatErr("PBKDF2 parameters", fe.Err)
		case pbes2.FieldIterations:
			return formatErr(fmt.Sprintf("PBKDF2 iteration count %d", fe.Got), nil)
		case pbes2.FieldKeyLength:
			return formatErr(fmt.Sprintf("PBKDF2 key length %d for a %d-byte key", fe.Got, fe.Want), nil)
		case pbes2.FieldIV:
			return formatErr("cipher IV", fe.Err)
		case pbes2.FieldIVLength:
			return formatErr(fmt.Sprintf("IV of %d bytes", fe.Got), nil)
		case pbes2.FieldCiphertext:
			return formatErr(fmt.Sprintf("encrypted data of %d bytes", fe.Got), nil)
		}
	}
	return fmt.Errorf("deriving the key: %w", err)
}

// decrypt decrypts data encrypted with alg and removes the padding. It
// returns errDecrypt when the padding or the plaintext shape is wrong,
// which is what a wrong password produces; isPBES2 reports whether alg is
// PBES2, even when decryption fails.
func decrypt(alg pkix.AlgorithmIdentifier, pw passwords, data []byte, budget *int) (plain []byte, isPBES2 bool, err error) {
	if alg.Algorithm.Equal(pbes2.OID()) {
		isPBES2 = true
		plain, err = decryptPBES2(alg, pw.raw, data, budget)
	} else {
		plain, err = decryptPBES1(alg, pw.bmp, data, budget)
	}
	if errors.Is(err, pbes2.ErrPadding) {
		return nil, isPBES2, errDecrypt
	}
	if err != nil {
		return nil, isPBES2, err
	}
	// Plaintext is always a DER SEQUENCE (SafeContents or
	// PrivateKeyInfo); with the wrong key the padding check passes about
	// once in 256 tries, this check catches nearly all of those.
	var rv asn1.RawValue
	if rest, err := asn1.Unmarshal(plain, &rv); err != nil || len(rest) != 0 || rv.Tag != asn1.TagSequence {
		return nil, isPBES2, errDecrypt
	}
	return plain, isPBES2, nil
}

// encrypt encrypts plain with the profile's scheme, fresh salt and IV; it
// returns the AlgorithmIdentifier to store and the ciphertext.
func encrypt(prof profile, pw passwords, rand io.Reader, plain []byte) (pkix.AlgorithmIdentifier, []byte, error) {
	if prof.pbes2 {
		// PBKDF2-HMAC-SHA-256 and AES-256-CBC with keyLength written, as
		// JDK 17+ writes them.
		return pbes2.Encrypt(rand, pw.raw, plain, pbes2.Options{
			Iterations: prof.iterations,
			SaltLen:    prof.saltLen,
			PRF:        pbes2.HMACWithSHA256,
			Cipher:     pbes2.AES256CBC,
			KeyLength:  true,
		})
	}
	var alg pkix.AlgorithmIdentifier
	salt := make([]byte, prof.saltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return alg, nil, err
	}
	params, err := asn1.Marshal(pbeParams{Salt: salt, Iterations: prof.iterations})
	if err != nil {
		return alg, nil, err
	}
	alg = pkix.AlgorithmIdentifier{Algorithm: oidPBEWithSHAAnd3KeyTripleDESCBC, Parameters: asn1.RawValue{FullBytes: params}}
	key := pkcs12KDF(kdfSHA1, pw.bmp, salt, prof.iterations, 1, 24)
	iv := pkcs12KDF(kdfSHA1, pw.bmp, salt, prof.iterations, 2, 8)
	b, err := des.NewTripleDESCipher(key)
	if err != nil {
		return alg, nil, err
	}
	buf := pbes2.Pad(plain, b.BlockSize())
	cipher.NewCBCEncrypter(b, iv).CryptBlocks(buf, buf)
	return alg, buf, nil
}
