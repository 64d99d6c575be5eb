package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"
	"time"
)

// tlsFarm is n TLS listeners on 127.0.0.1 in this process, each serving the
// same chain; they stand in for n endpoints to probe.
type tlsFarm struct {
	lns   []net.Listener
	wg    sync.WaitGroup
	Addrs []string
}

func startTLSFarm(n int, cfg *tls.Config) (*tlsFarm, error) {
	f := &tlsFarm{}
	for range n {
		ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
		if err != nil {
			f.Close()
			return nil, err
		}
		f.lns = append(f.lns, ln)
		f.Addrs = append(f.Addrs, ln.Addr().String())
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				f.wg.Add(1)
				go func() {
					defer f.wg.Done()
					defer c.Close()
					_ = c.SetDeadline(time.Now().Add(20 * time.Second))
					if err := c.(*tls.Conn).Handshake(); err != nil {
						return
					}
					// Keep the connection until the client is done, as a
					// server would.
					_, _ = io.Copy(io.Discard, c)
				}()
			}
		}()
	}
	return f, nil
}

func (f *tlsFarm) Close() {
	for _, ln := range f.lns {
		ln.Close()
	}
	f.wg.Wait()
}

// benchProbe times one trustctl probe of 200 endpoints, 32 at a time,
// against the floor (a Go program making the same handshakes, as many at
// once) and against a loop of openssl s_client, once without SNI (IP
// targets: one handshake each) and once with a name, where trustctl also
// makes its no-SNI comparison handshake (and so does the floor).
func benchProbe(cfg config) []Row {
	const area = "probe"
	dir := filepath.Join(cfg.Work, "probe")
	n := cfg.pick(200, 50)
	root, err := issue(certSpec{CN: "Bench Probe Root", CA: true, Key: ecKey(), Serial: 1}, nil)
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	inter, err := issue(certSpec{CN: "Bench Probe Issuing CA", CA: true, Key: ecKey(), Serial: 2}, root)
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	leaf, err := issue(certSpec{CN: "localhost", Key: ecKey(), DNS: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Serial: 3}, inter)
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	if _, err := writeFile(dir, "root.pem", certPEM(root.Cert)); err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	farm, err := startTLSFarm(n, &tls.Config{Certificates: []tls.Certificate{{
		Certificate: [][]byte{leaf.Cert.Raw, inter.Cert.Raw}, PrivateKey: leaf.Key, Leaf: leaf.Cert}}})
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	defer farm.Close()
	logf("probe: %d TLS endpoints on 127.0.0.1", n)

	var rows []Row
	for _, sni := range []bool{false, true} {
		ours := append([]string{cfg.Bin, "probe", "--concurrency", "32"}, farm.Addrs...)
		floor := append([]string{cfg.floor("probe"), "-concurrency", "32"}, farm.Addrs...)
		task := fmt.Sprintf("probe %d endpoints, --concurrency 32, no SNI (IP targets)", n)
		oursText := fmt.Sprintf("trustctl probe --concurrency 32 ADDR1 ... ADDR%d", n)
		if sni {
			ours = append(ours, "--servername", "localhost")
			floor = append(floor[:3:3], append([]string{"-servername", "localhost"}, farm.Addrs...)...)
			task = fmt.Sprintf("probe %d endpoints, --concurrency 32, SNI and the no-SNI comparison", n)
			oursText += " --servername localhost"
		}
		logf("probe: %s", task)
		ms, err := medians(Bench{Dir: dir, Runs: cfg.pick(5, 1), Argv: ours}, Bench{Dir: dir, Runs: cfg.pick(5, 1), Argv: floor})
		row := Row{Area: area, Task: task + ", vs the floor", OursCmd: oursText, RefCmd: "floor-probe -concurrency 32 ADDR... (bench/floor/probe)",
			Target: 1 / 1.2, Note: "goal: within 1.2x of the floor"}
		if sni {
			row.RefCmd = "floor-probe -concurrency 32 -servername localhost ADDR... (two handshakes each, bench/floor/probe)"
		}
		if err != nil {
			row.Err = err.Error()
		} else {
			row.Ours, row.Ref = ms[0], ms[1]
		}
		rows = append(rows, row)
		if sni {
			continue
		}
		otask := task + ", vs an openssl s_client loop"
		if !have("openssl") {
			rows = append(rows, skipRow(area, otask, "openssl is not installed"))
			continue
		}
		sample := cfg.pick(20, 5)
		om, err := loop(dir, n, sample, nil, func(i int) []string {
			return []string{"openssl", "s_client", "-connect", farm.Addrs[i]}
		})
		orow := Row{Area: area, Task: otask, Ours: row.Ours, OursCmd: oursText, Ref: om,
			RefCmd: "for a in ADDR...; do openssl s_client -connect $a </dev/null; done",
			Note:   fmt.Sprintf("the openssl loop timed on %d endpoints and scaled to %d", sample, n)}
		if err != nil {
			orow.Err = err.Error()
		}
		rows = append(rows, orow)
	}
	return rows
}
