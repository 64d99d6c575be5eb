package main

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/safefile"
)

// benchKeystore compares issue 3's PFX build and read-back, per PKCS#12
// profile, and measures the key derivation each profile requires alone.
func benchKeystore(cfg config) ([]Row, []string) {
	const area = "keystore"
	dir := filepath.Join(cfg.Work, "keystore")
	logf("keystore: preparing inputs")
	root, err := issue(certSpec{CN: "Bench Root CA", CA: true, Key: ecKey(), Serial: 1}, nil)
	if err != nil {
		return []Row{errRow(area, "setup", err)}, nil
	}
	inter1, err := issue(certSpec{CN: "Bench Intermediate CA 1", CA: true, Key: ecKey(), Serial: 2}, root)
	if err != nil {
		return []Row{errRow(area, "setup", err)}, nil
	}
	inter2, err := issue(certSpec{CN: "Bench Issuing CA 2", CA: true, Key: ecKey(), Serial: 3}, inter1)
	if err != nil {
		return []Row{errRow(area, "setup", err)}, nil
	}
	leaf, err := issue(certSpec{CN: "gateway.bench.test", Key: rsaKey(2048), DNS: []string{"gateway.bench.test"}, Serial: 4}, inter2)
	if err != nil {
		return []Row{errRow(area, "setup", err)}, nil
	}
	files := map[string][]byte{
		"leaf.key":  keyPEM(leaf.Key),
		"leaf.pem":  certPEM(leaf.Cert),
		"chain.pem": certPEM(inter2.Cert, inter1.Cert, root.Cert),
	}
	for name, data := range files {
		if _, err := writeFile(dir, name, data); err != nil {
			return []Row{errRow(area, "setup", err)}, nil
		}
	}
	bin := cfg.Bin
	// Both tools take about 20 ms a call here, so the openssl comparisons
	// get more runs than the usual five: a median of five swings by several
	// per cent on this shared machine.
	runs := cfg.pick(15, 3)
	var rows []Row
	for _, prof := range []struct {
		name    string
		openssl []string // openssl pkcs12 -export options for the same protection
		keytool []string // keytool options to write it
	}{
		// OpenSSL 3's default is AES-256-CBC, PBKDF2-SHA-256, SHA-256 MAC,
		// 2048 iterations; -iter and -maciter 10000 match the modern profile
		// (the JDK's default count since JDK 12).
		{"modern", []string{"-iter", "10000"}, nil},
		// The legacy profile: 3DES for keys and certificates, SHA-1 MAC,
		// 2048 iterations (keytool's -J-Dkeystore.pkcs12.legacy).
		{"legacy", []string{"-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"}, []string{"-J-Dkeystore.pkcs12.legacy"}},
	} {
		out := filepath.Join(dir, "trustctl-"+prof.name+".pfx")
		oout := filepath.Join(dir, "openssl-"+prof.name+".pfx")
		kout := filepath.Join(dir, "keytool-"+prof.name+".p12")
		ours := []string{bin, "keystore", "build", "--key", "leaf.key", "--cert", "leaf.pem", "--chain", "chain.pem",
			"--out", out, "--password", storePass, "--encryption", prof.name}
		oargs := []string{"openssl", "pkcs12", "-export", "-inkey", "leaf.key", "-in", "leaf.pem", "-certfile", "chain.pem",
			"-out", oout, "-passout", "pass:" + storePass, "-name", "gateway"}
		oargs = append(oargs, prof.openssl...)
		if isNotImplemented(cfg, "keystore", "build") {
			rows = append(rows, Row{Area: area, Task: "build a PFX (" + prof.name + ")", Pending: true, OursCmd: cmdText(ours), RefCmd: cmdText(oargs)})
			continue
		}
		task := fmt.Sprintf("build a PFX: key + leaf + 2 intermediates + root (%s)", prof.name)
		logf("keystore: %s", task)
		row := compare(area, task, dir, cfg,
			Bench{Dir: dir, Runs: runs, Setup: removeAll(out), Argv: ours},
			Bench{Dir: dir, Runs: runs, Setup: removeAll(oout), Argv: oargs})
		row.Target = 1
		row.Note = "openssl with the same ciphers; " + map[string]string{
			"modern": "openssl 3.0 keeps its MAC at 2048 iterations where trustctl uses 10000 (the JDK's default)",
			"legacy": "both 2048 iterations",
		}[prof.name]
		rows = append(rows, row)

		// keytool's way to a PFX from PEM files is -importkeystore from a
		// PKCS#12 that openssl made.
		kargs := append([]string{"keytool", "-importkeystore", "-noprompt", "-srckeystore", oout, "-srcstoretype", "PKCS12",
			"-srcstorepass", storePass, "-destkeystore", kout, "-deststoretype", "PKCS12", "-deststorepass", storePass}, prof.keytool...)
		task = fmt.Sprintf("build a PFX (%s), vs keytool -importkeystore", prof.name)
		logf("keystore: %s", task)
		row = compare(area, task, dir, cfg,
			Bench{Dir: dir, Runs: cfg.Runs, Setup: removeAll(out), Argv: ours},
			Bench{Dir: dir, Runs: cfg.RefRun, Setup: removeAll(kout), Argv: kargs})
		row.Note = "keytool cannot read PEM keys: it copies the openssl-made PFX, so its time leaves out building the chain"
		rows = append(rows, row)

		// Reading back: list the entry and its chain.
		readOurs := []string{bin, "list", out, "--password", storePass}
		readOSSL := []string{"openssl", "pkcs12", "-info", "-nokeys", "-in", out, "-passin", "pass:" + storePass}
		readKT := []string{"keytool", "-list", "-keystore", out, "-storetype", "PKCS12", "-storepass", storePass}
		task = fmt.Sprintf("read the PFX back (%s)", prof.name)
		logf("keystore: %s", task)
		row = compare(area, task+", vs openssl", dir, cfg,
			Bench{Dir: dir, Runs: runs, Argv: readOurs}, Bench{Dir: dir, Runs: runs, Argv: readOSSL})
		row.Target = 1
		row.Note = "both read the PFX trustctl wrote"
		rows = append(rows, row)
		row = compare(area, task+", vs keytool", dir, cfg,
			Bench{Dir: dir, Runs: cfg.Runs, Argv: readOurs}, Bench{Dir: dir, Runs: cfg.RefRun, Argv: readKT})
		rows = append(rows, row)
	}
	return rows, append(kdfNotes(rows), durableNotes(dir, rows)...)
}

