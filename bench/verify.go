package main

import (
	"crypto/x509"
	"fmt"
	"path/filepath"
	"time"
)

// benchVerify compares issue 4's workflow: checking many leaf certificates
// one process per leaf, trustctl verify against openssl verify, with
// crypto/x509's own Verify in this process as the floor.
func benchVerify(cfg config) []Row {
	const area = "verify"
	dir := filepath.Join(cfg.Work, "verify")
	n := cfg.pick(1000, 100)
	logf("verify: preparing %d leaves under an RSA-4096 root", n)
	root, err := issue(certSpec{CN: "Bench Verify Root", CA: true, Key: rsaKey(4096), Serial: 1}, nil)
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	inter, err := issue(certSpec{CN: "Bench Verify Issuing CA", CA: true, Key: rsaKey(2048), Serial: 2}, root)
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	leafKey := ecKey()
	leaves := make([]*x509.Certificate, n)
	for i := range n {
		host := fmt.Sprintf("host%04d.bench.test", i)
		l, err := issue(certSpec{CN: host, Key: leafKey, DNS: []string{host}, Serial: int64(100 + i)}, inter)
		if err != nil {
			return []Row{errRow(area, "setup", err)}
		}
		leaves[i] = l.Cert
		if _, err := writeFile(dir, fmt.Sprintf("leaves/%04d.pem", i), certPEM(l.Cert)); err != nil {
			return []Row{errRow(area, "setup", err)}
		}
	}
	for name, c := range map[string]*x509.Certificate{"root.pem": root.Cert, "inter.pem": inter.Cert} {
		if _, err := writeFile(dir, name, certPEM(c)); err != nil {
			return []Row{errRow(area, "setup", err)}
		}
	}
	leafPath := func(i int) string { return filepath.Join("leaves", fmt.Sprintf("%04d.pem", i)) }
	ours := func(i int) []string {
		return []string{cfg.Bin, "verify", leafPath(i), "--roots", "root.pem", "--intermediates", "inter.pem"}
	}
	ref := func(i int) []string {
		return []string{"openssl", "verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", leafPath(i)}
	}
	task := fmt.Sprintf("verify %d leaves, one call each", n)
	row := Row{Area: area, Task: task, OursCmd: cmdText(ours(0)), RefCmd: cmdText(ref(0)), PerCall: true, Target: 1.4,
		Note: "root RSA-4096, intermediate RSA-2048, ECDSA P-256 leaves; the ratio compares the time per call"}
	if isNotImplemented(cfg, ours(0)[1:]...) {
		row.Pending = true
		return []Row{row}
	}
	// The most a Go process can do here: a program that only reads the
	// three files and calls crypto/x509's Verify, taking turns with the
	// other two.
	argvs := []func(int) []string{ours, ref}
	goVerify, gerr := buildGoProgram(dir, "go-verify", goVerifyProgram)
	if gerr == nil {
		argvs = append(argvs, func(i int) []string { return []string{goVerify, leafPath(i), "root.pem", "inter.pem"} })
	}
	logf("verify: %s", task)
	ms, err := loops(dir, n, argvs...)
	if err != nil {
		row.Err = err.Error()
		return []Row{row}
	}
	row.Ours, row.Ref = ms[0], ms[1]
	goRow := Row{Area: area, Task: task + ", vs a Go program that only verifies", OursCmd: row.OursCmd,
		RefCmd: "go-verify LEAF root.pem inter.pem (crypto/x509 Verify, CGO_ENABLED=0, -s -w)", PerCall: true}
	if gerr != nil {
		goRow.Err = gerr.Error()
	} else {
		goRow.Ours, goRow.Ref = ms[0], ms[2]
		goRow.Note = fmt.Sprintf("the Go program against openssl verify: %.2fx per call, the most any Go process reaches on this machine; the target above asks %.1fx",
			float64(ms[1].PerCall())/float64(ms[2].PerCall()), row.Target)
	}

	// The floor: crypto/x509 Verify in this process, pools built once,
	// one call per chain, as a long-running process would pay.
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root.Cert)
	inters.AddCert(inter.Cert)
	start := time.Now()
	for _, l := range leaves {
		if _, err := l.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			return []Row{row, goRow, errRow(area, "crypto/x509 floor", err)}
		}
	}
	floor := time.Since(start)
	return []Row{row, goRow, {
		Area: area, Task: "crypto/x509 Verify in-process per chain (floor)", OursCmd: "in-process x509.Certificate.Verify, pools built once",
		Ours: Measure{Wall: floor, Runs: 1, Calls: n}, PerCall: true,
		Note: fmt.Sprintf("the cost of the checking itself; a trustctl call costs %s more (process start, reading files)", fmtDur(row.Ours.PerCall()-floor/time.Duration(n))),
	}}
}

// goVerifyProgram checks LEAF against ROOTS with INTERMEDIATES, as
// crypto/x509 does, and nothing more: exit 0 valid, 1 invalid.
const goVerifyProgram = `package main

import (
	"crypto/x509"
	"encoding/pem"
	"os"
)

func pool(path string) *x509.CertPool {
	b, err := os.ReadFile(path)
	if err != nil {
		os.Exit(2)
	}
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(b)
	return p
}

func main() {
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
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
	_, err = leaf.Verify(x509.VerifyOptions{Roots: pool(os.Args[2]), Intermediates: pool(os.Args[3]),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		os.Exit(1)
	}
}
`
