package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/crypto/ocsp"
)

// benchCA compares issue 6's workflows: signing CSRs one call each, and an
// OCSP responder's throughput under a bounded load.
func benchCA(cfg config) []Row {
	const area = "ca"
	dir := filepath.Join(cfg.Work, "ca")
	if err := os.MkdirAll(filepath.Join(dir, "csrs"), 0o755); err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	caDir := filepath.Join(dir, "cadir")
	// RSA-2048, the CA key the figures (about 2 ms per openssl
	// response) are for; openssl signs with the very same key file.
	if _, _, _, err := runOnce(dir, nil, []string{cfg.Bin, "ca", "init", caDir, "--subject", "CN=Bench CA,O=trustctl bench", "--key-type", "rsa2048"}); err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	n := cfg.pick(1000, 100)
	logf("ca: preparing %d CSRs", n)
	key := ecKey()
	for i := range n {
		host := fmt.Sprintf("host%04d.bench.test", i)
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
			Subject: pkix.Name{CommonName: host}, DNSNames: []string{host}}, key)
		if err != nil {
			return []Row{errRow(area, "setup", err)}
		}
		if _, err := writeFile(dir, fmt.Sprintf("csrs/%04d.csr", i), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})); err != nil {
			return []Row{errRow(area, "setup", err)}
		}
	}
	for _, d := range []string{"ours", "theirs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return []Row{errRow(area, "setup", err)}
		}
	}
	csr := func(i int) string { return filepath.Join("csrs", fmt.Sprintf("%04d.csr", i)) }
	ours := func(i int) []string {
		return []string{cfg.Bin, "ca", "sign", "cadir", csr(i), "--profile", "server", "--days", "90",
			"--out", filepath.Join("ours", fmt.Sprintf("%04d.pem", i))}
	}
	ref := func(i int) []string {
		return []string{"openssl", "x509", "-req", "-in", csr(i), "-CA", "cadir/ca.crt", "-CAkey", "cadir/ca.key",
			"-CAserial", "openssl.srl", "-CAcreateserial", "-days", "90", "-copy_extensions", "copy",
			"-out", filepath.Join("theirs", fmt.Sprintf("%04d.pem", i))}
	}
	task := fmt.Sprintf("sign %d CSRs, one call each", n)
	logf("ca: %s", task)
	row := Row{Area: area, Task: task, OursCmd: cmdText(ours(0)), RefCmd: cmdText(ref(0)), PerCall: true, Target: 1,
		Note: "RSA-2048 CA key (ca init --key-type rsa2048), ECDSA P-256 CSRs; both keep a serial file; trustctl also records each certificate in the CA directory"}
	var rows []Row
	if ms, err := loops(dir, n, ours, ref); err != nil {
		row.Err = err.Error()
	} else {
		row.Ours, row.Ref = ms[0], ms[1]
	}
	rows = append(rows, row)
	if row.Err != "" {
		return rows
	}
	return append(rows, benchOCSP(cfg, dir, n)...)
}

// ocspTarget is the set of certificates the load asks about.
type ocspTarget struct {
	issuer *x509.Certificate
	certs  []*x509.Certificate
}

