// Command expiry walks the directories given, reads every certificate in
// every PEM file and prints them soonest expiry first: days left, date,
// subject and file, as trustctl expiry does.
package main

import (
	"bufio"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

type row struct {
	notAfter      time.Time
	subject, path string
}

func main() {
	var rows []row
	for _, root := range os.Args[1:] {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			for {
				var b *pem.Block
				b, data = pem.Decode(data)
				if b == nil {
					break
				}
				if b.Type != "CERTIFICATE" {
					continue
				}
				c, err := x509.ParseCertificate(b.Bytes)
				if err != nil {
					continue
				}
				rows = append(rows, row{c.NotAfter, c.Subject.String(), path})
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].notAfter.Before(rows[j].notAfter) })
	now := time.Now()
	w := bufio.NewWriter(os.Stdout)
	for _, r := range rows {
		fmt.Fprintf(w, "%d  %s  %s  %s\n", int(r.notAfter.Sub(now).Hours()/24), r.notAfter.UTC().Format("2006-01-02"), r.subject, r.path)
	}
	w.Flush()
}
