// Package pbes2 implements the PBES2 password-based encryption scheme of
// RFC 8018 (PKCS #5 v2.1) section 6.2 as encrypted PKCS#8 keys and PKCS#12
// stores use it: PBKDF2 with HMAC-SHA-1, -224, -256, -384 or -512, then
// AES-128/192/256-CBC or DES-EDE3-CBC with the padding of section 6.1.1.
//
// It parses and writes the PBES2-params of an AlgorithmIdentifier and the
// ciphertext, nothing around them: callers check that the algorithm is
// PBES2, choose the password bytes (RFC 8018 leaves their encoding to the
// application; OpenSSL and the JDK use UTF-8), turn the errors here into
// their own, and tell a wrong password from damage by checking the
// plaintext. Left out: scrypt and other key derivations, the otherSource
// salt, RC2 and RC5 in PBES2, PBES1, and PBMAC1.
//
// Input is read as DER unless the caller supplies its own unmarshalling
// (PKCS#12 files come in BER).
package pbes2

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"
)

// Object identifiers of RFC 8018 appendices A and B and of NIST's AES.
var (
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
)

// OID is the object identifier of PBES2 (RFC 8018 appendix A.4),
// id-PBES2, for callers that build or dispatch on AlgorithmIdentifiers.
func OID() asn1.ObjectIdentifier { return asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13} }

// PRF is a pseudorandom function for PBKDF2. The zero value is
// HMAC-SHA-256, what OpenSSL 3 and the JDK write.
type PRF int

const (
	HMACWithSHA256 PRF = iota
	HMACWithSHA1
	HMACWithSHA224
	HMACWithSHA384
	HMACWithSHA512
)

var prfs = [...]struct {
	oid  asn1.ObjectIdentifier
	hash func() hash.Hash
}{
	HMACWithSHA256: {oidHMACSHA256, sha256.New},
	HMACWithSHA1:   {oidHMACSHA1, sha1.New},
	HMACWithSHA224: {oidHMACSHA224, sha256.New224},
	HMACWithSHA384: {oidHMACSHA384, sha512.New384},
	HMACWithSHA512: {oidHMACSHA512, sha512.New},
}

// PRFHash returns the hash of the HMAC PRF named by oid. An empty oid is
// hmacWithSHA1, the DEFAULT of RFC 8018 appendix A.2.
func PRFHash(oid asn1.ObjectIdentifier) (func() hash.Hash, bool) {
	if len(oid) == 0 {
		return sha1.New, true
	}
	for _, p := range prfs {
		if oid.Equal(p.oid) {
			return p.hash, true
		}
	}
	return nil, false
}

// Cipher is an encryption scheme for PBES2. The zero value is AES-256-CBC.
type Cipher int

const (
	AES256CBC Cipher = iota
	AES128CBC
	AES192CBC
	DESEDE3CBC
)

type cipherInfo struct {
	oid    asn1.ObjectIdentifier
	keyLen int
	new    func(key []byte) (cipher.Block, error)
	block  int
}

var ciphers = [...]cipherInfo{
	AES256CBC:  {oidAES256CBC, 32, aes.NewCipher, aes.BlockSize},
	AES128CBC:  {oidAES128CBC, 16, aes.NewCipher, aes.BlockSize},
	AES192CBC:  {oidAES192CBC, 24, aes.NewCipher, aes.BlockSize},
	DESEDE3CBC: {oidDESEDE3CBC, 24, des.NewTripleDESCipher, des.BlockSize},
}

// ErrPadding is returned by Decrypt when the plaintext does not end in
// valid padding, which is what a wrong password nearly always gives.
var ErrPadding = errors.New("bad padding")

// ErrUnsupported matches (with errors.Is) every *AlgorithmError.
var ErrUnsupported = errors.New("unsupported algorithm")

// Role says what an unsupported algorithm was for.
type Role int

const (
	RoleKDF    Role = iota + 1 // the key derivation function (scrypt, say)
	RolePRF                    // the PBKDF2 pseudorandom function
	RoleCipher                 // the encryption scheme
	RoleSalt                   // the PBKDF2 salt is otherSource, not an OCTET STRING
)

