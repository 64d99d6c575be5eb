package p12

import (
	"fmt"
	"sync"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

var (
	store20000Once sync.Once
	store20000     *File
)

// truststore20000 is a truststore of 20,000 distinct CA certificates, the
// size of the largest stores trustctl is measured on; it is made once per
// test binary (some seconds) and shared by the benchmarks.
func truststore20000(b *testing.B) *File {
	b.Helper()
	store20000Once.Do(func() {
		key := testpki.ECKey(b)
		f := &File{}
		for i := range 20000 {
			c := testpki.New(b, testpki.Template{Subject: fmt.Sprintf("CN=Bulk Root %05d,O=Bulk Test", i), IsCA: true, MaxPathLen: -1, Key: key}, nil)
			f.Entries = append(f.Entries, Entry{Alias: fmt.Sprintf("bulk root %05d", i), Certs: [][]byte{c.Cert.Raw}, Trusted: true})
		}
		store20000 = f
	})
	if store20000 == nil {
		b.Fatal("no truststore")
	}
	return store20000
}

// BenchmarkEncode20000 writes a 20,000-entry truststore in each profile.
func BenchmarkEncode20000(b *testing.B) {
	f := truststore20000(b)
	for _, enc := range []Encryption{Modern, Legacy, None} {
		b.Run(enc.String(), func(b *testing.B) {
			for b.Loop() {
				if _, err := Encode(f, []byte("changeit"), enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecode20000 reads a 20,000-entry truststore in each profile.
func BenchmarkDecode20000(b *testing.B) {
	f := truststore20000(b)
	for _, enc := range []Encryption{Modern, Legacy, None} {
		der, err := Encode(f, []byte("changeit"), enc)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(enc.String(), func(b *testing.B) {
			for b.Loop() {
				got, err := Decode(der, []byte("changeit"))
				if err != nil {
					b.Fatal(err)
				}
				if len(got.Entries) != len(f.Entries) {
					b.Fatalf("%d entries, want %d", len(got.Entries), len(f.Entries))
				}
			}
		})
	}
}
