package certs

import (
	"bytes"
	"encoding/pem"
	"math/big"
	"os"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

func TestFingerprintAndHex(t *testing.T) {
	if got := Fingerprint([]byte{0x0a, 0xbc, 0xff}); got != "0A:BC:FF" {
		t.Errorf("Fingerprint = %q", got)
	}
	for _, in := range []string{"0a:bc:ff", "0ABCFF", "0a bc ff", "abcff", "0x0abcff"} {
		if got := ParseHex(in); !bytes.Equal(got, []byte{0x0a, 0xbc, 0xff}) {
			t.Errorf("ParseHex(%q) = %x", in, got)
		}
	}
	for _, in := range []string{"", "zz", ":"} {
		if got := ParseHex(in); got != nil {
			t.Errorf("ParseHex(%q) = %x, want nil", in, got)
		}
	}
	if got := ParseFingerprint("0a:bc:ff"); !bytes.Equal(got, []byte{0x0a, 0xbc, 0xff}) {
		t.Errorf("ParseFingerprint(0a:bc:ff) = %x", got)
	}
	for _, in := range []string{"abcff", "0a:bc:f", ""} {
		if got := ParseFingerprint(in); got != nil {
			t.Errorf("ParseFingerprint(%q) = %x, want nil: a digit is missing", in, got)
		}
	}
	if got := SerialHex(big.NewInt(-1234)); got != "-04:D2" {
		t.Errorf("SerialHex(-1234) = %q, want -04:D2 as openssl prints it", got)
	}
	if got := SerialHex(big.NewInt(0)); got != "00" {
		t.Errorf("SerialHex(0) = %q", got)
	}
}

func TestParsedCertificate(t *testing.T) {
	root := testpki.Root(t, "CN=Acme Root,O=Acme Corp")
	leaf := testpki.Leaf(t, "www.example.com", root, "www.example.com")
	r, l := Parse(root.Cert.Raw), Parse(leaf.Cert.Raw)
	if !r.Parsed() || !r.IsCA() || !r.SelfSigned() || l.IsCA() || l.SelfIssued() {
		t.Errorf("root: parsed %v CA %v self-signed %v; leaf: CA %v self-issued %v",
			r.Parsed(), r.IsCA(), r.SelfSigned(), l.IsCA(), l.SelfIssued())
	}
	if r.Subject() != "CN=Acme Root,O=Acme Corp" || l.Issuer() != r.Subject() || l.CommonName() != "www.example.com" {
		t.Errorf("names: %q %q %q", r.Subject(), l.Issuer(), l.CommonName())
	}
	if !bytes.Equal(l.RawIssuer(), r.RawSubject()) {
		t.Error("the leaf's raw issuer is not the root's raw subject")
	}
}

// TestLenientParse: a certificate crypto/x509 refuses keeps its bytes and
// what the lenient parser reads.
func TestLenientParse(t *testing.T) {
	data, err := os.ReadFile("../../testdata/certs/negative-serial.pem")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	c := Parse(b.Bytes)
	if c.Parsed() || c.ParseErr == nil || c.Lenient == nil {
		t.Fatalf("parsed %v, err %v, lenient %v", c.Parsed(), c.ParseErr, c.Lenient != nil)
	}
	if !bytes.Equal(c.Raw, b.Bytes) || c.Serial().Sign() >= 0 || !c.IsCA() || !c.SelfSigned() {
		t.Errorf("raw kept %v, serial %v, CA %v, self-signed %v", bytes.Equal(c.Raw, b.Bytes), c.Serial(), c.IsCA(), c.SelfSigned())
	}
	if c.SubjectName().CommonName != "Old Negative Serial Root" || c.NotAfter().IsZero() {
		t.Errorf("subject %+v, not after %v", c.SubjectName(), c.NotAfter())
	}
	if g := Parse([]byte("garbage")); g.Parsed() || g.Lenient != nil || g.Subject() != Unreadable || g.Readable() {
		t.Errorf("garbage: %+v", g)
	}
}

func TestParseAllKeepsOrder(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	var ders [][]byte
	for i := 0; i < 3*parallelMin; i++ {
		if i%2 == 0 {
			ders = append(ders, root.Cert.Raw)
		} else {
			ders = append(ders, []byte{byte(i)}) // unparsable, still kept
		}
	}
	got := ParseAll(ders)
	for i, c := range got {
		if !bytes.Equal(c.Raw, ders[i]) || c.Parsed() != (i%2 == 0) {
			t.Fatalf("certificate %d out of order or misparsed", i)
		}
	}
}