var roleNames = map[Role]string{RoleKDF: "key derivation", RolePRF: "PBKDF2 PRF", RoleCipher: "PBES2 cipher", RoleSalt: "PBKDF2 salt source"}

// AlgorithmError reports well-formed parameters naming an algorithm this
// package does not implement.
type AlgorithmError struct {
	Role Role
	OID  asn1.ObjectIdentifier // nil for RoleSalt
}

func (e *AlgorithmError) Error() string {
	if e.OID == nil {
		return "unsupported " + roleNames[e.Role]
	}
	return "unsupported " + roleNames[e.Role] + " " + e.OID.String()
}

func (e *AlgorithmError) Is(target error) bool { return target == ErrUnsupported }

// Field names the part of the parameters or ciphertext a FormatError is
// about.
type Field int

const (
	FieldParams     Field = iota + 1 // PBES2-params does not parse (Err)
	FieldKDFParams                   // PBKDF2-params does not parse (Err)
	FieldIterations                  // iteration count Got is out of range
	FieldKeyLength                   // keyLength Got does not fit the cipher's Want
	FieldIV                          // the IV does not parse (Err)
	FieldIVLength                    // an IV of Got bytes, the cipher wants Want
	FieldCiphertext                  // Got bytes, not a whole number of Want-byte blocks
)

// FormatError reports malformed parameters or ciphertext. Got and Want
// carry the numbers of the Field, Err the encoding/asn1 error.
type FormatError struct {
	Field     Field
	Got, Want int
	Err       error
}

func (e *FormatError) Error() string {
	bad := func(what string) string {
		if e.Err == nil {
			return "bad " + what
		}
		return "bad " + what + ": " + e.Err.Error()
	}
	switch e.Field {
	case FieldParams:
		return bad("PBES2 parameters")
	case FieldKDFParams:
		return bad("PBKDF2 parameters")
	case FieldIterations:
		return fmt.Sprintf("PBKDF2 iteration count %d out of range", e.Got)
	case FieldKeyLength:
		return fmt.Sprintf("PBKDF2 key length %d for a %d-byte key", e.Got, e.Want)
	case FieldIV:
		return bad("cipher IV")
	case FieldIVLength:
		return fmt.Sprintf("IV of %d bytes, want %d", e.Got, e.Want)
	case FieldCiphertext:
		return fmt.Sprintf("ciphertext of %d bytes is not a whole number of %d-byte blocks", e.Got, e.Want)
	}
	return bad("PBES2 data")
}

func (e *FormatError) Unwrap() error { return e.Err }

// pbes2Params is RFC 8018 appendix A.4 (PBES2-params).
type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

// pbkdf2Params is RFC 8018 appendix A.2 (PBKDF2-params). The salt is read
// raw so the otherSource choice can be told from damage.
type pbkdf2Params struct {
	Salt           asn1.RawValue
	IterationCount int
	KeyLength      int                      `asn1:"optional"`
	PRF            pkix.AlgorithmIdentifier `asn1:"optional"`
}

// Params are PBES2 parameters that parsed and name algorithms this
// package implements.
type Params struct {
	salt       []byte
	iterations int
	prf        func() hash.Hash
	cipher     *cipherInfo
	iv         []byte
}

// ParseOptions tell Parse how to read the parameters.
type ParseOptions struct {
	// MaxIterations bounds the PBKDF2 iteration count, so a crafted file
	// cannot keep the caller busy for minutes.
	MaxIterations int
	// Unmarshal parses one element into v and refuses trailing data. Nil
	// means DER, with encoding/asn1.
	Unmarshal func(data []byte, v any) error
}

// unmarshalDER parses one DER element into v and refuses trailing bytes.
func unmarshalDER(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%d bytes of trailing data", len(rest))
	}
	return nil
}