func benchOCSP(cfg config, dir string, issued int) []Row {
	const area = "ca"
	total := cfg.pick(10000, 1000)
	deadline := time.Duration(cfg.pick(90, 30)) * time.Second
	const workers = 8
	runs := cfg.pick(3, 1)
	caPEM, err := os.ReadFile(filepath.Join(dir, "cadir", "ca.crt"))
	if err != nil {
		return []Row{errRow(area, "ocsp setup", err)}
	}
	b, _ := pem.Decode(caPEM)
	if b == nil {
		return []Row{errRow(area, "ocsp setup", errors.New("cadir/ca.crt: no PEM"))}
	}
	issuer, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return []Row{errRow(area, "ocsp setup", err)}
	}
	tg := ocspTarget{issuer: issuer}
	// The certificates trustctl issued, in openssl's index format too, so
	// that both responders know the same certificates.
	var index bytes.Buffer
	for i := range min(issued, 100) {
		data, err := os.ReadFile(filepath.Join(dir, "ours", fmt.Sprintf("%04d.pem", i)))
		if err != nil {
			return []Row{errRow(area, "ocsp setup", err)}
		}
		b, _ := pem.Decode(data)
		if b == nil {
			return []Row{errRow(area, "ocsp setup", fmt.Errorf("ours/%04d.pem: no PEM", i))}
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return []Row{errRow(area, "ocsp setup", err)}
		}
		tg.certs = append(tg.certs, c)
		serial := fmt.Sprintf("%X", c.SerialNumber)
		if len(serial)%2 == 1 {
			serial = "0" + serial
		}
		fmt.Fprintf(&index, "V\t%s\t\t%s\tunknown\t/CN=%s\n", c.NotAfter.UTC().Format("060102150405Z"), serial, c.Subject.CommonName)
	}
	if _, err := writeFile(dir, "index.txt", index.Bytes()); err != nil {
		return []Row{errRow(area, "ocsp setup", err)}
	}

	ourArgv := []string{cfg.Bin, "ocsp", "serve", "--ca", "cadir", "--listen", "127.0.0.1:0"}
	port, err := freePort()
	if err != nil {
		return []Row{errRow(area, "ocsp setup", err)}
	}
	// openssl ocsp -port takes a port number only: it listens on every
	// address (OpenSSL 3.0), the one server here that does.
	refArgv := []string{"openssl", "ocsp", "-index", "index.txt", "-port", strconv.Itoa(port), "-rsigner", "cadir/ca.crt",
		"-rkey", "cadir/ca.key", "-CA", "cadir/ca.crt", "-nmin", "60"}

	var rows []Row
	for _, nonce := range []bool{true, false} {
		task := fmt.Sprintf("OCSP responder: %d requests, %d concurrent, with nonce", total, workers)
		note := "every request carries a nonce, so every response is signed; throughput in requests per second, shown as the time for the whole load; connections kept open where the server allows it (trustctl), reopened where it closes them (openssl)"
		if !nonce {
			task = fmt.Sprintf("OCSP responder: %d requests, %d concurrent, no nonce", total, workers)
			note = "requests without a nonce: trustctl may answer from its cache (its responses are valid for an hour), openssl signs each"
		}
		row := Row{Area: area, Task: task, OursCmd: cmdText(ourArgv), RefCmd: cmdText(refArgv), Target: 5, Note: note}
		// Each responder takes the load several times, in turn, a fresh
		// process each time; the median load is reported, as for single
		// commands.
		var ours, refs []loadResult
		for i := range runs {
			logf("ca: %s (trustctl, %d of %d)", task, i+1, runs)
			om, err := serveAndLoad(dir, ourArgv, "", tg, total, workers, deadline, nonce)
			if err != nil && row.Err == "" {
				row.Err = err.Error()
			}
			ours = append(ours, om)
			logf("ca: %s (openssl, %d of %d)", task, i+1, runs)
			rm, err := serveAndLoad(dir, refArgv, fmt.Sprintf("http://127.0.0.1:%d/", port), tg, total, workers, deadline, nonce)
			if err != nil && row.Err == "" {
				row.Err = err.Error()
			}
			refs = append(refs, rm)
		}
		om, rm := medianLoad(ours), medianLoad(refs)
		row.Ours, row.Ref = om.Measure, rm.Measure
		row.Note += fmt.Sprintf("; median of %d loads each, taken in turn; trustctl %s, openssl %s; all loads: trustctl %s, openssl %s",
			runs, om, rm, loadWalls(ours), loadWalls(refs))
		rows = append(rows, row)
	}
	return rows
}

// medianLoad is the load of median wall time among rs (the middle one of
// an odd count), with Runs set to how many there were.
func medianLoad(rs []loadResult) loadResult {
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b loadResult) int { return cmp.Compare(a.Measure.Wall, b.Measure.Wall) })
	m := sorted[len(sorted)/2]
	m.Measure.Runs = len(rs)
	return m
}

// loadWalls lists the wall time of each load, in the order taken.
func loadWalls(rs []loadResult) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmtDur(r.Measure.Wall))
	}
	return strings.Join(parts, ", ")
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// loadResult is what a load run achieved.
type loadResult struct {
	Measure
	OK, Failed int
	Elapsed    time.Duration
	cpu        time.Duration // the responder's CPU time over its whole life
	clientCPU  time.Duration // the load generator's (this process's) CPU time
}

// selfCPU is this process's user+system time: the load generator shares
// the machine's cores with the responder, and the report says how much it
// took.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (r loadResult) String() string {
	if r.Elapsed == 0 {
		return "not run"
	}
	return fmt.Sprintf("%d ok / %d failed in %s = %.0f req/s, peak RSS %s, load generator CPU %s (%.0f%% of one core)", r.OK, r.Failed, fmtDur(r.Elapsed),
		float64(r.OK)/r.Elapsed.Seconds(), fmtRSS(r.RSSKB), fmtDur(r.clientCPU), 100*r.clientCPU.Seconds()/r.Elapsed.Seconds())
}

