package store

import (
	"fmt"
	"path/filepath"

	"github.com/trustctl/trustctl/internal/pemfile"
	"github.com/trustctl/trustctl/internal/safefile"
)

// EncodeCerts is what export writes to one file or stdout: PEM blocks,
// each after a "# NAME: SUBJECT" line, or with der the one certificate's
// DER (the caller makes sure there is exactly one).
func EncodeCerts(out []Named, der bool) []byte {
	if der {
		return out[0].Cert.Raw
	}
	var b []byte
	for _, e := range out {
		b = append(b, "# "+e.Name+": "+e.Cert.Subject()+"\n"...)
		b = append(b, pemfile.Encode("CERTIFICATE", e.Cert.Raw)...)
	}
	return b
}

// ExportFiles lays out one file per certificate in dir, named after its
// alias (made safe for a file name; -2, -3, ... when two names meet),
// .pem or with der .cer. Certificates are public: mode 0644.
func ExportFiles(dir string, out []Named, der bool) []safefile.File {
	ext := ".pem"
	if der {
		ext = ".cer"
	}
	used := map[string]bool{}
	var files []safefile.File
	for _, e := range out {
		base := safefile.Name(e.Name)
		name := base + ext
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s-%d%s", base, i, ext)
		}
		used[name] = true
		data := e.Cert.Raw
		if !der {
			data = pemfile.Encode("CERTIFICATE", e.Cert.Raw)
		}
		files = append(files, safefile.File{Path: filepath.Join(dir, name), Data: data, Perm: 0o644})
	}
	return files
}

// ExtractFiles lays out a key entry as the files servers and clients are
// configured with, each path base plus a suffix: .key (PKCS#8 PEM, mode
// 0600), .crt (the certificate), -chain.pem (its issuers, when there are
// any), -fullchain.pem (both), and with pkcs8DER .pk8 (the key as DER,
// what JDBC drivers want; 0600). The entry must hold its key.
func ExtractFiles(base string, e *Entry, pkcs8DER bool) []safefile.File {
	leaf := pemfile.Encode("CERTIFICATE", e.Certs[0].Raw)
	var chainPEM []byte
	for _, x := range e.Certs[1:] {
		chainPEM = append(chainPEM, pemfile.Encode("CERTIFICATE", x.Raw)...)
	}
	files := []safefile.File{
		{Path: base + ".key", Data: pemfile.Encode("PRIVATE KEY", e.Key), Perm: 0o600, Private: true},
		{Path: base + ".crt", Data: leaf, Perm: 0o644},
	}
	if len(chainPEM) > 0 {
		files = append(files, safefile.File{Path: base + "-chain.pem", Data: chainPEM, Perm: 0o644})
	}
	files = append(files, safefile.File{Path: base + "-fullchain.pem", Data: append(leaf, chainPEM...), Perm: 0o644})
	if pkcs8DER {
		files = append(files, safefile.File{Path: base + ".pk8", Data: e.Key, Perm: 0o600, Private: true})
	}
	return files
}
