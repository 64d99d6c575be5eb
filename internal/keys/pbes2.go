package keys

import (
	"crypto"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/trustctl/trustctl/internal/pbes2"
)

// Object identifiers: scrypt, for its own message, and what encryptPKCS8
// writes, which TestEncryptIterations looks for.
var (
	oidScrypt     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
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

// pbes2Params and pbkdf2Params are RFC 8018 appendices A.4 and A.2 in the
// shape encryptPKCS8 writes (package pbes2 reads and writes them); the
// tests read them back.
type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

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

// decryptPKCS8 decrypts an EncryptedPrivateKeyInfo and parses the key. The
// parameters and the ciphertext are checked before the password is asked
// for.
func decryptPKCS8(der []byte, password func() ([]byte, error)) (crypto.Signer, error) {
	var epki encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &epki); err != nil {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: err}
	} else if len(rest) != 0 {
		return nil, &CorruptError{Form: "encrypted PKCS#8", Err: errors.New("trailing data")}
	}
	if !epki.Algo.Algorithm.Equal(pbes2.OID()) {
		oid := epki.Algo.Algorithm.String()
		if n, ok := pbeNames[oid]; ok {
			return nil, &UnsupportedError{What: "key encryption " + n + " (re-encrypt with openssl pkcs8 -topk8 -v2 aes-256-cbc)"}
		}
		return nil, &UnsupportedError{What: "key encryption " + oid}
	}
	params, err := pbes2.Parse(epki.Algo.Parameters.FullBytes, pbes2.ParseOptions{MaxIterations: maxIterations})
	if err != nil {
		return nil, pbes2Error(err)
	}
	if err := params.CheckCiphertext(epki.EncryptedData); err != nil {
		return nil, pbes2Error(err)
	}
	pw, err := getPassword(password)
	if err != nil {
		return nil, err
	}
	// OpenSSL passes the passphrase bytes as typed (no BMPString
	// conversion, unlike PKCS#12).
	plain, err := params.Decrypt(pw, epki.EncryptedData)
	if err != nil {
		// A wrong passphrase shows as bad padding (RFC 8018 section 6.2.2
		// step 5); when the padding is right by chance the plaintext
		// still has to parse as a key.
		return nil, pbes2Error(err)
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

// pbes2Error turns an error of package pbes2 into this package's.
func pbes2Error(err error) error {
	corrupt := func(err error) error { return &CorruptError{Form: "encrypted PKCS#8", Err: err} }
	var ae *pbes2.AlgorithmError
	var fe *pbes2.FormatError
	switch {
	case errors.Is(err, pbes2.ErrPadding):
		return ErrWrongPassword
	case errors.As(err, &ae):
		switch ae.Role {
		case pbes2.RoleKDF:
			if ae.OID.Equal(oidScrypt) {
				return &UnsupportedError{What: "key encryption PBES2 with scrypt (re-encrypt with openssl pkcs8 -topk8 -v2 aes-256-cbc)"}
			}
			return &UnsupportedError{What: "key derivation " + ae.OID.String()}
		case pbes2.RolePRF:
			return &UnsupportedError{What: "PBKDF2 PRF " + ae.OID.String()}
		case pbes2.RoleCipher:
			return &UnsupportedError{What: "key cipher " + ae.OID.String()}
		}
		// An otherSource salt: not the OCTET STRING PBKDF2-params must
		// hold for us.
		return corrupt(errors.New("bad PBKDF2 parameters"))
	case errors.As(err, &fe):
		switch fe.Field {
		case pbes2.FieldParams:
			return corrupt(errors.New("bad PBES2 parameters"))
		case pbes2.FieldKDFParams:
			return corrupt(errors.New("bad PBKDF2 parameters"))
		case pbes2.FieldIterations:
			return corrupt(fmt.Errorf("PBKDF2 iteration count %d out of range", fe.Got))
		case pbes2.FieldKeyLength:
			return corrupt(fmt.Errorf("key length %d does not fit the cipher", fe.Got))
		case pbes2.FieldIV:
			return corrupt(errors.New("bad cipher IV"))
		case pbes2.FieldIVLength:
			return corrupt(fmt.Errorf("IV of %d bytes, want %d", fe.Got, fe.Want))
		case pbes2.FieldCiphertext:
			return corrupt(errors.New("encrypted data is not a whole number of blocks"))
		}
	}
	return corrupt(err)
}

// encryptPKCS8 wraps a PKCS#8 PrivateKeyInfo in an EncryptedPrivateKeyInfo
// the way `openssl pkcs8 -topk8 -v2 aes-256-cbc` does: PBES2 with
// PBKDF2-HMAC-SHA-256 (the PRF written explicitly, with NULL parameters,
// as OpenSSL 3 writes it), a 16-byte salt and AES-256-CBC.
func encryptPKCS8(pkcs8 []byte, password []byte) ([]byte, error) {
	alg, ct, err := pbes2.Encrypt(rand.Reader, password, pkcs8, pbes2.Options{
		Iterations: encryptIterations,
		SaltLen:    16,
		PRF:        pbes2.HMACWithSHA256,
		Cipher:     pbes2.AES256CBC,
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(encryptedPrivateKeyInfo{Algo: alg, EncryptedData: ct})
}
