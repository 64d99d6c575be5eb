package p12

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// toBER re-encodes DER the way Windows writes PKCS#12: every constructed
// element with an indefinite length and every OCTET STRING longer than 16
// bytes split into constructed segments.
func toBER(t testing.TB, der []byte) []byte {
	t.Helper()
	out, rest, err := toBERElement(der)
	if err != nil || len(rest) != 0 {
		t.Fatalf("toBER: %v", err)
	}
	return out
}

func toBERElement(in []byte) (out, rest []byte, err error) {
	tag, constructed, utag, length, body, err := berHeader(in)
	if err != nil {
		return nil, nil, err
	}
	content, rest := body[:length], body[length:]
	switch {
	case utag == 4 && !constructed && len(content) > 16:
		out = append([]byte{0x24, 0x80}, appendElement(nil, []byte{4}, content[:16])...)
		out = append(out, appendElement(nil, []byte{4}, content[16:])...)
		return append(out, 0, 0), rest, nil
	case !constructed:
		return appendElement(nil, tag, content), rest, nil
	}
	out = append(append([]byte{}, tag...), 0x80)
	for len(content) > 0 {
		var c []byte
		if c, content, err = toBERElement(content); err != nil {
			return nil, nil, err
		}
		out = append(out, c...)
	}
	return append(out, 0, 0), rest, nil
}

// TestReadsBER: indefinite lengths and segmented OCTET STRINGs at every
// layer, including inside the MACed content, read like their DER.
func TestReadsBER(t *testing.T) {
	f := sampleFile(t)
	for _, enc := range []Encryption{Modern, Legacy, None} {
		der, err := EncodeWith(f, []byte("pw"), fastOpts(enc))
		if err != nil {
			t.Fatal(err)
		}
		ber := toBER(t, der)
		if bytes.Equal(ber, der) {
			t.Fatal("toBER changed nothing")
		}
		got, err := Decode(ber, []byte("pw"))
		if err != nil {
			t.Fatalf("%v: %v", enc, err)
		}
		if d := diffLines(summary(f), summary(got)); d != "" {
			t.Errorf("%v:\n%s", enc, d)
		}
	}
}

// ours reports whether err is one of the errors Decode documents.
func ours(err error) bool {
	var fe *FormatError
	var ue *UnsupportedError
	return errors.Is(err, ErrWrongPassword) || errors.As(err, &fe) || errors.As(err, &ue)
}

func FuzzDecode(f *testing.F) {
	sample := sampleFile(f)
	for _, enc := range []Encryption{Modern, Legacy, None} {
		der, err := EncodeWith(sample, []byte("pw"), Options{Encryption: enc, Iterations: 1})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der, []byte("pw"))
		f.Add(toBER(f, der), []byte("pw"))
	}
	for _, name := range []string{"rfc9579-a1.txt", "rfc9579-a6.txt"} {
		b64, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		der, err := base64.StdEncoding.DecodeString(string(b64))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der, []byte("1234"))
	}
	empty, _ := EncodeWith(&File{}, nil, Options{Encryption: Modern, Iterations: 1})
	f.Add(empty, []byte{})
	f.Add([]byte{0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00}, []byte(nil))
	// Iteration counts up to the JDK's 5,000,000 are accepted and cost
	// seconds each; the fuzzer would spend its time there.
	maxIterations = 5000
	f.Fuzz(func(t *testing.T, data, password []byte) {
		file, err := Decode(data, password)
		if err != nil {
			if !ours(err) {
				t.Fatalf("error of foreign type %T: %v", err, err)
			}
			return
		}
		// What decodes re-encodes and decodes to the same entries.
		out, err := EncodeWith(file, password, Options{Encryption: file.Encryption, Iterations: 1})
		if err != nil {
			return // e.g. a certificate bag holding something not DER
		}
		again, err := Decode(out, password)
		if err != nil {
			t.Fatalf("re-encoded store does not decode: %v", err)
		}
		if d := diffLines(summary(file), summary(again)); d != "" {
			t.Fatalf("entries changed on re-encoding:\n%s", d)
		}
	})
}