// durableNotes measures, in the directory the bench writes its PFX files
// to, what trustctl's way of writing a new file costs over a plain write:
// internal/safefile writes a temporary file, fsyncs it, links it into
// place and fsyncs the directory, so that a crash leaves either no file
// or the whole one. openssl pkcs12 -export writes the file directly.
func durableNotes(dir string, rows []Row) []string {
	data := make([]byte, 4096) // about the size of the bench's PFX files
	const reps = 15
	var plain, durable []time.Duration
	for i := range reps {
		p := filepath.Join(dir, fmt.Sprintf("durable-%d.bin", i))
		s := time.Now()
		err := os.WriteFile(p, data, 0o600)
		plain = append(plain, time.Since(s))
		if err == nil {
			err = os.Remove(p)
		}
		if err != nil {
			return []string{"durable write: " + err.Error()}
		}
		s = time.Now()
		err = safefile.Write(p, data, safefile.Options{Perm: 0o600, NoOverwrite: true})
		durable = append(durable, time.Since(s))
		if err == nil {
			err = os.Remove(p)
		}
		if err != nil {
			return []string{"durable write: " + err.Error()}
		}
	}
	cost := medianOf(durable) - medianOf(plain)
	lines := []string{fmt.Sprintf("writing a 4 KB file durably (internal/safefile: fsync of the file and of its directory) takes %s, a plain write %s, in the directory the PFX files are written to",
		fmtDur(medianOf(durable)), fmtDur(medianOf(plain)))}
	for _, r := range rows {
		if r.Err != "" || r.Pending || r.Ours.Wall == 0 || r.Target != 1 || !strings.HasPrefix(r.Task, "build") {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s: trustctl %s, openssl %s; about %s of trustctl's time makes the file durable, which openssl does not do",
			r.Task, fmtDur(r.Ours.Wall), fmtDur(r.Ref.Wall), fmtDur(cost)))
	}
	return lines
}

