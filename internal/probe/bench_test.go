package probe

import (
	"context"
	"crypto/tls"
	"testing"
)

// BenchmarkProbe compares one probe (with and without the two extra
// fallback handshakes, which run concurrently) with a bare tls.Dial to the
// same in-process server.
func BenchmarkProbe(b *testing.B) {
	p := testPKI(b)
	tg := serveTLS(b, &tls.Config{Certificates: []tls.Certificate{tlsCert(b, p.leaf, p.inter)}})
	ctx := context.Background()
	b.Run("probe", func(b *testing.B) {
		for b.Loop() {
			if _, err := Probe(ctx, tg, Options{ServerName: "primary-host"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("probe-no-fallback-check", func(b *testing.B) {
		for b.Loop() {
			if _, err := Probe(ctx, tg, Options{ServerName: "primary-host", NoFallbackCheck: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tls.Dial", func(b *testing.B) {
		for b.Loop() {
			c, err := tls.Dial("tcp", tg.Addr(), &tls.Config{ServerName: "primary-host", InsecureSkipVerify: true})
			if err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
	})
}
