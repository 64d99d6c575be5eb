package keys

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"net"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/dn"
)

func TestKindNamesWhatGenerateMakes(t *testing.T) {
	ks := testKeys(t)
	for name, want := range map[string]string{"rsa": "rsa2048", "ec256": "ec256", "ec384": "ec384", "ed25519": "ed25519"} {
		if got := Kind(ks[name]); got != want {
			t.Errorf("Kind(%s) = %q, want %q", name, got, want)
		}
	}
}

// TestHolds: a file holds a key as asked only when a second write would
// give the same key in the same form; anything else must not be taken
// for it (a caller would then leave a wrong file in place).
func TestHolds(t *testing.T) {
	ks := testKeys(t)
	key := ks["ec256"]
	plain := EncodeOptions{Format: PKCS8}
	enc := EncodeOptions{Format: PKCS8, Password: []byte("s3cret")}
	der := EncodeOptions{Format: PKCS8, DER: true}
	sec1 := EncodeOptions{Format: SEC1}
	must := func(k any, o EncodeOptions) []byte {
		t.Helper()
		b, err := Encode(ks[k.(string)], o)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
		opts EncodeOptions
		want bool
	}{
		{"same plain PEM", must("ec256", plain), plain, true},
		{"same DER", must("ec256", der), der, true},
		{"same SEC1", must("ec256", sec1), sec1, true},
		{"same key encrypted, same passphrase", must("ec256", enc), enc, true},
		{"encrypted, other passphrase", must("ec256", enc), EncodeOptions{Format: PKCS8, Password: []byte("other")}, false},
		{"encrypted, plain asked", must("ec256", enc), plain, false},
		{"plain, encrypted asked", must("ec256", plain), enc, false},
		{"PEM, DER asked", must("ec256", plain), der, false},
		{"PKCS#8, SEC1 asked", must("ec256", plain), sec1, false},
		{"another key", must("ec384", plain), plain, false},
		{"text around the key", append([]byte("comment\n"), must("ec256", plain)...), plain, false},
		{"not a key", []byte("hello"), plain, false},
		{"empty", nil, plain, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Holds(tc.data, key, tc.opts); got != tc.want {
				t.Errorf("Holds = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHoldsKind(t *testing.T) {
	ks := testKeys(t)
	enc := EncodeOptions{Format: PKCS8, Password: []byte("pw")}
	data, _ := Encode(ks["ec384"], enc)
	if got := HoldsKind(data, "ec384", enc); got == nil || !Matches(got, ks["ec384"].Public()) {
		t.Errorf("HoldsKind(ec384, right passphrase) = %v, want the key", got)
	}
	for _, tc := range []struct {
		kind string
		opts EncodeOptions
	}{
		{"ec256", enc},                          // another type
		{"ec384", EncodeOptions{Format: PKCS8}}, // plain asked
		{"ec384", EncodeOptions{Format: PKCS8, Password: []byte("no")}},
	} {
		if got := HoldsKind(data, tc.kind, tc.opts); got != nil {
			t.Errorf("HoldsKind(%s, %+v) = a key, want nil", tc.kind, tc.opts)
		}
	}
}

func TestHoldsCSR(t *testing.T) {
	ks := testKeys(t)
	subject, _ := asn1.Marshal(pkix.RDNSequence{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "db01"}}})
	otherSubject, _ := asn1.Marshal(pkix.RDNSequence{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "db02"}}})
	sans, _ := dn.ParseSANs("dns:db01.example,ip:10.0.0.1,uri:spiffe://acme/db")
	req := CSR{RawSubject: subject, SANs: sans}
	for _, name := range []string{"rsa", "ec256", "ec384", "ed25519"} {
		data, alg, err := CreateCSR(ks[name], req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if alg != CSRSignatureAlgorithm(ks[name]) || !strings.HasPrefix(string(data), "-----BEGIN CERTIFICATE REQUEST-----\n") {
			t.Errorf("%s: %v, %.40q", name, alg, data)
		}
		if !HoldsCSR(data, ks[name], req) {
			t.Errorf("%s: a CSR does not hold its own request", name)
		}
	}
	data, _, _ := CreateCSR(ks["ec256"], req)
	fewer := sans
	fewer.IPs = []net.IP{net.ParseIP("10.0.0.2")}
	for _, tc := range []struct {
		name string
		key  string
		req  CSR
	}{
		{"another key", "ec384", req},
		{"another subject", "ec256", CSR{RawSubject: otherSubject, SANs: sans}},
		{"another IP", "ec256", CSR{RawSubject: subject, SANs: fewer}},
		{"no SANs", "ec256", CSR{RawSubject: subject}},
	} {
		if HoldsCSR(data, ks[tc.key], tc.req) {
			t.Errorf("%s: HoldsCSR = true", tc.name)
		}
	}
	if HoldsCSR([]byte("not a CSR"), ks["ec256"], req) {
		t.Error("HoldsCSR(garbage) = true")
	}
}
