// Command stores does what trustctl import, list and convert do to a
// truststore, with keystore-go (JKS) and go-pkcs12 (PKCS#12):
//
//	stores import OUT.jks|OUT.p12 BUNDLE.pem PASSWORD   every CA certificate as a trusted entry
//	stores list STORE PASSWORD                          one line per entry
//	stores convert IN.jks OUT.p12 PASSWORD              JKS to PKCS#12
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"
)

func main() {
	var err error
	switch os.Args[1] {
	case "import":
		var certs []*x509.Certificate
		certs, err = readPEM(os.Args[3])
		if err == nil {
			err = write(os.Args[2], certs, os.Args[4])
		}
	case "list":
		var certs []*x509.Certificate
		certs, err = read(os.Args[2], os.Args[3])
		if err == nil {
			w := bufio.NewWriter(os.Stdout)
			for _, c := range certs {
				fmt.Fprintf(w, "%s  %s  %s  %X\n", alias(c), c.Subject, c.NotAfter.UTC().Format("2006-01-02"), sha256.Sum256(c.Raw))
			}
			w.Flush()
		}
	case "convert":
		var certs []*x509.Certificate
		certs, err = read(os.Args[2], os.Args[4])
		if err == nil {
			err = write(os.Args[3], certs, os.Args[4])
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

func alias(c *x509.Certificate) string {
	return strings.ToLower(strings.ReplaceAll(c.Subject.CommonName, " ", "-"))
}

func readPEM(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out, nil
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
}

func read(path, pw string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(path, ".p12") {
		return pkcs12.DecodeTrustStore(data, pw)
	}
	ks := keystore.New()
	if err := ks.Load(bytes.NewReader(data), []byte(pw)); err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for _, a := range ks.Aliases() {
		e, err := ks.GetTrustedCertificateEntry(a)
		if err != nil {
			return nil, err
		}
		c, err := x509.ParseCertificate(e.Certificate.Content)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func write(path string, certs []*x509.Certificate, pw string) error {
	var data []byte
	if strings.HasSuffix(path, ".p12") {
		var err error
		if data, err = pkcs12.Modern.EncodeTrustStore(certs, pw); err != nil {
			return err
		}
	} else {
		ks := keystore.New()
		for _, c := range certs {
			err := ks.SetTrustedCertificateEntry(alias(c), keystore.TrustedCertificateEntry{
				CreationTime: c.NotBefore, Certificate: keystore.Certificate{Type: "X509", Content: c.Raw}})
			if err != nil {
				return err
			}
		}
		var b bytes.Buffer
		if err := ks.Store(&b, []byte(pw)); err != nil {
			return err
		}
		data = b.Bytes()
	}
	return os.WriteFile(path, data, 0o644)
}
