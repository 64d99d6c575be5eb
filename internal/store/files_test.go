package store

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"path/filepath"
	"testing"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestExportFilesNamesEachCertificate: one file per certificate, named
// after its alias made safe, a suffix when two names meet, public modes.
func TestExportFilesNamesEachCertificate(t *testing.T) {
	a := certs.FromX509(testpki.Root(t, "CN=Acme Root").Cert)
	b := certs.FromX509(testpki.Root(t, "CN=Other Root").Cert)
	files := ExportFiles("out", []Named{{"acme/root", a}, {"acme:root", b}, {"other", b}}, false)
	want := []string{"acme_root.pem", "acme_root-2.pem", "other.pem"}
	if len(files) != len(want) {
		t.Fatalf("%d files, want %d", len(files), len(want))
	}
	for i, f := range files {
		if f.Path != filepath.Join("out", want[i]) || f.Perm != 0o644 {
			t.Errorf("file %d: %s mode %o, want out/%s mode 644", i, f.Path, f.Perm, want[i])
		}
	}
	if blk, _ := pem.Decode(files[0].Data); blk == nil || !bytes.Equal(blk.Bytes, a.Raw) {
		t.Errorf("acme_root.pem does not hold the first certificate")
	}
	der := ExportFiles("out", []Named{{"acme", a}}, true)
	if der[0].Path != filepath.Join("out", "acme.cer") || !bytes.Equal(der[0].Data, a.Raw) {
		t.Errorf("--der: %s", der[0].Path)
	}
}

// TestExtractFilesLayout: the key is written private, the chain files
// hold the issuers in order, and a certificate without issuers gets no
// -chain.pem.
func TestExtractFilesLayout(t *testing.T) {
	root := testpki.Root(t, "CN=Acme Root")
	leaf := testpki.Leaf(t, "CN=gw", root, "gw.example")
	pkcs8, err := x509.MarshalPKCS8PrivateKey(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	e := &Entry{Kind: PrivateKey, Alias: "gw", Key: pkcs8, Certs: []*certs.Cert{certs.FromX509(leaf.Cert), certs.FromX509(root.Cert)}}
	files := ExtractFiles(filepath.Join("d", "gw"), e, true)
	got := map[string]safefile.File{}
	for _, f := range files {
		got[filepath.Base(f.Path)] = f
	}
	for name, perm := range map[string]uint32{"gw.key": 0o600, "gw.crt": 0o644, "gw-chain.pem": 0o644, "gw-fullchain.pem": 0o644, "gw.pk8": 0o600} {
		f, ok := got[name]
		if !ok || uint32(f.Perm) != perm {
			t.Errorf("%s: present %v, mode %o; want mode %o", name, ok, f.Perm, perm)
		}
	}
	if len(files) != 5 {
		t.Errorf("%d files, want 5", len(files))
	}
	full := got["gw-fullchain.pem"].Data
	if !bytes.Equal(full, append(append([]byte(nil), got["gw.crt"].Data...), got["gw-chain.pem"].Data...)) {
		t.Errorf("fullchain is not the certificate followed by its chain")
	}
	if !bytes.Equal(got["gw.pk8"].Data, pkcs8) {
		t.Errorf("gw.pk8 is not the DER key")
	}

	e.Certs = e.Certs[:1]
	for _, f := range ExtractFiles("gw", e, false) {
		if f.Path == "gw-chain.pem" || f.Path == "gw.pk8" {
			t.Errorf("%s written for a certificate without issuers and without --pkcs8-der", f.Path)
		}
	}
}
