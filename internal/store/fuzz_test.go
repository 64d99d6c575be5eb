package store

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/testpki"
)

// FuzzDecode: no input makes Detect or Decode panic; a store that decodes
// and encodes again decodes to the same entries; a JCEKS store is never
// encoded. Seeds: testdata/fuzz/FuzzDecode, the keytool stores of
// internal/jks, and stores made here.
func FuzzDecode(f *testing.F) {
	for _, p := range []string{"../jks/testdata/mixed.jks", "../jks/testdata/store.jceks"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	root := testpki.Root(f, "Fuzz Root")
	for _, fm := range []Format{FormatJKS, FormatPEM} {
		s := New(fm)
		s.Import([]*certs.Cert{certs.FromX509(root.Cert)}, ImportOptions{Epoch: testpki.Now})
		if b, err := s.Encode(EncodeOptions{Password: []byte("pw")}); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("## heading\n\nFuzz Root\n=========\n" + string(root.CertPEM) + "trailing text\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fm := Detect(data)
		if fm == FormatUnknown || fm == FormatPKCS12 {
			// PKCS#12 is fuzzed by internal/p12, which lowers the
			// iteration bound: a file may legitimately ask for five
			// million key derivations, which would stall this target.
			return
		}
		for _, pw := range []Passwords{{}, {Store: []byte("pw"), StoreGiven: true}} {
			s, err := Decode(data, fm, pw)
			if err != nil {
				continue
			}
			if fm == FormatJCEKS {
				if _, err := s.Encode(EncodeOptions{Password: []byte("pw")}); !errors.Is(err, ErrReadOnly) {
					t.Fatalf("a JCEKS store was encoded: %v", err)
				}
				continue
			}
			out, err := s.Encode(EncodeOptions{Password: []byte("pw")})
			if err != nil {
				continue // entries the format cannot hold, refused
			}
			back, err := Decode(out, fm, Passwords{Store: []byte("pw"), StoreGiven: true})
			if err != nil {
				t.Fatalf("%v written by Encode does not decode: %v", fm, err)
			}
			if !back.Same(s) {
				t.Fatalf("%v: the entries changed on the way through Encode", fm)
			}
		}
	})
}

// FuzzSourceDateEpoch: SourceDateEpoch never panics; what it accepts is
// digits only, between 1970 and the end of 9999, and reads back as the
// same number of seconds; what it refuses gives a one-line error.
func FuzzSourceDateEpoch(f *testing.F) {
	for _, s := range []string{"", "0", "1700000000", "253402300799", "253402300800", "-1", "+5", " 5", "5 ",
		"1e9", "0x10", "١٢٣", "99999999999999999999999", "007"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := SourceDateEpoch(v)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("SourceDateEpoch(%q): error on several lines: %q", v, err)
			}
			if !got.IsZero() {
				t.Fatalf("SourceDateEpoch(%q) = %v with an error", v, got)
			}
			return
		}
		if v == "" {
			if !got.IsZero() {
				t.Fatalf("SourceDateEpoch(\"\") = %v, want the zero time", got)
			}
			return
		}
		if strings.Trim(v, "0123456789") != "" {
			t.Fatalf("SourceDateEpoch(%q) accepted something that is not digits", v)
		}
		if got.Year() < 1970 || got.Year() > 9999 || got.Location() != time.UTC {
			t.Fatalf("SourceDateEpoch(%q) = %v", v, got)
		}
		if want := strings.TrimLeft(v, "0"); strconv.FormatInt(got.Unix(), 10) != max(want, "0") {
			t.Fatalf("SourceDateEpoch(%q) = %d seconds", v, got.Unix())
		}
	})
}
