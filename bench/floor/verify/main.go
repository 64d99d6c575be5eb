// Command verify checks each LEAF file against the roots and
// intermediates, as trustctl verify CERT... does, and prints one verdict
// a line. Usage: verify ROOTS INTERMEDIATES LEAF...
package main

import (
	"bufio"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
)

func pool(path string) *x509.CertPool {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(b)
	return p
}

func main() {
	roots, inters := pool(os.Args[1]), pool(os.Args[2])
	w := bufio.NewWriter(os.Stdout)
	code := 0
	for _, path := range os.Args[3:] {
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		block, _ := pem.Decode(b)
		if block == nil {
			os.Exit(2)
		}
		leaf, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			os.Exit(2)
		}
		_, err = leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err != nil {
			fmt.Fprintf(w, "%s: %v\n", path, err)
			code = 1
			continue
		}
		fmt.Fprintf(w, "%s: OK\n", path)
	}
	w.Flush()
	os.Exit(code)
}
