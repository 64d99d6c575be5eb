package keys

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
)

// Object identifiers of RFC 8018 (PKCS #5 v2.1) and the ciphers it uses.
var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
	oidScrypt     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
)

// Names of password-based schemes we do not implement, for the error.
var pbeNames = map[string]string{
	"1.2.840.113549.1.5.3":    "PBES1 pbeWithMD5AndDES-CBC",
	"1.2.840.113549.1.5.6":    "PBES1 pbeWithMD5AndRC2-CBC",
	"1.2.840.113549.1.5.10":   "PBES1 pbeWithSHA1AndDES-CBC",
	"1.2.840.113549.1.5.11":   "PBES1 pbeWithSHA1AndRC2-CBC",
	"1.2.840.113549.1.12.1.1": "PKCS#12 pbeWithSHAAnd128BitRC4",
	"1.2.840.113549.1.12.1.2": "PKCS#12 pbeWithSHAAnd40BitRC4",
	"1.2.840.113549.1.12.1.3": "PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC",
	"1.2.840.113549.1.12.1.4": "PKCS#12 pbeWithSHAAnd2-KeyTripleDES-CBC",
	"1.2.840.113549.1.12.1.5": "PKCS#12 pbeWithSHAAnd128BitRC2-CBC",
	"1.2.840.113549.1.12.1.6": "PKCS#12 pbewithSHAAnd40BitRC2-CBC",
}

// PBKDF2Iterations is the iteration count of keys this package encrypts.
// OpenSSL 3 uses 2048 for `openssl pkcs8 -topk8 -v2 aes-256-cbc`; we use
// more, as NIST SP 800-132 asks for "as large as feasible", while keeping
// one derivation well under a second. Readers take any count.
const PBKDF2Iterations = 100_000

// maxIterations bounds what we accept from a file, so a crafted key cannot
// keep us busy for minutes; encryptIterations is what we write. Both are
// variables only so the fuzz test can make them small.
var (
	maxIterations     = 10_000_000
	encryptIterations = PBKDF2Iterations
)

// encryptedPrivateKeyInfo is RFC 5958 section 3 (EncryptedPrivateKeyInfo).
type encryptedPrivateKeyInfo struct {
	Algo          pkix.AlgorithmIdentifier
	EncryptedData []byte
}

// pbes2Params is RFC 8018 appendix A.4.
type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

// pbkdf2Params is RFC 8018 appendix A.2. The salt is the "specified"
// choice (an OCTET STRING); prf defaults to hmacWithSHA1.
type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                      `asn1:"optional"`
	PRF            pkix.AlgorithmIdentifier `asn1:"optional"`
}

func looksEncryptedPKCS8(der []byte) bool {
	var epki encryptedPrivateKeyInfo
	rest, err := asn1.Unmarshal(der, &epki)
	return err == nil && len(rest) == 0 && len(epki.Algo.Algorithm) > 0
}

// decryptPKCS8 decrypts an EncryptedPrivateKeyInfo and parses the key.
func decryptPKCS8(der []byte, password func() ([]byte, error)) (crypto.Signer, error) {
	var epki encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &epki); err != nil {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: err}
	} else if len(rest) != 0 {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: errors.New("trailing data")}
	}
	if !epki.Algo.Algorithm.Equal(oidPBES2) {
		oid := epki.Algo.Algorithm.String()
		if n, ok := pbeNames[oid]; ok {
			return nil, &UnsupportedError{What: "key encryption " + n + " (re-encrypt with openssl pkcs8 -topk8 -v2 aes-256-cbc)"}
		}
		return nil, &UnsupportedError{What: "key encryption " + oid}
	}
	var params pbes2Params
	if rest, err := asn1.Unmarshal(epki.Algo.Parameters.FullBytes, &params); err != nil || len(rest) != 0 {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: errors.New("bad PBES2 parameters")}
	}
	if params.KeyDerivationFunc.Algorithm.Equal(oidScrypt) {
		return nil, &UnsupportedError{What: "key encryption PBES2 with scrypt (re-encrypt with openssl pkcs8 -topk8 -v2 aes-256-cbc)"}
	}
	if !params.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
		return nil, &UnsupportedError{What: "key derivation " + params.KeyDerivationFunc.Algorithm.String()}
	}
	var kdf pbkdf2Params
	if rest, err := asn1.Unmarshal(params.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil || len(rest) != 0 {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: errors.New("bad PBKDF2 parameters")}
	}
	if kdf.IterationCount < 1 || kdf.IterationCount > maxIterations {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: fmt.Errorf("PBKDF2 iteration count %d out of range", kdf.IterationCount)}
	}
	prf, err := prfHash(kdf.PRF.Algorithm)
	if err != nil {
		return nil, err
	}
	newCipher, keyLen, err := cipherFor(params.EncryptionScheme.Algorithm)
	if err != nil {
		return nil, err
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != keyLen {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: fmt.Errorf("key length %d does not fit the cipher", kdf.KeyLength)}
	}
	var iv []byte
	if rest, err := asn1.Unmarshal(params.EncryptionScheme.Parameters.FullBytes, &iv); err != nil || len(rest) != 0 {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: errors.New("bad cipher IV")}
	}
	ct := epki.EncryptedData
	probe, _ := newCipher(make([]byte, keyLen))
	bs := probe.BlockSize()
	if len(iv) != bs {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: fmt.Errorf("IV of %d bytes, want %d", len(iv), bs)}
	}
	if len(ct) == 0 || len(ct)%bs != 0 {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: errors.New("encrypted data is not a whole number of blocks")}
	}

	pw, err := getPassword(password)
	if err != nil {
		return nil, err
	}
	// RFC 8018 section 6.2.2: DK = PBKDF2(P, S, c, dkLen). OpenSSL passes
	// the passphrase bytes as typed (no BMPString conversion, unlike PKCS#12).
	dk, err := pbkdf2.Key(prf, string(pw), kdf.Salt, kdf.IterationCount, keyLen)
	if err != nil {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: err}
	}
	block, err := newCipher(dk)
	if err != nil {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: err}
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, ct)
	// RFC 8018 section 6.2.2 step 5 (RFC 1423 padding): a wrong passphrase
	// shows as bad padding; when the padding is right by chance the
	// plaintext still has to parse as a key.
	plain, ok := unpad(plain, bs)
	if !ok {
		return nil, ErrWrongPassword
	}
	k, _, err := parsePKCS8(plain)
	if err != nil {
		var ue *UnsupportedError
		if errors.As(err, &ue) {
			return nil, err
		}
		return nil, ErrWrongPassword
	}
	return k, nil
}

