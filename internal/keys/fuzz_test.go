package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes: it must not panic, every error
// must be one of ours (or wrap one), and a key that parses must re-encode
// and parse to the same key.
func FuzzParse(f *testing.F) {
	// Keep each input cheap: PBKDF2 cost is not what is being fuzzed.
	maxIterations, encryptIterations = 4096, 2048
	f.Cleanup(func() { maxIterations, encryptIterations = 10_000_000, PBKDF2Iterations })
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, opts := range []EncodeOptions{{}, {DER: true}, {Format: SEC1}, {Format: SEC1, DER: true}, {Password: []byte("pw")}, {Password: []byte("pw"), DER: true}} {
		b, err := Encode(ec, opts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := Parse(data, func() ([]byte, error) { return []byte("pw"), nil })
		if err != nil {
			var ce *CorruptError
			var ue *UnsupportedError
			if !errors.Is(err, ErrWrongPassword) && !errors.Is(err, ErrNoKey) && !errors.As(err, &ce) && !errors.As(err, &ue) {
				t.Fatalf("error not of our types: %T %v", err, err)
			}
			return
		}
		b, err := Encode(k, EncodeOptions{DER: true})
		if err != nil {
			t.Fatalf("parsed key does not encode: %v", err)
		}
		k2, err := Parse(b, nil)
		if err != nil || !Matches(k2, k.Public()) {
			t.Fatalf("re-encoded key: %v", err)
		}
	})
}
