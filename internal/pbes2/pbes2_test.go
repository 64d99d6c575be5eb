package pbes2

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/rand/v2"
	"testing"
)

// fixedRand is a deterministic io.Reader, so ciphertexts are repeatable.
type fixedRand struct{ r *rand.ChaCha8 }

func newRand() fixedRand { return fixedRand{rand.NewChaCha8([32]byte{1})} }

func (f fixedRand) Read(b []byte) (int, error) { return f.r.Read(b) }

func TestRoundTrip(t *testing.T) {
	msg := []byte("a PrivateKeyInfo, say")
	for prf := HMACWithSHA256; prf <= HMACWithSHA512; prf++ {
		for c := AES256CBC; c <= DESEDE3CBC; c++ {
			for _, keyLen := range []bool{false, true} {
				opts := Options{Iterations: 3, PRF: prf, Cipher: c, KeyLength: keyLen}
				alg, ct, err := Encrypt(newRand(), []byte("pässwörd"), msg, opts)
				if err != nil {
					t.Fatalf("%+v: %v", opts, err)
				}
				if !alg.Algorithm.Equal(OID()) {
					t.Fatalf("%+v: algorithm %v", opts, alg.Algorithm)
				}
				got, err := Decrypt(alg.Parameters.FullBytes, ParseOptions{MaxIterations: 3}, []byte("pässwörd"), ct)
				if err != nil || !bytes.Equal(got, msg) {
					t.Errorf("%+v: Decrypt = %q, %v", opts, got, err)
				}
				got, err = Decrypt(alg.Parameters.FullBytes, ParseOptions{MaxIterations: 3}, []byte("wrong"), ct)
				if err == nil && bytes.Equal(got, msg) {
					t.Errorf("%+v: wrong password decrypted", opts)
				} else if err != nil && !errors.Is(err, ErrPadding) {
					t.Errorf("%+v: wrong password: %v, want ErrPadding", opts, err)
				}
			}
		}
	}
}

// TestEncryptLayout checks what Encrypt writes against RFC 8018 A.2 and
// A.4: the PRF with NULL parameters, keyLength only when asked for, the IV
// as the cipher's parameters, salt and IV read from rand in that order.
func TestEncryptLayout(t *testing.T) {
	for _, keyLen := range []bool{false, true} {
		alg, ct, err := Encrypt(newRand(), []byte("pw"), []byte("0123456789abcdef"), Options{Iterations: 1000, SaltLen: 8, KeyLength: keyLen})
		if err != nil {
			t.Fatal(err)
		}
		var p pbes2Params
		var kp struct {
			Salt           []byte
			IterationCount int
			KeyLength      int `asn1:"optional"`
			PRF            pkix.AlgorithmIdentifier
		}
		var iv []byte
		if err := unmarshalDER(alg.Parameters.FullBytes, &p); err != nil {
			t.Fatal(err)
		}
		if err := unmarshalDER(p.KeyDerivationFunc.Parameters.FullBytes, &kp); err != nil {
			t.Fatal(err)
		}
		if err := unmarshalDER(p.EncryptionScheme.Parameters.FullBytes, &iv); err != nil {
			t.Fatal(err)
		}
		want := make([]byte, 8+16)
		newRand().Read(want)
		wantKeyLen := 0
		if keyLen {
			wantKeyLen = 32
		}
		switch {
		case !p.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2), !p.EncryptionScheme.Algorithm.Equal(oidAES256CBC):
			t.Errorf("algorithms %v, %v", p.KeyDerivationFunc.Algorithm, p.EncryptionScheme.Algorithm)
		case !kp.PRF.Algorithm.Equal(oidHMACSHA256), !bytes.Equal(kp.PRF.Parameters.FullBytes, asn1.NullBytes):
			t.Errorf("PRF %v, parameters %x", kp.PRF.Algorithm, kp.PRF.Parameters.FullBytes)
		case kp.IterationCount != 1000, kp.KeyLength != wantKeyLen:
			t.Errorf("iterations %d, key length %d", kp.IterationCount, kp.KeyLength)
		case !bytes.Equal(kp.Salt, want[:8]), !bytes.Equal(iv, want[8:]):
			t.Errorf("salt %x, IV %x; rand gave %x", kp.Salt, iv, want)
		case len(ct) != 32:
			t.Errorf("16 bytes encrypt to %d, want a whole padding block more", len(ct))
		}
	}
}

func TestEncryptOptions(t *testing.T) {
	for _, opts := range []Options{{}, {Iterations: -1}, {Iterations: 1, PRF: 99}, {Iterations: 1, Cipher: -1}} {
		if _, _, err := Encrypt(newRand(), nil, nil, opts); err == nil {
			t.Errorf("%+v: no error", opts)
		}
	}
}

// der is DER that encode writes as it is.
type der []byte

