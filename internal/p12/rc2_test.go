package p12

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// TestRC2Vectors checks the test vectors of RFC 2268 section 5.
func TestRC2Vectors(t *testing.T) {
	tests := []struct {
		key, plain, cipher string
		bits               int
	}{
		{"0000000000000000", "0000000000000000", "ebb773f993278eff", 63},
		{"ffffffffffffffff", "ffffffffffffffff", "278b27e42e2f0d49", 64},
		{"3000000000000000", "1000000000000001", "30649edf9be7d2c2", 64},
		{"88", "0000000000000000", "61a8a244adacccf0", 64},
		{"88bca90e90875a", "0000000000000000", "6ccf4308974c267f", 64},
		{"88bca90e90875a7f0f79c384627bafb2", "0000000000000000", "1a807d272bbe5db1", 64},
		{"88bca90e90875a7f0f79c384627bafb2", "0000000000000000", "2269552ab0f85ca6", 128},
	}
	for _, tc := range tests {
		key, _ := hex.DecodeString(tc.key)
		plain, _ := hex.DecodeString(tc.plain)
		want, _ := hex.DecodeString(tc.cipher)
		c := newRC2(key, tc.bits)
		got := make([]byte, 8)
		c.Encrypt(got, plain)
		if !bytes.Equal(got, want) {
			t.Errorf("key %s/%d: encrypt = %x, want %x", tc.key, tc.bits, got, want)
		}
		c.Decrypt(got, want)
		if !bytes.Equal(got, plain) {
			t.Errorf("key %s/%d: decrypt = %x, want %x", tc.key, tc.bits, got, plain)
		}
	}
}
