package main

import (
	"crypto/x509"
	"fmt"
	"math/big"
	"path/filepath"
	"time"

	"crypto/rand"
	"crypto/x509/pkix"
)

// benchExpiry times trustctl expiry over trees of PEM files that grow,
// against the floor (a Go program that walks, parses, sorts and prints
// the same) and against what people run instead: openssl x509 -enddate
// on every file found.
func benchExpiry(cfg config) []Row {
	const area = "expiry"
	sizes := []int{1000, 10000, 30000}
	if cfg.Quick {
		sizes = []int{300, 1000}
	}
	dir := filepath.Join(cfg.Work, "expiry")
	n := sizes[len(sizes)-1]
	logf("expiry: making %d certificates", n)
	key := ecKey()
	ders := make([][]byte, n)
	for i := range n {
		// Expiry dates spread over five years, so the sort has work.
		t := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i + 1)),
			Subject:      pkix.Name{CommonName: fmt.Sprintf("host%05d.bench.test", i), Organization: []string{"trustctl bench"}},
			NotBefore:    benchNow.Add(-time.Hour),
			NotAfter:     benchNow.Add(time.Duration((i*7919)%1825+1) * 24 * time.Hour),
		}
		der, err := x509.CreateCertificate(rand.Reader, t, t, key.Public(), key)
		if err != nil {
			return []Row{errRow(area, "setup", err)}
		}
		ders[i] = der
	}
	var rows []Row
	for _, size := range sizes {
		tree := filepath.Join(dir, fmt.Sprintf("tree-%d", size))
		// 100 files a directory, two levels deep, as /etc/pki or a
		// certificate store on disk looks.
		path := func(i int) string {
			return filepath.Join(tree, fmt.Sprintf("d%03d", i/1000), fmt.Sprintf("e%02d", i/100%10), fmt.Sprintf("c%05d.pem", i))
		}
		for i := range size {
			if _, err := writeFile(dir, mustRel(dir, path(i)), certPEM(mustParse(ders[i]))); err != nil {
				return append(rows, errRow(area, "setup", err))
			}
		}
		task := fmt.Sprintf("expiry over a tree of %d PEM files", size)
		logf("expiry: %s", task)
		ours := Bench{Dir: dir, Runs: cfg.pick(3, 1), Argv: []string{cfg.Bin, "expiry", tree}}
		floor := Bench{Dir: dir, Runs: cfg.pick(3, 1), Argv: []string{cfg.floor("expiry"), tree}}
		ms, err := medians(ours, floor)
		row := Row{Area: area, Task: task + ", vs the floor", OursCmd: "trustctl expiry " + filepath.Base(tree), RefCmd: "floor-expiry " + filepath.Base(tree) + " (bench/floor/expiry)",
			Target: 1 / 1.2, RSSRatio: 1.3, Note: "goal: within 1.2x of the floor's time, peak memory within 1.3x of the floor's"}
		if err != nil {
			row.Err = err.Error()
		} else {
			row.Ours, row.Ref = ms[0], ms[1]
		}
		rows = append(rows, row)

		otask := task + ", vs openssl x509 on each file"
		if !have("openssl") {
			rows = append(rows, skipRow(area, otask, "openssl is not installed"))
			continue
		}
		sample := min(size, cfg.pick(100, 30))
		om, err := loop(dir, size, sample, nil, func(i int) []string {
			return []string{"openssl", "x509", "-enddate", "-subject", "-noout", "-in", path(i)}
		})
		orow := Row{Area: area, Task: otask, Ours: row.Ours, OursCmd: row.OursCmd,
			RefCmd: "find TREE -name '*.pem' -exec openssl x509 -enddate -subject -noout -in {} \\;", Ref: om,
			Note: fmt.Sprintf("the openssl loop timed on %d files and scaled to %d; it leaves the sorting to sort(1)", sample, size)}
		if err != nil {
			orow.Err = err.Error()
		}
		rows = append(rows, orow)
	}
	return rows
}

func mustParse(der []byte) *x509.Certificate {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return c
}

func mustRel(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil {
		panic(err)
	}
	return r
}