// serveAndLoad starts a responder, waits until it answers a real OCSP
// request (never an empty TCP connect: openssl ocsp -port spins at 100% CPU
// after one), sends the load, and stops the responder by its process id.
// url "" means: read it from trustctl's "listening on http://ADDR" line.
func serveAndLoad(dir string, argv []string, url string, tg ocspTarget, total, workers int, deadline time.Duration, nonce bool) (loadResult, error) {
	var res loadResult
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return res, err
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return res, err
	}
	var errText strings.Builder
	var errMu sync.Mutex
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			l := sc.Text()
			errMu.Lock()
			errText.WriteString(l + "\n")
			errMu.Unlock()
			if i := strings.Index(l, "http://"); i >= 0 && url == "" {
				f := strings.Fields(l[i:])
				select {
				case urlc <- strings.TrimRight(f[0], ",;)") + "/":
				default:
				}
			}
		}
	}()
	stop := func() {
		hwm := hwmKB(cmd.Process.Pid)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if cmd.ProcessState != nil {
			// wait4's ru_maxrss would include the bench's own size (see
			// timeBin); VmHWM read just before the signal does not.
			u := rusageOf(cmd.ProcessState)
			res.RSSKB, res.cpu = hwm, u.CPU
		}
	}
	defer func() {
		if cmd.ProcessState == nil {
			stop()
		}
	}()
	fail := func(err error) (loadResult, error) {
		stop()
		errMu.Lock()
		defer errMu.Unlock()
		return res, fmt.Errorf("%s: %w: %s", cmdText(argv), err, tail(errText.String(), 300))
	}
	if url == "" {
		select {
		case url = <-urlc:
		case <-time.After(30 * time.Second):
			return fail(errors.New("no listening address announced in 30s"))
		}
	}
	// Each worker has its own connection (see ocspClient).
	probe, err := newOCSPClient(url, 20*time.Second)
	if err != nil {
		return fail(err)
	}
	ready := time.Now().Add(30 * time.Second)
	for {
		req, _ := ocspRequest(tg, 0, true)
		if err := postOCSP(probe, req, tg, 0, true); err == nil {
			break
		} else if time.Now().After(ready) {
			return fail(fmt.Errorf("not answering OCSP requests: %w", err))
		}
		time.Sleep(200 * time.Millisecond)
	}
	probe.close()

	// Requests are made before the clock starts: the load generator should
	// spend its CPU on the wire, not on encoding.
	reqs := make([][]byte, total)
	for i := range reqs {
		reqs[i], err = ocspRequest(tg, i, nonce)
		if err != nil {
			return fail(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	var next, ok, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	selfBefore := selfCPU()
	start := time.Now()
	for range workers {
		wg.Add(1)
		client, _ := newOCSPClient(url, 20*time.Second)
		go func() {
			defer wg.Done()
			defer client.close()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				// Every 100th response is parsed and checked in full.
				if err := postOCSP(client, reqs[i], tg, i, i%100 == 0); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.clientCPU = selfCPU() - selfBefore
	res.OK, res.Failed = int(ok.Load()), int(failed.Load())
	stop()
	if res.OK == 0 {
		return res, fmt.Errorf("no request answered: %v", firstErr.Load())
	}
	// The time for the whole load at the achieved rate, so that a run cut
	// by the deadline still compares.
	res.Measure = Measure{Wall: time.Duration(float64(res.Elapsed) * float64(total) / float64(res.OK)), RSSKB: res.RSSKB, CPU: res.cpu, Runs: 1, Calls: total}
	if res.OK < total {
		res.Measure.Scale = float64(total) / float64(res.OK)
	}
	if res.Failed > 0 {
		return res, fmt.Errorf("%d requests failed, first: %v", res.Failed, firstErr.Load())
	}
	return res, nil
}

func postOCSP(client *ocspClient, req []byte, tg ocspTarget, i int, check bool) error {
	body, err := client.post(req)
	if err != nil {
		return err
	}
	if !check {
		// responseStatus successful(0) right after the outer SEQUENCE.
		if len(body) < 8 || !bytes.Contains(body[:8], []byte{0x0a, 0x01, 0x00}) {
			return errors.New("not a successful OCSP response")
		}
		return nil
	}
	r, err := ocsp.ParseResponse(body, nil)
	if err != nil {
		return fmt.Errorf("parsing response: %w", err)
	}
	c := tg.certs[i%len(tg.certs)]
	if r.SerialNumber.Cmp(c.SerialNumber) != 0 || r.Status != ocsp.Good {
		return fmt.Errorf("response for serial %X status %d, want %X good", r.SerialNumber, r.Status, c.SerialNumber)
	}
	return nil
}

// OCSP request structures (RFC 6960 section 4.1.1), to add the nonce
// extension x/crypto/ocsp does not write.
type ocspReq struct {
	TBS ocspTBSReq
}

type ocspTBSReq struct {
	Version     int `asn1:"explicit,tag:0,default:0,optional"`
	RequestList []asn1.RawValue
	Extensions  []pkix.Extension `asn1:"explicit,tag:2,optional"`
}

var oidNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}

// ocspRequest asks about certificate i (mod the set), with a fresh 16-byte
// nonce when nonce is set (RFC 8954).
func ocspRequest(tg ocspTarget, i int, nonce bool) ([]byte, error) {
	der, err := ocsp.CreateRequest(tg.certs[i%len(tg.certs)], tg.issuer, &ocsp.RequestOptions{})
	if err != nil || !nonce {
		return der, err
	}
	var r ocspReq
	if _, err := asn1.Unmarshal(der, &r); err != nil {
		return nil, err
	}
	n := make([]byte, 16)
	_, _ = rand.Read(n)
	val, err := asn1.Marshal(n)
	if err != nil {
		return nil, err
	}
	r.TBS.Extensions = []pkix.Extension{{Id: oidNonce, Value: val}}
	return asn1.Marshal(r)
}
