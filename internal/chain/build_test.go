package chain

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	mrand "math/rand/v2"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

func rsaKey4096() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, 4096) }

func chainNames(cs []*x509.Certificate) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Subject.CommonName)
	}
	return strings.Join(out, " < ")
}

func TestBuild(t *testing.T) {
	now := testpki.Now
	root := testpki.Root(t, "Acme Root")
	inter := testpki.Intermediate(t, "Acme Issuing CA", root)
	leaf := testpki.Leaf(t, "www.example.com", inter, "www.example.com")
	unrelated := testpki.Root(t, "Other Root")
	unrelatedInter := testpki.Intermediate(t, "Other CA", unrelated)

	// A renewed intermediate: same name and key, one copy expired.
	k := testpki.ECKey(t)
	renewedOld := testpki.New(t, testpki.Template{Subject: "Renewed CA", IsCA: true, MaxPathLen: -1, Key: k,
		NotBefore: now.AddDate(-5, 0, 0), NotAfter: now.AddDate(0, -1, 0)}, root)
	renewedNew := testpki.New(t, testpki.Template{Subject: "Renewed CA", IsCA: true, MaxPathLen: -1, Key: k}, root)
	renewedLeaf := testpki.Leaf(t, "renewed.example.com", renewedNew, "renewed.example.com")

	// Cross-signed intermediate: one key, certified by two roots; the
	// one under Long Root stays valid longer.
	shortRoot := testpki.New(t, testpki.Template{Subject: "Short Root", IsCA: true, MaxPathLen: -1, NotAfter: now.AddDate(2, 0, 0)}, nil)
	longRoot := testpki.New(t, testpki.Template{Subject: "Long Root", IsCA: true, MaxPathLen: -1, NotAfter: now.AddDate(20, 0, 0)}, nil)
	ck := testpki.ECKey(t)
	crossA := testpki.New(t, testpki.Template{Subject: "Cross CA", IsCA: true, MaxPathLen: -1, Key: ck, NotAfter: now.AddDate(2, 0, 0)}, shortRoot)
	crossB := testpki.New(t, testpki.Template{Subject: "Cross CA", IsCA: true, MaxPathLen: -1, Key: ck, NotAfter: now.AddDate(12, 0, 0)}, longRoot)
	crossLeaf := testpki.Leaf(t, "cross.example.com", crossA, "cross.example.com")

	// A loop: Loop A and Loop B certify each other, no self-signed root.
	ka, kb := testpki.ECKey(t), testpki.ECKey(t)
	loopBseed := testpki.New(t, testpki.Template{Subject: "Loop B", IsCA: true, MaxPathLen: -1, Key: kb}, nil)
	loopA := testpki.New(t, testpki.Template{Subject: "Loop A", IsCA: true, MaxPathLen: -1, Key: ka}, loopBseed)
	loopB := testpki.New(t, testpki.Template{Subject: "Loop B", IsCA: true, MaxPathLen: -1, Key: kb}, loopA)
	loopLeaf := testpki.Leaf(t, "loop.example.com", loopA, "loop.example.com")

	tests := []struct {
		name    string
		leaf    *testpki.Cert
		pool    []*testpki.Cert
		partial bool
		want    string
		wantErr string
		note    string
	}{
		{name: "shuffled with duplicates and unrelated", leaf: leaf,
			pool: []*testpki.Cert{root, unrelated, inter, root, unrelatedInter, inter, leaf},
			want: "www.example.com < Acme Issuing CA < Acme Root"},
		{name: "missing intermediate", leaf: leaf, pool: []*testpki.Cert{root, unrelated},
			wantErr: "the chain stops at CN=www.example.com: its issuer CN=Acme Issuing CA is not in the pool"},
		{name: "missing intermediate, partial", leaf: leaf, pool: []*testpki.Cert{root}, partial: true,
			want: "www.example.com", note: "partial chain accepted"},
		{name: "missing root", leaf: leaf, pool: []*testpki.Cert{inter},
			wantErr: "the chain stops at CN=Acme Issuing CA: its issuer CN=Acme Root is not in the pool"},
		{name: "two issuers, one expired", leaf: renewedLeaf, pool: []*testpki.Cert{renewedOld, root, renewedNew},
			want: "renewed.example.com < Renewed CA < Acme Root", note: "is valid on 2026-06-01 and the other path is not"},
		{name: "cross-signed intermediate", leaf: crossLeaf, pool: []*testpki.Cert{crossA, shortRoot, crossB, longRoot},
			want: "cross.example.com < Cross CA < Long Root", note: "stays valid longer"},
		{name: "loop in the pool", leaf: loopLeaf, pool: []*testpki.Cert{loopA, loopB, loopA},
			wantErr: "is already in the chain (the certificates certify each other in a loop and none is a self-signed root)"},
		{name: "self-signed leaf", leaf: root, pool: []*testpki.Cert{inter}, want: "Acme Root"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pool := certsOf(tc.pool...)
			mrand.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
			b, err := Build(tc.leaf.Cert, pool, BuildOptions{Now: now, Partial: tc.partial})
			if tc.wantErr != "" {
				var ie *IncompleteError
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want *IncompleteError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := chainNames(b.Chain); got != tc.want {
				t.Errorf("chain = %s, want %s", got, tc.want)
			}
			if tc.note != "" && !strings.Contains(strings.Join(b.Notes, "\n"), tc.note) {
				t.Errorf("notes = %q, want one containing %q", b.Notes, tc.note)
			}
		})
	}
}