// kdfNotes measures, alone and in this process, the key derivations a
// PKCS#12 file of each profile needs, and relates them to the build times.
//
// A modern file (internal/p12: PBES2 for the key bag and the certificate
// bag, HMAC-SHA-256 MAC, 10000 iterations each) costs two PBKDF2-HMAC-SHA-256
// derivations and one RFC 7292 appendix B derivation with SHA-256 for the
// MAC key. A legacy file (3DES, SHA-1 MAC, 2048 iterations) costs, per bag,
// the 24-byte 3DES key (two SHA-1 blocks) and the 8-byte IV (one block), and
// one block for the MAC key: seven SHA-1 chains of 2048.
func kdfNotes(rows []Row) []string {
	pw := []byte(storePass)
	salt := make([]byte, 16)
	bmp := bmpString(storePass)
	const reps = 20
	timeIt := func(f func()) time.Duration {
		f()
		var ds []time.Duration
		for range reps {
			s := time.Now()
			f()
			ds = append(ds, time.Since(s))
		}
		return medianOf(ds)
	}
	pb := timeIt(func() { _, _ = pbkdf2.Key(sha256.New, string(pw), salt, 10000, 32) })
	p12sha256 := timeIt(func() { pkcs12KDF(sha256.New, 64, bmp, salt, 3, 10000, 32) })
	p12sha1 := timeIt(func() { pkcs12KDF(sha1.New, 64, bmp, salt[:8], 1, 2048, 20) })
	modern := 2*pb + p12sha256
	legacy := 7 * p12sha1
	lines := []string{
		fmt.Sprintf("PBKDF2-HMAC-SHA-256, 10000 iterations: %s; RFC 7292 B.2 with SHA-256, 10000 iterations: %s; with SHA-1, 2048 iterations, one 20-byte block: %s", fmtDur(pb), fmtDur(p12sha256), fmtDur(p12sha1)),
		fmt.Sprintf("modern profile (2 x PBKDF2 + 1 MAC key): about %s per file written or read with its key; legacy profile (7 SHA-1 chains): about %s", fmtDur(modern), fmtDur(legacy)),
	}
	for _, r := range rows {
		if r.Err != "" || r.Pending || r.Ours.Wall == 0 || r.Target != 1 {
			continue
		}
		k := legacy
		how := "which both tools run one after the other (each is too cheap to gain from a goroutine of its own)"
		if strings.Contains(r.Task, "modern") {
			k = modern
			how = fmt.Sprintf("which trustctl spreads over the %d CPUs, a goroutine for each encrypted part, where openssl runs them one after the other", runtime.NumCPU())
		}
		lines = append(lines, fmt.Sprintf("%s: trustctl %s; its key derivations are about %s of CPU (%.0f%% of that time), %s",
			r.Task, fmtDur(r.Ours.Wall), fmtDur(k), 100*float64(k)/float64(r.Ours.Wall), how))
	}
	return lines
}

// bmpString is a password as RFC 7292 appendix B.1 feeds it to the KDF:
// UTF-16 big endian with a terminating zero.
func bmpString(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return append(b, 0, 0)
}

// pkcs12KDF is RFC 7292 appendix B.2, here only to time it: the iterated
// hash dominates, the rest is bookkeeping.
func pkcs12KDF(h func() hash.Hash, v int, password, salt []byte, id byte, iter, size int) []byte {

	D := make([]byte, v)
	for i := range D {
		D[i] = id
	}
	fill := func(in []byte) []byte {
		if len(in) == 0 {
			return nil
		}
		n := v * ((len(in) + v - 1) / v)
		out := make([]byte, n)
		for i := range out {
			out[i] = in[i%len(in)]
		}
		return out
	}
	I := append(fill(salt), fill(password)...)
	var A []byte
	one := big.NewInt(1)
	for len(A) < size {
		hh := h()
		hh.Write(D)
		hh.Write(I)
		Ai := hh.Sum(nil)
		for j := 1; j < iter; j++ {
			hh.Reset()
			hh.Write(Ai)
			Ai = hh.Sum(Ai[:0])
		}
		A = append(A, Ai...)
		if len(A) >= size {
			break
		}
		B := new(big.Int).SetBytes(fill(Ai)[:v])
		B.Add(B, one)
		for j := 0; j < len(I)/v; j++ {
			Ij := new(big.Int).SetBytes(I[j*v : (j+1)*v])
			Ij.Add(Ij, B)
			b := Ij.Bytes()
			if len(b) > v {
				b = b[len(b)-v:]
			}
			copy(I[j*v:(j+1)*v], make([]byte, v))
			copy(I[(j+1)*v-len(b):(j+1)*v], b)
		}
	}
	return A[:size]
}
