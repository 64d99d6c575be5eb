package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// benchVerify times one trustctl verify call over a thousand leaves
// against one openssl verify process given all of them, and against the
// floor (a Go program that verifies each with crypto/x509, pools built
// once).
func benchVerify(cfg config) []Row {
	const area = "verify"
	dir := filepath.Join(cfg.Work, "verify")
	n := cfg.pick(1000, 100)
	logf("verify: %d leaves under an RSA-2048 intermediate and an RSA-4096 root", n)
	root, err := issue(certSpec{CN: "Bench Verify Root", CA: true, Key: rsaKey(4096), Serial: 1}, nil)
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	inter, err := issue(certSpec{CN: "Bench Verify Issuing CA", CA: true, Key: rsaKey(2048), Serial: 2}, root)
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	leafKey := ecKey()
	var leaves []string
	for i := range n {
		host := fmt.Sprintf("host%04d.bench.test", i)
		l, err := issue(certSpec{CN: host, Key: leafKey, DNS: []string{host}, Serial: int64(100 + i)}, inter)
		if err != nil {
			return []Row{errRow(area, "setup", err)}
		}
		name := fmt.Sprintf("leaves/%04d.pem", i)
		if _, err := writeFile(dir, name, certPEM(l.Cert)); err != nil {
			return []Row{errRow(area, "setup", err)}
		}
		leaves = append(leaves, name)
	}
	for name, c := range map[string]*x509.Certificate{"root.pem": root.Cert, "inter.pem": inter.Cert} {
		if _, err := writeFile(dir, name, certPEM(c)); err != nil {
			return []Row{errRow(area, "setup", err)}
		}
	}
	task := fmt.Sprintf("verify %d leaves in one call", n)
	ours := Bench{Dir: dir, Runs: cfg.pick(3, 1), Argv: append([]string{cfg.Bin, "verify", "--roots", "root.pem", "--intermediates", "inter.pem"}, leaves...)}
	oursText := fmt.Sprintf("trustctl verify --roots root.pem --intermediates inter.pem leaves/0000.pem ... (%d files)", n)
	// verify CERT... is new; a trustctl that takes one CERT only is
	// reported as pending, not timed.
	if _, _, _, err := runOnce(dir, nil, ours.Argv); err != nil {
		var ce *CmdError
		if errors.As(err, &ce) && strings.Contains(ce.Err.Error(), "exit status 2") {
			return []Row{{Area: area, Task: task, OursCmd: oursText, RefCmd: "openssl verify, floor-verify", Pending: true,
				Note: "this trustctl refuses several CERTs in one call (" + strings.TrimSpace(firstLine(ce.Stderr)) + ")"}}
		}
		return []Row{errRow(area, task, err)}
	}
	floor := Bench{Dir: dir, Runs: cfg.pick(3, 1), Argv: append([]string{cfg.floor("verify"), "root.pem", "inter.pem"}, leaves...)}
	benches := []Bench{ours, floor}
	if have("openssl") {
		benches = append(benches, Bench{Dir: dir, Runs: cfg.pick(3, 1), Argv: append([]string{"openssl", "verify", "-CAfile", "root.pem", "-untrusted", "inter.pem"}, leaves...)})
	}
	logf("verify: %s", task)
	ms, err := medians(benches...)
	rows := []Row{{Area: area, Task: task + ", vs the floor", OursCmd: oursText, RefCmd: "floor-verify root.pem inter.pem LEAF... (bench/floor/verify)",
		Target: 1 / 1.2, Note: "goal: within 1.2x of the floor"}}
	if len(benches) > 2 {
		rows = append(rows, Row{Area: area, Task: task + ", vs one openssl verify process", OursCmd: oursText,
			RefCmd: fmt.Sprintf("openssl verify -CAfile root.pem -untrusted inter.pem leaves/0000.pem ... (%d files)", n), Target: 1,
			Note: "goal: faster than openssl's one process (each shared intermediate checked once, not per leaf)"})
	} else {
		rows = append(rows, skipRow(area, task+", vs one openssl verify process", "openssl is not installed"))
	}
	for i := range rows {
		if rows[i].RefCmd == "" {
			continue
		}
		if err != nil {
			rows[i].Err = err.Error()
			continue
		}
		rows[i].Ours, rows[i].Ref = ms[0], ms[i+1]
	}
	return rows
}
