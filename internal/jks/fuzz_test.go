package jks

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fuzzSeeds adds the keytool-made stores of the given magic, halves of them,
// and for JKS what Encode makes of one.
func fuzzSeeds(f *testing.F, jceks bool) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.j*ks"))
	for _, p := range files {
		b := readFile(f, ".", p)
		if hasMagic(b, magicJCEKS) == jceks {
			f.Add(b)
			f.Add(b[:len(b)/2])
		}
	}
	if !jceks {
		// What Encode writes, sorted and re-digested. Seeds must be the same
		// in every fuzzing process, so no fresh keys or salts here.
		s, err := Decode(readFile(f, "testdata", "mixed.jks"), nil, nil)
		if err != nil {
			f.Fatal(err)
		}
		b, err := Encode(s, []byte("other"), nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0xCE, 0xCE, 0xCE, 0xCE, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3})
}

// checkDecodeErr asserts that Decode's errors are ours.
func checkDecodeErr(t *testing.T, err error) {
	var fe *FormatError
	var ke *KeyError
	if err != nil && !errors.As(err, &fe) && !errors.Is(err, ErrWrongPassword) && !errors.As(err, &ke) && !errors.Is(err, ErrTooMuchWork) {
		t.Fatalf("error of unexpected type %T: %v", err, err)
	}
}

func fuzzDecode(t *testing.T, data []byte) {
	f, err := Decode(data, nil, nil)
	checkDecodeErr(t, err)
	if err != nil {
		return
	}
	if f.Verified {
		t.Fatal("Verified without a password")
	}
	_, err = Decode(data, changeit, func(string) []byte { return changeit })
	checkDecodeErr(t, err)

	// What parses re-encodes, and decodes back to the same entries.
	out, err := Encode(f, changeit, nil)
	if err != nil {
		return // not representable in JKS (secret keys, chainless keys, ...)
	}
	if v, err := Decode(out, changeit, nil); err != nil || !v.Verified {
		t.Fatalf("verifying what Encode wrote: %v", err)
	}
	g, err := Decode(out, nil, nil) // keys stay protected, as in f
	if err != nil {
		t.Fatalf("decoding what Encode wrote: %v", err)
	}
	want := slices.Clone(f.Entries)
	slices.SortFunc(want, func(a, b Entry) int { return strings.Compare(a.Alias, b.Alias) })
	if len(g.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(g.Entries), len(want))
	}
	for i := range want {
		w, got := want[i], g.Entries[i]
		if w.Created.IsZero() {
			w.Created = got.Created // Encode substitutes a time for the zero one
		}
		w.Alias = strings.ToLower(w.Alias)
		if !equalEntry(&got, &w) {
			t.Fatalf("entry %d changed: %+v, want %+v", i, got, w)
		}
	}
}

func FuzzDecode(f *testing.F) {
	fuzzSeeds(f, false)
	f.Fuzz(fuzzDecode)
}

func FuzzDecodeJCEKS(f *testing.F) {
	fuzzSeeds(f, true)
	f.Fuzz(fuzzDecode)
}

// FuzzUnprotect feeds protected keys to the two key protection schemes.
func FuzzUnprotect(f *testing.F) {
	for _, name := range []string{"mixed.jks", "store.jceks"} {
		s, err := Decode(readFile(f, "testdata", name), nil, nil)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range s.Entries {
			if e.Protected != nil && !e.Secret {
				f.Add(e.Protected)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var info encryptedPrivateKeyInfo
		if _, err := asn1.Unmarshal(data, &info); err == nil && info.Algo.Algorithm.Equal(oidSunJCE) {
			var p pbeParams
			if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &p); err == nil && p.Iterations > 1000 {
				return // keep fuzzing fast; the bound itself is tested elsewhere
			}
		}
		key, err := unprotect(data, changeit)
		if err == nil && key == nil {
			t.Fatal("nil key without an error")
		}
		if err == nil && bytes.Equal(key, data) {
			t.Fatal("key returned still protected")
		}
	})
}

// FuzzSkipSerialized checks the Java serialization walker on its own.
func FuzzSkipSerialized(f *testing.F) {
	s, err := Decode(readFile(f, "testdata", "store.jceks"), nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range s.Entries {
		if e.Secret {
			f.Add(e.Protected)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := skipSerialized(data)
		if err == nil && (n < 4 || n > len(data)) {
			t.Fatalf("length %d of %d bytes", n, len(data))
		}
		if err != nil && !errors.Is(err, errSerial) && !errors.Is(err, errBadUTF) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}