// Parse reads PBES2-params (the Parameters of an AlgorithmIdentifier
// whose algorithm is [OID]) and checks them without deriving a key.
//
// Errors are [*FormatError] and [*AlgorithmError].
func Parse(params []byte, opts ParseOptions) (*Params, error) {
	unmarshal := opts.Unmarshal
	if unmarshal == nil {
		unmarshal = unmarshalDER
	}
	var p pbes2Params
	if err := unmarshal(params, &p); err != nil {
		return nil, &FormatError{Field: FieldParams, Err: err}
	}
	if !p.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
		return nil, &AlgorithmError{Role: RoleKDF, OID: p.KeyDerivationFunc.Algorithm}
	}
	var kp pbkdf2Params
	if err := unmarshal(p.KeyDerivationFunc.Parameters.FullBytes, &kp); err != nil {
		return nil, &FormatError{Field: FieldKDFParams, Err: err}
	}
	if kp.Salt.Tag != asn1.TagOctetString || kp.Salt.Class != asn1.ClassUniversal {
		return nil, &AlgorithmError{Role: RoleSalt}
	}
	var salt []byte
	if err := unmarshal(kp.Salt.FullBytes, &salt); err != nil {
		// A constructed OCTET STRING, which DER does not allow.
		return nil, &FormatError{Field: FieldKDFParams, Err: err}
	}
	if kp.IterationCount < 1 || kp.IterationCount > opts.MaxIterations {
		return nil, &FormatError{Field: FieldIterations, Got: kp.IterationCount, Want: opts.MaxIterations}
	}
	prf, ok := PRFHash(kp.PRF.Algorithm)
	if !ok {
		return nil, &AlgorithmError{Role: RolePRF, OID: kp.PRF.Algorithm}
	}
	var c *cipherInfo
	for i := range ciphers {
		if p.EncryptionScheme.Algorithm.Equal(ciphers[i].oid) {
			c = &ciphers[i]
		}
	}
	if c == nil {
		return nil, &AlgorithmError{Role: RoleCipher, OID: p.EncryptionScheme.Algorithm}
	}
	if kp.KeyLength != 0 && kp.KeyLength != c.keyLen {
		return nil, &FormatError{Field: FieldKeyLength, Got: kp.KeyLength, Want: c.keyLen}
	}
	var iv []byte
	if err := unmarshal(p.EncryptionScheme.Parameters.FullBytes, &iv); err != nil {
		return nil, &FormatError{Field: FieldIV, Err: err}
	}
	if len(iv) != c.block {
		return nil, &FormatError{Field: FieldIVLength, Got: len(iv), Want: c.block}
	}
	return &Params{salt: salt, iterations: kp.IterationCount, prf: prf, cipher: c, iv: iv}, nil
}

// CheckCiphertext reports, as Decrypt would, a ciphertext that cannot be
// the output of these parameters: empty, or not whole blocks. It lets a
// caller refuse damaged input before asking for a password.
func (p *Params) CheckCiphertext(ciphertext []byte) error {
	if len(ciphertext) == 0 || len(ciphertext)%p.cipher.block != 0 {
		return &FormatError{Field: FieldCiphertext, Got: len(ciphertext), Want: p.cipher.block}
	}
	return nil
}

// Work is what deriving the key costs, in blocks of the PRF's hash: two
// (HMAC's inner and outer hash) per iteration, for each hash-sized block
// of the key.
func (p *Params) Work() int {
	size := p.prf().Size()
	return 2 * p.iterations * ((p.cipher.keyLen + size - 1) / size)
}

