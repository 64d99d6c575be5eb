package ocsp

import (
	"errors"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/trustctl/trustctl/internal/testpki"
)

// FuzzVerify feeds arbitrary bytes as a response. Properties: no panic,
// and every failure is one of the package's errors, so callers can sort
// it.
func FuzzVerify(f *testing.F) {
	p := newFakePKI(f)
	f.Add(p.build(f, fakeResponse{}, []byte("nonce")))
	f.Add(p.build(f, fakeResponse{status: xocsp.Revoked, revokedAt: testpki.Now, reason: 1, embed: nil}, nil))
	f.Add(p.build(f, fakeResponse{status: xocsp.Unknown, noNext: true, embed: nil}, nil))
	f.Add(xocsp.TryLaterErrorResponse)
	f.Add([]byte{})
	f.Add([]byte{0x30, 0x00})
	opts := CheckOptions{Now: func() time.Time { return testpki.Now }}
	f.Fuzz(func(t *testing.T, der []byte) {
		res, err := verify(der, p.leaf.Cert, p.ca.Cert, nil, 0, opts)
		if err == nil {
			if res.Status != Good && res.Status != Revoked && res.Status != Unknown {
				t.Fatalf("status %q", res.Status)
			}
			return
		}
		var re *StatusError
		for _, ours := range []error{ErrMalformed, ErrBadSignature, ErrIDMismatch, ErrNonceMismatch, ErrStale, ErrUnsupportedHash} {
			if errors.Is(err, ours) {
				return
			}
		}
		if !errors.As(err, &re) {
			t.Fatalf("error not ours: %v (%T)", err, err)
		}
	})
}

// FuzzRequestNonce: reading a request never panics, and a nonce we
// write reads back.
func FuzzRequestNonce(f *testing.F) {
	p := newFakePKI(f)
	for _, n := range [][]byte{nil, {1}, make([]byte, NonceSize)} {
		der, err := NewRequest(p.leaf.Cert, p.ca.Cert, n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der, n)
	}
	f.Fuzz(func(t *testing.T, data, nonce []byte) {
		RequestNonce(data)
		der, err := NewRequest(p.leaf.Cert, p.ca.Cert, nonce)
		if len(nonce) > NonceSize {
			if err == nil {
				t.Fatal("accepted an oversized nonce")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := RequestNonce(der); string(got) != string(nonce) {
			t.Fatalf("nonce %X read back as %X", nonce, got)
		}
	})
}
