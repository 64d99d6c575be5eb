package p12

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"

	"github.com/trustctl/trustctl/internal/pbes2"
)

// verifyMAC checks the MacData of a PFX (RFC 7292 section 5, or PBMAC1 of
// RFC 9579) over authSafe with each form of the password in turn, and puts
// the form it verifies with first. It reports whether the MAC is
// HMAC-SHA-1, which tells a legacy file.
func verifyMAC(macDER, authSafe []byte, forms []passwords) (sha1MAC bool, err error) {
	var md macData
	if err := unmarshalAll(macDER, &md); err != nil {
		return false, formatErr("MAC data", err)
	}
	if md.Iterations < 1 || md.Iterations > maxIterations {
		return false, formatErr(fmt.Sprintf("MAC iteration count %d", md.Iterations), nil)
	}
	alg := md.Mac.Algorithm
	for i, pw := range forms {
		var mac []byte
		var err error
		if alg.Algorithm.Equal(oidPBMAC1) {
			mac, err = computePBMAC1(alg.Parameters.FullBytes, pw.raw, authSafe)
		} else {
			mac, err = computeMAC(alg.Algorithm, pw.bmp, md.MacSalt, md.Iterations, authSafe)
		}
		if err != nil {
			return false, err
		}
		if hmac.Equal(mac, md.Mac.Digest) {
			forms[0], forms[i] = forms[i], forms[0]
			return alg.Algorithm.Equal(oidSHA1), nil
		}
	}
	return false, ErrWrongPassword
}

// computeMAC returns the HMAC of RFC 7292 section 5 / appendix B.3 over
// data, keyed from the BMP password with the PKCS#12 KDF (id 3).
func computeMAC(alg asn1.ObjectIdentifier, bmp, salt []byte, iterations int, data []byte) ([]byte, error) {
	kh, err := macHash(alg)
	if err != nil {
		return nil, err
	}
	key := pkcs12KDF(kh, bmp, salt, iterations, 3, kh.new().Size())
	m := hmac.New(kh.new, key)
	m.Write(data)
	return m.Sum(nil), nil
}

type pbmac1Params struct {
	KDF pkix.AlgorithmIdentifier
	MAC pkix.AlgorithmIdentifier
}

// computePBMAC1 returns the PBMAC1 MAC of RFC 9579: HMAC keyed with
// PBKDF2 over the UTF-8 password; MacData's own salt and iteration count
// are not used (RFC 9579 section 6).
func computePBMAC1(params []byte, password, data []byte) ([]byte, error) {
	var p pbmac1Params
	if err := unmarshalAll(params, &p); err != nil {
		return nil, formatErr("PBMAC1 parameters", err)
	}
	if !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, &UnsupportedError{What: "PBMAC1 key derivation " + p.KDF.Algorithm.String()}
	}
	var kp pbkdf2Params
	if err := unmarshalAll(p.KDF.Parameters.FullBytes, &kp); err != nil {
		return nil, formatErr("PBMAC1 PBKDF2 parameters", err)
	}
	if kp.Salt.Tag != asn1.TagOctetString || kp.Salt.Class != asn1.ClassUniversal {
		return nil, &UnsupportedError{What: "PBKDF2 salt source"}
	}
	if kp.Iterations < 1 || kp.Iterations > maxIterations {
		return nil, formatErr(fmt.Sprintf("PBMAC1 iteration count %d", kp.Iterations), nil)
	}
	// RFC 9579 section 6 makes keyLength mandatory here. A short key would
	// let a forged file pass the MAC by brute force, so anything under the
	// 20 bytes of SHA-1 is refused.
	if kp.KeyLength < 20 || kp.KeyLength > 64 {
		return nil, formatErr(fmt.Sprintf("PBMAC1 key length %d", kp.KeyLength), nil)
	}
	prf, err := prfHash(kp.PRF)
	if err != nil {
		return nil, err
	}
	mac, err := prfHash(p.MAC)
	if err != nil {
		return nil, err
	}
	key, err := pbkdf2.Key(prf, string(password), kp.Salt.Bytes, kp.Iterations, kp.KeyLength)
	if err != nil {
		return nil, fmt.Errorf("deriving the MAC key: %w", err)
	}
	m := hmac.New(mac, key)
	m.Write(data)
	return m.Sum(nil), nil
}

// pbkdf2Params is RFC 8018 appendix A.2, as PBMAC1 uses it.
type pbkdf2Params struct {
	Salt       asn1.RawValue
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// prfHash maps an HMAC algorithm of RFC 8018 (a PBKDF2 PRF or the PBMAC1
// MAC) to its hash; absent means hmacWithSHA1.
func prfHash(alg pkix.AlgorithmIdentifier) (func() hash.Hash, error) {
	if h, ok := pbes2.PRFHash(alg.Algorithm); ok {
		return h, nil
	}
	return nil, &UnsupportedError{What: "PBKDF2 PRF " + alg.Algorithm.String()}
}