// Decrypt derives the key from password (RFC 8018 section 6.2.2), decrypts
// ciphertext and removes the padding. Errors: a [*FormatError] from
// CheckCiphertext, [ErrPadding], or an error of crypto/pbkdf2 (FIPS 140-only
// mode refuses short salts and SHA-1).
func (p *Params) Decrypt(password, ciphertext []byte) ([]byte, error) {
	if err := p.CheckCiphertext(ciphertext); err != nil {
		return nil, err
	}
	key, err := pbkdf2.Key(p.prf, string(password), p.salt, p.iterations, p.cipher.keyLen)
	if err != nil {
		return nil, err
	}
	b, err := p.cipher.new(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(b, p.iv).CryptBlocks(out, ciphertext)
	return Unpad(out, b.BlockSize())
}

// Decrypt is [Parse] followed by [Params.Decrypt].
func Decrypt(params []byte, opts ParseOptions, password, ciphertext []byte) ([]byte, error) {
	p, err := Parse(params, opts)
	if err != nil {
		return nil, err
	}
	return p.Decrypt(password, ciphertext)
}

// Options choose what Encrypt writes. The zero PRF and Cipher are
// HMAC-SHA-256 and AES-256-CBC.
type Options struct {
	Iterations int    // PBKDF2 iteration count, at least 1
	SaltLen    int    // salt length in bytes; 0 means 16
	PRF        PRF    // PBKDF2 pseudorandom function
	Cipher     Cipher // encryption scheme
	// KeyLength writes the optional keyLength field of PBKDF2-params, as
	// the JDK does; OpenSSL leaves it out.
	KeyLength bool
}

// Encrypt pads plaintext and encrypts it under password with a fresh salt
// and IV read, in that order, from rand. It returns the PBES2
// AlgorithmIdentifier to store beside the ciphertext. The PRF is written
// explicitly, with NULL parameters, as OpenSSL 3 writes it.
func Encrypt(rand io.Reader, password, plaintext []byte, opts Options) (pkix.AlgorithmIdentifier, []byte, error) {
	var alg pkix.AlgorithmIdentifier
	if opts.Iterations < 1 {
		return alg, nil, fmt.Errorf("PBKDF2 iteration count %d", opts.Iterations)
	}
	if opts.PRF < 0 || int(opts.PRF) >= len(prfs) || opts.Cipher < 0 || int(opts.Cipher) >= len(ciphers) {
		return alg, nil, fmt.Errorf("PBES2 options: PRF %d, cipher %d", opts.PRF, opts.Cipher)
	}
	prf, c := prfs[opts.PRF], ciphers[opts.Cipher]
	saltLen := opts.SaltLen
	if saltLen == 0 {
		saltLen = 16
	}
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return alg, nil, err
	}
	iv := make([]byte, c.block)
	if _, err := io.ReadFull(rand, iv); err != nil {
		return alg, nil, err
	}
	kp := struct {
		Salt           []byte
		IterationCount int
		KeyLength      int `asn1:"optional"`
		PRF            pkix.AlgorithmIdentifier
	}{Salt: salt, IterationCount: opts.Iterations, PRF: pkix.AlgorithmIdentifier{Algorithm: prf.oid, Parameters: asn1.NullRawValue}}
	if opts.KeyLength {
		kp.KeyLength = c.keyLen
	}
	kdfDER, err := asn1.Marshal(kp)
	if err != nil {
		return alg, nil, err
	}
	ivDER, err := asn1.Marshal(iv)
	if err != nil {
		return alg, nil, err
	}
	paramsDER, err := asn1.Marshal(pbes2Params{
		KeyDerivationFunc: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdfDER}},
		EncryptionScheme:  pkix.AlgorithmIdentifier{Algorithm: c.oid, Parameters: asn1.RawValue{FullBytes: ivDER}},
	})
	if err != nil {
		return alg, nil, err
	}
	alg = pkix.AlgorithmIdentifier{Algorithm: OID(), Parameters: asn1.RawValue{FullBytes: paramsDER}}
	key, err := pbkdf2.Key(prf.hash, string(password), salt, opts.Iterations, c.keyLen)
	if err != nil {
		return alg, nil, fmt.Errorf("deriving the key: %w", err)
	}
	b, err := c.new(key)
	if err != nil {
		return alg, nil, err
	}
	ct := Pad(plaintext, c.block)
	cipher.NewCBCEncrypter(b, iv).CryptBlocks(ct, ct)
	return alg, ct, nil
}

// Pad returns a copy of b with the padding of RFC 8018 section 6.1.1 step
// 4 (the same as PKCS #7's) for blockSize-byte blocks: 1 to blockSize
// bytes, each holding the count. PBES1 and PKCS#12 pad the same way.
func Pad(b []byte, blockSize int) []byte {
	n := blockSize - len(b)%blockSize
	out := make([]byte, len(b)+n)
	copy(out, b)
	for i := len(b); i < len(out); i++ {
		out[i] = byte(n)
	}
	return out
}

// Unpad removes the padding Pad adds and returns b shortened, or
// [ErrPadding] when b is not whole blocks or does not end in valid padding.
func Unpad(b []byte, blockSize int) ([]byte, error) {
	if len(b) == 0 || len(b)%blockSize != 0 {
		return nil, ErrPadding
	}
	n := int(b[len(b)-1])
	if n == 0 || n > blockSize {
		return nil, ErrPadding
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, ErrPadding
		}
	}
	return b[:len(b)-n], nil
}
