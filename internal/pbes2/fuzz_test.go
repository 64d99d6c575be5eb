package pbes2

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecrypt feeds Decrypt arbitrary parameters, password and ciphertext:
// it must not panic, every error must be one of the documented ones, and
// what decrypts must be the ciphertext less 1 to a block of padding. The
// password and ciphertext also round-trip through Encrypt.
func FuzzDecrypt(f *testing.F) {
	// PBKDF2 cost is not what is being fuzzed.
	const maxIterations = 64
	for c := AES256CBC; c <= DESEDE3CBC; c++ {
		alg, ct, err := Encrypt(newRand(), []byte("pw"), []byte("plaintext"), Options{Iterations: 2, PRF: PRF(c), Cipher: c, KeyLength: c%2 == 0})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(alg.Parameters.FullBytes, []byte("pw"), ct)
		f.Add(alg.Parameters.FullBytes, []byte("wrong"), ct)
	}
	f.Add([]byte{0x30, 0x00}, []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, params, password, ciphertext []byte) {
		plain, err := Decrypt(params, ParseOptions{MaxIterations: maxIterations}, password, ciphertext)
		if err != nil {
			var fe *FormatError
			var ae *AlgorithmError
			if !errors.Is(err, ErrPadding) && !errors.As(err, &fe) && !errors.As(err, &ae) {
				t.Fatalf("error not of our types: %T %v", err, err)
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
		} else if pad := len(ciphertext) - len(plain); pad < 1 || pad > 16 {
			t.Fatalf("%d bytes decrypted to %d", len(ciphertext), len(plain))
		}

		alg, ct, err := Encrypt(newRand(), password, ciphertext, Options{Iterations: 1, Cipher: Cipher(len(password) % len(ciphers))})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decrypt(alg.Parameters.FullBytes, ParseOptions{MaxIterations: 1}, password, ct)
		if err != nil || !bytes.Equal(got, ciphertext) {
			t.Fatalf("round trip: %x, %v", got, err)
		}
	})
}