func prfHash(oid asn1.ObjectIdentifier) (func() hash.Hash, error) {
	switch {
	case len(oid) == 0, oid.Equal(oidHMACSHA1): // DEFAULT algid-hmacWithSHA1
		return sha1.New, nil
	case oid.Equal(oidHMACSHA224):
		return sha256.New224, nil
	case oid.Equal(oidHMACSHA256):
		return sha256.New, nil
	case oid.Equal(oidHMACSHA384):
		return sha512.New384, nil
	case oid.Equal(oidHMACSHA512):
		return sha512.New, nil
	}
	return nil, &UnsupportedError{What: "PBKDF2 PRF " + oid.String()}
}

func cipherFor(oid asn1.ObjectIdentifier) (func([]byte) (cipher.Block, error), int, error) {
	switch {
	case oid.Equal(oidAES128CBC):
		return aes.NewCipher, 16, nil
	case oid.Equal(oidAES192CBC):
		return aes.NewCipher, 24, nil
	case oid.Equal(oidAES256CBC):
		return aes.NewCipher, 32, nil
	case oid.Equal(oidDESEDE3CBC):
		return des.NewTripleDESCipher, 24, nil
	}
	return nil, 0, &UnsupportedError{What: "key cipher " + oid.String()}
}

func unpad(b []byte, bs int) ([]byte, bool) {
	if len(b) == 0 || len(b)%bs != 0 {
		return nil, false
	}
	n := int(b[len(b)-1])
	if n == 0 || n > bs || n > len(b) {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}

func pad(b []byte, bs int) []byte {
	n := bs - len(b)%bs
	out := make([]byte, len(b), len(b)+n)
	copy(out, b)
	for i := 0; i < n; i++ {
		out = append(out, byte(n))
	}
	return out
}

// encryptPKCS8 wraps a PKCS#8 PrivateKeyInfo in an EncryptedPrivateKeyInfo
// the way `openssl pkcs8 -topk8 -v2 aes-256-cbc` does: PBES2 with
// PBKDF2-HMAC-SHA-256 (the PRF written explicitly, with NULL parameters,
// as OpenSSL 3 writes it), a 16-byte salt and AES-256-CBC.
func encryptPKCS8(pkcs8 []byte, password []byte) ([]byte, error) {
	salt := make([]byte, 16)
	iv := make([]byte, aes.BlockSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	dk, err := pbkdf2.Key(sha256.New, string(password), salt, encryptIterations, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(dk)
	if err != nil {
		return nil, err
	}
	ct := pad(pkcs8, aes.BlockSize)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, ct)

	kdfParams, err := asn1.Marshal(pbkdf2Params{
		Salt:           salt,
		IterationCount: encryptIterations,
		PRF:            pkix.AlgorithmIdentifier{Algorithm: oidHMACSHA256, Parameters: asn1.NullRawValue},
	})
	if err != nil {
		return nil, err
	}
	ivDER, err := asn1.Marshal(iv)
	if err != nil {
		return nil, err
	}
	p2, err := asn1.Marshal(pbes2Params{
		KeyDerivationFunc: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdfParams}},
		EncryptionScheme:  pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: asn1.RawValue{FullBytes: ivDER}},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(encryptedPrivateKeyInfo{
		Algo:          pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: p2}},
		EncryptedData: ct,
	})
}
