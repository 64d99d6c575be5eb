package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
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

// ocspTarget is the set of certificates the load asks about.
type ocspTarget struct {
	issuer *x509.Certificate
	certs  []*x509.Certificate
}

// benchOCSP loads trustctl ocsp serve (default signer: a delegated P-256
// responder certificate), openssl ocsp -port and the floor (net/http and
// x/crypto/ocsp, the same delegated signer) with the same requests, at
// concurrency 1 and 8, with a nonce (every response signed) and without
// one (trustctl may answer from its cache), and records throughput and
// the 99th-percentile latency.
func benchOCSP(cfg config) []Row {
	const area = "ocsp"
	dir := filepath.Join(cfg.Work, "ocsp")
	if err := os.MkdirAll(filepath.Join(dir, "csrs"), 0o755); err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	if _, _, _, err := runOnce(dir, nil, []string{cfg.Bin, "ca", "init", "cadir", "--subject", "CN=Bench CA,O=trustctl bench"}); err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	const issued = 50
	logf("ocsp: the CA issues %d certificates", issued)
	key := ecKey()
	var index bytes.Buffer
	tg := ocspTarget{}
	for i := range issued {
		host := fmt.Sprintf("host%04d.bench.test", i)
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: host}, DNSNames: []string{host}}, key)
		if err != nil {
			return []Row{errRow(area, "setup", err)}
		}
		csr := fmt.Sprintf("csrs/%04d.csr", i)
		if _, err := writeFile(dir, csr, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})); err != nil {
			return []Row{errRow(area, "setup", err)}
		}
		out := fmt.Sprintf("csrs/%04d.pem", i)
		if _, _, _, err := runOnce(dir, nil, []string{cfg.Bin, "ca", "sign", "cadir", csr, "--profile", "server", "--out", out}); err != nil {
			return []Row{errRow(area, "setup", err)}
		}
		data, err := os.ReadFile(filepath.Join(dir, out))
		if err != nil {
			return []Row{errRow(area, "setup", err)}
		}
		b, _ := pem.Decode(data)
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return []Row{errRow(area, "setup", err)}
		}
		tg.certs = append(tg.certs, c)
		// The same certificates in openssl's index format.
		serial := fmt.Sprintf("%X", c.SerialNumber)
		if len(serial)%2 == 1 {
			serial = "0" + serial
		}
		fmt.Fprintf(&index, "V\t%s\t\t%s\tunknown\t/CN=%s\n", c.NotAfter.UTC().Format("060102150405Z"), serial, c.Subject.CommonName)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "cadir", "ca.crt"))
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	b, _ := pem.Decode(caPEM)
	if tg.issuer, err = x509.ParseCertificate(b.Bytes); err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	if _, err := writeFile(dir, "index.txt", index.Bytes()); err != nil {
		return []Row{errRow(area, "setup", err)}
	}

	total := cfg.pick(4000, 500)
	deadline := time.Duration(cfg.pick(60, 20)) * time.Second
	runs := cfg.pick(3, 1)
	ourArgv := []string{cfg.Bin, "ocsp", "serve", "--ca", "cadir", "--listen", "127.0.0.1:0"}
	floorArgv := []string{cfg.floor("ocsp"), "cadir/ca.crt", "cadir/ca.key", "127.0.0.1:0"}
	port, err := freePort()
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	// openssl ocsp -port takes a port number only: it listens on every
	// address (OpenSSL 3.0), the one server here that does. It signs with
	// the CA key, which is what its users give it.
	refArgv := []string{"openssl", "ocsp", "-index", "index.txt", "-port", strconv.Itoa(port), "-rsigner", "cadir/ca.crt",
		"-rkey", "cadir/ca.key", "-CA", "cadir/ca.crt", "-nmin", "60"}
	refURL := fmt.Sprintf("http://127.0.0.1:%d/", port)
	withOpenSSL := have("openssl")
	// openssl also signs as trustctl and the floor do by default: with a
	// delegated P-256 responder certificate the CA issues (the issue's
	// second openssl figure). It carries that certificate in each answer,
	// as they do.
	if err := writeDelegatedResponder(dir, tg.issuer); err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	delegatedArgv := []string{"openssl", "ocsp", "-index", "index.txt", "-port", strconv.Itoa(port), "-rsigner", "responder.crt",
		"-rkey", "responder.key", "-CA", "cadir/ca.crt", "-nmin", "60"}

	var rows []Row
	for _, workers := range []int{1, 8} {
		for _, nonce := range []bool{true, false} {
			what := "with nonce"
			if !nonce {
				what = "no nonce"
			}
			task := fmt.Sprintf("ocsp serve: %d requests, concurrency %d, %s", total, workers, what)
			var ours, refs, delegated, floors []loadResult
			var firstErr error
			keep := func(rs *[]loadResult, r loadResult, err error) {
				*rs = append(*rs, r)
				if err != nil && firstErr == nil {
					firstErr = err
				}
			}
			for i := range runs {
				logf("ocsp: %s (run %d of %d)", task, i+1, runs)
				r, err := serveAndLoad(dir, ourArgv, "", tg, total, workers, deadline, nonce)
				keep(&ours, r, err)
				r, err = serveAndLoad(dir, floorArgv, "", tg, total, workers, deadline, nonce)
				keep(&floors, r, err)
				if withOpenSSL {
					r, err = serveAndLoad(dir, refArgv, refURL, tg, total, workers, deadline, nonce)
					keep(&refs, r, err)
					r, err = serveAndLoad(dir, delegatedArgv, refURL, tg, total, workers, deadline, nonce)
					keep(&delegated, r, err)
				}
			}
			om, fm := medianLoad(ours), medianLoad(floors)
			frow := Row{Area: area, Task: task + ", vs the floor", Ours: om.Measure, OursCmd: cmdText(ourArgv), Ref: fm.Measure,
				RefCmd: "floor-ocsp (net/http + x/crypto/ocsp, delegated P-256 signer; bench/floor/ocsp)", Target: 1 / 1.2,
				Note: fmt.Sprintf("goal: within 1.2x of the floor; trustctl %s; floor %s", om, fm)}
			if workers == 8 {
				frow.MaxP99 = 10 * time.Millisecond
				frow.Note += "; p99 under 10ms at concurrency 8"
			}
			if !nonce {
				frow.Note += "; the floor signs every response, trustctl may answer from its cache"
			}
			if firstErr != nil {
				frow.Err = firstErr.Error()
			}
			rows = append(rows, frow)
			for _, ref := range []struct {
				what string
				argv []string
				runs []loadResult
			}{
				{"openssl ocsp signing with the CA key", refArgv, refs},
				{"openssl ocsp with a delegated P-256 responder", delegatedArgv, delegated},
			} {
				orow := Row{Area: area, Task: task + ", vs " + ref.what, Ours: om.Measure, OursCmd: cmdText(ourArgv), RefCmd: cmdText(ref.argv)}
				switch {
				case !withOpenSSL:
					orow = skipRow(area, orow.Task, "openssl is not installed")
				case nonce:
					rm := medianLoad(ref.runs)
					orow.Ref, orow.Target = rm.Measure, 1.5
					orow.Note = fmt.Sprintf("goal: 1.5x openssl with the default signer (trustctl signs with a delegated P-256 responder certificate); openssl %s", rm)
				default:
					rm := medianLoad(ref.runs)
					orow.Ref, orow.Target = rm.Measure, 5
					orow.Note = fmt.Sprintf("goal: no-nonce responses cached and served 5x faster than openssl, which signs each; openssl %s", rm)
				}
				if firstErr != nil && orow.Err == "" && withOpenSSL {
					orow.Err = firstErr.Error()
				}
				rows = append(rows, orow)
			}
		}
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
	return fmt.Sprintf("%.0f req/s, p99 %s, peak RSS %s", float64(r.OK)/r.Elapsed.Seconds(), fmtDur(r.Measure.P99), fmtRSS(r.RSSKB))
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
	// Each worker keeps the latency of every request it made; the
	// percentiles are taken over all of them afterwards.
	lat := make([][]time.Duration, workers)
	for w := range workers {
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
				t0 := time.Now()
				// Every 100th response is parsed and checked in full.
				if err := postOCSP(client, reqs[i], tg, i, i%100 == 0); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
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
	if len(all) > 0 {
		res.Measure.P99 = all[min(len(all)-1, len(all)*99/100)]
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

// writeDelegatedResponder writes responder.crt and responder.key into dir:
// a fresh P-256 key and its OCSP responder certificate (id-kp-OCSPSigning,
// id-pkix-ocsp-nocheck, a week), signed with the key of cadir.
func writeDelegatedResponder(dir string, issuer *x509.Certificate) error {
	kb, err := os.ReadFile(filepath.Join(dir, "cadir", "ca.key"))
	if err != nil {
		return err
	}
	b, _ := pem.Decode(kb)
	if b == nil {
		return errors.New("cadir/ca.key: no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return fmt.Errorf("cadir/ca.key: %w", err)
	}
	caKey, ok := k.(crypto.Signer)
	if !ok {
		return fmt.Errorf("cadir/ca.key: a %T cannot sign", k)
	}
	key := ecKey()
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "OCSP responder (openssl)"},
		NotBefore: benchNow.Add(-time.Hour), NotAfter: benchNow.Add(7 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}, Value: []byte{0x05, 0x00}}},
	}, issuer, key.Public(), caKey)
	if err != nil {
		return err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if _, err := writeFile(dir, "responder.crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})); err != nil {
		return err
	}
	_, err = writeFile(dir, "responder.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}))
	return err
}