func TestSigCache(t *testing.T) {
	root := testpki.Root(t, "Cache Root")
	leaf := testpki.Leaf(t, "cache.example.com", root, "cache.example.com")
	if err := checkSig(root.Cert, leaf.Cert); err != nil {
		t.Fatal(err)
	}
	// Same TBS, tampered signature: must not ride on the cached answer.
	forged := *leaf.Cert
	forged.Signature = append([]byte(nil), leaf.Cert.Signature...)
	forged.Signature[len(forged.Signature)-1] ^= 1
	forged.Raw = append(append([]byte(nil), leaf.Cert.Raw[:len(leaf.Cert.Raw)-1]...), leaf.Cert.Raw[len(leaf.Cert.Raw)-1]^1)
	if err := checkSig(root.Cert, &forged); err == nil {
		t.Error("forged signature accepted from the cache")
	}
}

// TestBuildManyNamesakes: a pool where hundreds of certificates carry the
// issuer's name, each with its own key, is refused with ErrTooManyIssuers
// after a bounded number of signature checks instead of checking them all
// at every step of every path; a few dozen namesakes still build.
func TestBuildManyNamesakes(t *testing.T) {
	root := testpki.Root(t, "Namesake Root")
	inter := testpki.Intermediate(t, "Namesake CA", root)
	leaf := testpki.Leaf(t, "www.example.com", inter, "www.example.com")
	pool := certsOf(root, inter)
	for range 2 * maxSigChecks {
		pool = append(pool, testpki.New(t, testpki.Template{Subject: "Namesake CA", IsCA: true, MaxPathLen: -1}, root).Cert)
	}
	_, err := Build(leaf.Cert, pool, BuildOptions{Now: testpki.Now})
	if !errors.Is(err, ErrTooManyIssuers) || !strings.Contains(err.Error(), "the pool holds 601 certificates named CN=Namesake CA") {
		t.Errorf("a pool of 601 namesakes: %v; want ErrTooManyIssuers naming them", err)
	}
	b, err := Build(leaf.Cert, pool[:50], BuildOptions{Now: testpki.Now})
	if err != nil || chainNames(b.Chain) != "www.example.com < Namesake CA < Namesake Root" {
		t.Errorf("a pool of 48 namesakes: %v, %v", b, err)
	}
}
