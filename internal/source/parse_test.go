package source

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestSniffTellsCertificatesByShape: a DER certificate crypto/x509 refuses
// is recognised as its PEM twin is, and reads the same.
func TestSniffTellsCertificatesByShape(t *testing.T) {
	for _, r := range testpki.RefusedCerts(t) {
		if k := Sniff(r.DER); k != DERCert {
			t.Errorf("%s: Sniff = %v, want %v", r.Name, k, DERCert)
			continue
		}
		der, err := Parse(r.DER, r.Name+".der", Options{})
		if err != nil {
			t.Fatal(err)
		}
		twin, err := Parse(testpki.PEMCert(r.DER), r.Name+".pem", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(der.Certs) != 1 || len(twin.Certs) != 1 || !der.Certs[0].Equal(twin.Certs[0].Cert) ||
			der.Certs[0].Subject() != r.Subject {
			t.Errorf("%s: DER and PEM read differently", r.Name)
		}
	}
}

func block(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// TestBadBlocks: a bad block is an error for commands that write and,
// when reading leniently (show), a note naming its line and what is wrong,
// the rest of the file still read. No message shows a decoder's state.
func TestBadBlocks(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	junk := bytes.Repeat([]byte{0xa0, 0x74, 0x30, 0x12}, 20) // tags don't match anything
	enc, err := encryptForTest(root.Key)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		first []byte // the bad block, at line 1, before a good certificate
		msg   string
		cause error
	}{
		{"PKCS#8", block("PRIVATE KEY", junk), "the PRIVATE KEY block at line 1 is not a PKCS#8 key", nil},
		{"PKCS#1", block("RSA PRIVATE KEY", junk), "the RSA PRIVATE KEY block at line 1 is not a PKCS#1 RSA key", nil},
		{"SEC 1", block("EC PRIVATE KEY", junk), "the EC PRIVATE KEY block at line 1 is not a SEC 1 EC key", nil},
		{"encrypted", block("ENCRYPTED PRIVATE KEY", junk), "the ENCRYPTED PRIVATE KEY block at line 1 is not an encrypted PKCS#8 key", nil},
		{"wrong password", enc, "the ENCRYPTED PRIVATE KEY block at line 1 cannot be decrypted: wrong key password", keys.ErrWrongPassword},
		{"not a certificate", block("CERTIFICATE", junk), "the CERTIFICATE block at line 1 is not a certificate", nil},
		{"empty certificate", block("CERTIFICATE", nil), "the CERTIFICATE block at line 1 is empty", nil},
		{"CRL", block("X509 CRL", junk), "the X509 CRL block at line 1 is not a CRL crypto/x509 reads (malformed crl)", nil},
		{"CSR", block("CERTIFICATE REQUEST", junk), "the CERTIFICATE REQUEST block at line 1 is not a certificate request crypto/x509 reads (its encoding is malformed)", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := append(append([]byte(nil), tc.first...), root.CertPEM...)
			pw := func() ([]byte, error) { return []byte("wrong"), nil }
			_, err := Parse(data, "f.pem", Options{KeyPassword: pw})
			var be *BlockError
			if !errors.As(err, &be) || err.Error() != "f.pem: "+tc.msg {
				t.Fatalf("strict: %v, want f.pem: %s", err, tc.msg)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("strict: %v does not wrap %v", err, tc.cause)
			}
			set, err := Parse(data, "f.pem", Options{KeyPassword: pw, Lenient: true})
			if err != nil {
				t.Fatalf("lenient: %v", err)
			}
			if len(set.Notes) != 1 || set.Notes[0] != "f.pem: "+tc.msg {
				t.Errorf("lenient notes %q, want [f.pem: %s]", set.Notes, tc.msg)
			}
			if len(set.Certs) != 1 || set.Certs[0].Subject() != "CN=Acme Root" {
				t.Errorf("lenient: the certificate after the bad block was not read (%d found)", len(set.Certs))
			}
		})
	}
}

// TestDamagedPEMLenient: the blocks before a damaged one are shown.
func TestDamagedPEMLenient(t *testing.T) {
	root := testpki.Root(t, "Acme Root")
	data := append(append([]byte(nil), root.CertPEM...), "-----BEGIN CERTIFICATE-----\nMIIB!!\n"...)
	if _, err := Parse(data, "f.pem", Options{}); err == nil {
		t.Fatal("a damaged bundle was read in full")
	}
	set, err := Parse(data, "f.pem", Options{Lenient: true})
	line := bytes.Count(root.CertPEM, []byte("\n")) + 1
	if err != nil || len(set.Certs) != 1 || len(set.Notes) != 1 ||
		!strings.HasPrefix(set.Notes[0], fmt.Sprintf("f.pem: the CERTIFICATE block at line %d is damaged", line)) {
		t.Fatalf("lenient: %v, %d certificates, notes %q", err, len(set.Certs), set.Notes)
	}
}

// TestDamagedPEMNoteNamesTheType: the note on a damaged block names its
// type as the file spells it, braces included.
func TestDamagedPEMNoteNamesTheType(t *testing.T) {
	set, err := Parse([]byte("-----BEGIN {"), "f.pem", Options{Lenient: true})
	want := "f.pem: the { block at line 1 is damaged (bad base64 or no END line); what follows it is not read"
	if err != nil || len(set.Notes) != 1 || set.Notes[0] != want {
		t.Fatalf("%v, notes %q; want [%s]", err, set.Notes, want)
	}
}

// FuzzParseLenient: reading leniently never fails where reading strictly
// succeeds, finds the same certificates then, and never puts a decoder's
// state in a note.
func FuzzParseLenient(f *testing.F) {
	root := testpki.Root(f, "Acme Root")
	f.Add(root.CertPEM)
	f.Add(append(block("PRIVATE KEY", []byte{0xa0, 0x74}), root.CertPEM...))
	f.Add(append(block("X509 CRL", []byte{0x30, 0x00}), root.KeyPEM...))
	for _, r := range testpki.RefusedCerts(f) {
		f.Add(r.DER)
		f.Add(testpki.PEMCert(r.DER))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lenient, lerr := Parse(data, "fuzz", Options{Lenient: true})
		strict, serr := Parse(data, "fuzz", Options{})
		if serr == nil {
			if lerr != nil || len(lenient.Certs) != len(strict.Certs) || len(lenient.Keys) != len(strict.Keys) {
				t.Fatalf("strict read %d certificates; lenient: %v", len(strict.Certs), lerr)
			}
			for i := range strict.Certs {
				if !strict.Certs[i].Equal(lenient.Certs[i].Cert) {
					t.Fatal("lenient reading found other certificates")
				}
			}
		}
		if lerr != nil {
			return
		}
		for _, n := range lenient.Notes {
			// A note may quote the data (the type of a damaged block);
			// "asn1:" or braces the data does not hold are a decoder's.
			if (strings.Contains(n, "asn1:") && !bytes.Contains(data, []byte("asn1:"))) ||
				(strings.ContainsAny(n, "{}") && !bytes.ContainsAny(data, "{}")) {
				t.Fatalf("note %q shows a decoder's state", n)
			}
		}
		for _, c := range lenient.Certs {
			if !certs.Readable(c.Raw) {
				t.Fatal("a certificate without a certificate's shape was read")
			}
		}
	})
}