// encode builds PBES2-params from parts; a der part is written as it is,
// to break it.
func encode(t *testing.T, kdf asn1.ObjectIdentifier, kdfParams any, enc asn1.ObjectIdentifier, iv any) []byte {
	t.Helper()
	raw := func(v any) asn1.RawValue {
		if b, ok := v.(der); ok {
			return asn1.RawValue{FullBytes: b}
		}
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: b}
	}
	b, err := asn1.Marshal(pbes2Params{
		KeyDerivationFunc: pkix.AlgorithmIdentifier{Algorithm: kdf, Parameters: raw(kdfParams)},
		EncryptionScheme:  pkix.AlgorithmIdentifier{Algorithm: enc, Parameters: raw(iv)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type kdf struct {
	Salt           any
	IterationCount int
	KeyLength      int                      `asn1:"optional"`
	PRF            pkix.AlgorithmIdentifier `asn1:"optional"`
}

func TestParseErrors(t *testing.T) {
	salt := []byte("saltsalt")
	iv := make([]byte, 16)
	good := kdf{Salt: salt, IterationCount: 10}
	sha256 := pkix.AlgorithmIdentifier{Algorithm: oidHMACSHA256, Parameters: asn1.NullRawValue}
	scrypt := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	rc2 := asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 2}
	md5 := asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}
	// SEQUENCE { OCTET STRING "salt" constructed, INTEGER 10 }
	consSalt := der{0x30, 0x0b, 0x24, 0x06, 0x04, 0x04, 's', 'a', 'l', 't', 0x02, 0x01, 0x0a}
	tests := []struct {
		name   string
		params []byte
		field  Field
		role   Role
	}{
		{"not DER", []byte{0x30, 0x80, 0, 0}, FieldParams, 0},
		{"trailing data", append(encode(t, oidPBKDF2, good, oidAES256CBC, iv), 0), FieldParams, 0},
		{"empty", nil, FieldParams, 0},
		{"scrypt", encode(t, scrypt, good, oidAES256CBC, iv), 0, RoleKDF},
		{"PBKDF2 not a SEQUENCE", encode(t, oidPBKDF2, 5, oidAES256CBC, iv), FieldKDFParams, 0},
		{"otherSource salt", encode(t, oidPBKDF2, kdf{Salt: sha256, IterationCount: 10}, oidAES256CBC, iv), 0, RoleSalt},
		{"constructed salt", encode(t, oidPBKDF2, consSalt, oidAES256CBC, iv), FieldKDFParams, 0},
		{"zero iterations", encode(t, oidPBKDF2, kdf{Salt: salt}, oidAES256CBC, iv), FieldIterations, 0},
		{"too many iterations", encode(t, oidPBKDF2, kdf{Salt: salt, IterationCount: 1001}, oidAES256CBC, iv), FieldIterations, 0},
		{"HMAC-MD5", encode(t, oidPBKDF2, kdf{Salt: salt, IterationCount: 10, PRF: pkix.AlgorithmIdentifier{Algorithm: md5}}, oidAES256CBC, iv), 0, RolePRF},
		{"RC2", encode(t, oidPBKDF2, good, rc2, iv), 0, RoleCipher},
		{"key length", encode(t, oidPBKDF2, kdf{Salt: salt, IterationCount: 10, KeyLength: 16}, oidAES256CBC, iv), FieldKeyLength, 0},
		{"IV not an OCTET STRING", encode(t, oidPBKDF2, good, oidAES256CBC, 7), FieldIV, 0},
		{"IV of 8 bytes for AES", encode(t, oidPBKDF2, good, oidAES256CBC, iv[:8]), FieldIVLength, 0},
		{"IV of 16 bytes for 3DES", encode(t, oidPBKDF2, good, oidDESEDE3CBC, iv), FieldIVLength, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.params, ParseOptions{MaxIterations: 1000})
			var fe *FormatError
			var ae *AlgorithmError
			switch {
			case tt.field != 0:
				if !errors.As(err, &fe) || fe.Field != tt.field {
					t.Errorf("err = %v, want a FormatError for field %d", err, tt.field)
				}
			case !errors.As(err, &ae) || ae.Role != tt.role || !errors.Is(err, ErrUnsupported):
				t.Errorf("err = %v, want an AlgorithmError for role %d", err, tt.role)
			}
			if err != nil && err.Error() == "" {
				t.Error("empty message")
			}
		})
	}

	// The accepted variants: the PRF absent (hmacWithSHA1), keyLength
	// matching, the maximum count.
	for _, k := range []kdf{good, {Salt: salt, IterationCount: 1000, KeyLength: 32, PRF: sha256}} {
		if _, err := Parse(encode(t, oidPBKDF2, k, oidAES256CBC, iv), ParseOptions{MaxIterations: 1000}); err != nil {
			t.Errorf("%+v: %v", k, err)
		}
	}
}

