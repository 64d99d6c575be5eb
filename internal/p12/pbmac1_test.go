package p12

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestPBMAC1Vectors reads the test vectors of RFC 9579 appendix A.
func TestPBMAC1Vectors(t *testing.T) {
	tests := []struct {
		file string
		want string // "", "wrong password" or "format"
	}{
		{"rfc9579-a1.txt", ""},
		{"rfc9579-a2.txt", ""},
		{"rfc9579-a3.txt", ""},
		{"rfc9579-a4.txt", "wrong password"},
		{"rfc9579-a5.txt", "wrong password"},
		{"rfc9579-a6.txt", "format"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b64, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			der, err := base64.StdEncoding.DecodeString(string(b64))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Decode(der, []byte("1234"))
			var fe *FormatError
			switch tc.want {
			case "":
				if err != nil {
					t.Fatal(err)
				}
				if f.Encryption != Modern || len(f.Entries) != 1 || f.Entries[0].Key == nil || len(f.Entries[0].Certs) != 1 {
					t.Errorf("got %v, %v", f.Encryption, summary(f))
				}
				if _, err := Decode(der, []byte("12345")); !errors.Is(err, ErrWrongPassword) {
					t.Errorf("wrong password: err = %v", err)
				}
			case "wrong password":
				if !errors.Is(err, ErrWrongPassword) {
					t.Errorf("err = %v, want ErrWrongPassword", err)
				}
			case "format":
				if !errors.As(err, &fe) {
					t.Errorf("err = %v, want *FormatError", err)
				}
			}
		})
	}
}