func TestCiphertextShape(t *testing.T) {
	alg, ct, err := Encrypt(newRand(), []byte("pw"), []byte("x"), Options{Iterations: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(alg.Parameters.FullBytes, ParseOptions{MaxIterations: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{nil, ct[:15], append(ct, 0)} {
		var fe *FormatError
		if err := p.CheckCiphertext(bad); !errors.As(err, &fe) || fe.Field != FieldCiphertext || fe.Want != 16 {
			t.Errorf("%d bytes: CheckCiphertext = %v", len(bad), err)
		}
		if _, err := p.Decrypt([]byte("pw"), bad); !errors.As(err, &fe) || fe.Field != FieldCiphertext {
			t.Errorf("%d bytes: Decrypt = %v", len(bad), err)
		}
	}
	if err := p.CheckCiphertext(ct); err != nil {
		t.Error(err)
	}
}

func TestPadding(t *testing.T) {
	for n := 0; n <= 17; n++ {
		b := bytes.Repeat([]byte{'a'}, n)
		padded := Pad(b, 8)
		if len(padded)%8 != 0 || len(padded) <= n || len(padded) > n+8 {
			t.Fatalf("Pad(%d bytes) is %d bytes", n, len(padded))
		}
		got, err := Unpad(padded, 8)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("Unpad(Pad(%d bytes)) = %x, %v", n, got, err)
		}
	}
	for _, bad := range [][]byte{
		nil,
		{1, 2, 3},                // not whole blocks
		{1, 1, 1, 1, 1, 1, 1, 0}, // zero count
		{1, 1, 1, 1, 1, 1, 1, 9}, // count above the block size
		{1, 1, 1, 1, 1, 1, 2, 3}, // bytes disagree with the count
	} {
		if _, err := Unpad(bad, 8); !errors.Is(err, ErrPadding) {
			t.Errorf("Unpad(%x) = %v, want ErrPadding", bad, err)
		}
	}
}

func TestPRFHash(t *testing.T) {
	if h, ok := PRFHash(nil); !ok || h().Size() != sha1.Size {
		t.Error("absent PRF is not HMAC-SHA-1")
	}
	for _, p := range prfs {
		if _, ok := PRFHash(p.oid); !ok {
			t.Errorf("%v not found", p.oid)
		}
	}
	if _, ok := PRFHash(asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}); ok {
		t.Error("HMAC-MD5 accepted")
	}
}

// TestParseUnmarshal: a caller's Unmarshal (PKCS#12 reads BER) is used for
// every layer, and its errors are kept.
func TestParseUnmarshal(t *testing.T) {
	alg, _, err := Encrypt(newRand(), []byte("pw"), []byte("x"), Options{Iterations: 1})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	opts := ParseOptions{MaxIterations: 1, Unmarshal: func(b []byte, v any) error { calls++; return unmarshalDER(b, v) }}
	if _, err := Parse(alg.Parameters.FullBytes, opts); err != nil || calls != 4 {
		t.Errorf("Parse = %v after %d Unmarshal calls, want 4 (PBES2, PBKDF2, salt, IV)", err, calls)
	}
	errBER := errors.New("malformed BER")
	opts.Unmarshal = func([]byte, any) error { return errBER }
	var fe *FormatError
	if _, err := Parse(alg.Parameters.FullBytes, opts); !errors.As(err, &fe) || fe.Field != FieldParams || !errors.Is(err, errBER) {
		t.Errorf("Parse = %v, want a FormatError wrapping the Unmarshal error", err)
	}
	if (&FormatError{Field: FieldIV}).Error() != "bad cipher IV" {
		t.Error("FormatError without Err")
	}
}

// TestWork: two hash blocks an iteration (HMAC), for each hash-sized block
// of the key.
func TestWork(t *testing.T) {
	for _, tc := range []struct {
		prf    PRF
		cipher Cipher
		iter   int
		want   int
	}{
		{HMACWithSHA256, AES256CBC, 10000, 20000}, // 32-byte key, 32-byte hash
		{HMACWithSHA256, AES128CBC, 2048, 4096},
		{HMACWithSHA1, AES256CBC, 1000, 4000},  // 32-byte key: two SHA-1 blocks
		{HMACWithSHA1, DESEDE3CBC, 1000, 4000}, // 24 bytes: two as well
		{HMACWithSHA512, AES256CBC, 1000, 2000},
	} {
		alg, _, err := Encrypt(newRand(), []byte("pw"), []byte("data"), Options{Iterations: tc.iter, PRF: tc.prf, Cipher: tc.cipher})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(alg.Parameters.FullBytes, ParseOptions{MaxIterations: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Work(); got != tc.want {
			t.Errorf("PRF %d, cipher %d, %d iterations: Work() = %d; want %d", tc.prf, tc.cipher, tc.iter, got, tc.want)
		}
	}
}
