package expiry

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/trustctl/trustctl/internal/probe"
	"github.com/trustctl/trustctl/internal/testpki"
)

var now = testpki.Now

// certIn makes a certificate for subject that expires days after now.
func certIn(t *testing.T, subject string, days int) *testpki.Cert {
	t.Helper()
	return testpki.New(t, testpki.Template{Subject: subject, IsCA: true, MaxPathLen: -1,
		NotBefore: now.AddDate(0, 0, -30), NotAfter: now.AddDate(0, 0, days)}, nil)
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// tlsServer serves cert on 127.0.0.1 until the test ends.
func tlsServer(t *testing.T, c *testpki.Cert) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{c.Cert.Raw}, PrivateKey: c.Key}}})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, ln, func(conn net.Conn) {
		if conn.(*tls.Conn).Handshake() == nil {
			_, _ = io.Copy(io.Discard, conn)
		}
	})
}

// serve accepts on ln and hands each connection to handle until the test
// ends, then waits for them.
func serve(t *testing.T, ln net.Listener, handle func(net.Conn)) string {
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

type row struct{ Origin, Subject string }

func rows(r *Report) []row {
	var out []row
	for _, c := range r.Certs {
		out = append(out, row{c.Origin, c.Subject})
	}
	return out
}

func unreadable(r *Report) map[string]string {
	out := map[string]string{}
	for _, u := range r.Unreadable {
		out[u.Source] = u.Reason()
	}
	return out
}

// TestRunKeepsGoing is a tree as a cron job meets it: nested directories,
// links, a loop, a broken link, a damaged file, a store the password does
// not open, an endpoint that does not answer, and one that does. Every
// certificate that can be read is reported, soonest first; every source
// that cannot is a row with its reason.
func TestRunKeepsGoing(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "etc")
	a, b, c, d := certIn(t, "CN=A", 10), certIn(t, "CN=B", 100), certIn(t, "CN=Hidden", 1), certIn(t, "CN=Store", 50)
	write(t, filepath.Join(tree, "a.pem"), a.CertPEM)
	write(t, filepath.Join(tree, "sub", "deeper", "b.pem"), b.CertPEM)
	write(t, filepath.Join(tree, "sub", "notes.txt"), []byte("nothing here\n"))
	write(t, filepath.Join(tree, ".hidden", "c.pem"), c.CertPEM)
	write(t, filepath.Join(tree, "damaged.pem"), []byte("-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"))
	symlink(t, "..", filepath.Join(tree, "sub", "up"))                       // a loop
	symlink(t, "sub/deeper/b.pem", filepath.Join(tree, "link-to-b.pem"))     // read once
	symlink(t, "deeper/b.pem", filepath.Join(tree, "sub", "3f2a9b1c.0"))     // a hash link
	symlink(t, filepath.Join(dir, "nowhere"), filepath.Join(tree, "broken")) // broken
	p12, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{d.Cert}, "right")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "store.p12"), p12)
	good := tlsServer(t, certIn(t, "CN=Endpoint", 20))
	dead := closedPort(t)

	rep, err := Run(context.Background(), []string{tree, filepath.Join(dir, "store.p12"), dead, good}, nil,
		Options{Now: now, Password: []byte("wrong"), HavePassword: true, Within: 15 * 24 * time.Hour, HaveWithin: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	want := []row{
		{filepath.Join(tree, "a.pem"), "CN=A"},
		{good, "CN=Endpoint"},
		{filepath.Join(tree, "sub", "deeper", "b.pem"), "CN=B"},
	}
	if diff := cmp.Diff(want, rows(rep)); diff != "" {
		t.Errorf("certificates (-want +got):\n%s", diff)
	}
	got := unreadable(rep)
	if len(got) != 3 || !strings.Contains(got[filepath.Join(tree, "damaged.pem")], "line") ||
		got[filepath.Join(dir, "store.p12")] != "the password given does not open this store" ||
		got[dead] != "connect: connection refused" {
		t.Errorf("unreadable: %q", got)
	}
	notes := strings.Join(rep.Notes, "\n")
	for _, want := range []string{"symbolic link loop", filepath.Join(tree, "broken") + ": broken symbolic link"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if rep.Expiring != 1 || !rep.Certs[0].Expiring || rep.Certs[0].DaysLeft != 10 || !rep.Failed() {
		t.Errorf("expiring %d, first %+v", rep.Expiring, rep.Certs[0])
	}
	if rep.Endpoints != 2 || rep.PassedOver != 1 {
		t.Errorf("endpoints %d, passed over %d", rep.Endpoints, rep.PassedOver)
	}
}

// TestRunOK: everything read, nothing in the window.
func TestRunOK(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.pem"), certIn(t, "CN=A", 100).CertPEM)
	rep, err := Run(context.Background(), []string{dir}, nil, Options{Now: now, Within: 60 * 24 * time.Hour, HaveWithin: true})
	if err != nil || rep.Failed() || rep.Summary("60d") != "" || len(rep.Certs) != 1 {
		t.Errorf("err %v, report %+v", err, rep)
	}
	rep, _ = Run(context.Background(), []string{dir}, nil, Options{Now: now, Within: 120 * 24 * time.Hour, HaveWithin: true})
	if !rep.Failed() || rep.Summary("120d") != "1 certificate(s) expire within 120d" {
		t.Errorf("summary %q", rep.Summary("120d"))
	}
}

// TestRunRefusesSpecialFiles: a FIFO named on the command line is bad
// input, refused before anything is read; inside a tree it is passed over.
func TestRunRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	if _, err := Run(context.Background(), []string{fifo}, nil, Options{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("FIFO argument: %v", err)
	}
	rep, err := Run(context.Background(), []string{dir}, nil, Options{})
	if err != nil || rep.Failed() {
		t.Errorf("FIFO in a tree: %v %+v", err, rep)
	}
}

// TestRunMissingFile: a path that does not exist is a source that cannot
// be read, not the end of the run.
func TestRunMissingFile(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.pem"), certIn(t, "CN=A", 100).CertPEM)
	missing := filepath.Join(dir, "missing.pem")
	rep, err := Run(context.Background(), []string{missing, filepath.Join(dir, "a.pem")}, nil, Options{Now: now})
	if err != nil || len(rep.Certs) != 1 || unreadable(rep)[missing] != "no such file or directory" {
		t.Errorf("%v %+v", err, rep)
	}
}

// TestRunStartTLS reads the chain of an SMTP server after STARTTLS, with
// the endpoint and its server name from a targets file's line.
func TestRunStartTLS(t *testing.T) {
	leaf := testpki.Leaf(t, "mail.example", testpki.Root(t, "CN=Mail Root"), "mail.example")
	cfg := &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if h.ServerName != "mail.example" {
			t.Errorf("SNI %q", h.ServerName)
		}
		return &tls.Certificate{Certificate: [][]byte{leaf.Cert.Raw}, PrivateKey: leaf.Key}, nil
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, ln, func(c net.Conn) { fakeSMTP(c, cfg) })
	targets, err := probe.ParseTargets(strings.NewReader("# mail\n\n" + addr + " mail.example\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), nil, targets, Options{Now: now, StartTLS: "smtp", Timeout: 5 * time.Second})
	if err != nil || len(rep.Certs) != 1 || rep.Certs[0].Subject != "CN=mail.example" || rep.Failed() {
		t.Errorf("%v %+v", err, rep)
	}
}

// fakeSMTP speaks just enough SMTP to offer STARTTLS (RFC 3207).
func fakeSMTP(c net.Conn, cfg *tls.Config) {
	r := bufio.NewReader(c)
	io.WriteString(c, "220 fake ESMTP\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case strings.HasPrefix(cmd, "EHLO"):
			io.WriteString(c, "250-fake\r\n250 STARTTLS\r\n")
		case cmd == "STARTTLS":
			io.WriteString(c, "220 go ahead\r\n")
			tc := tls.Server(c, cfg)
			if tc.Handshake() == nil {
				_, _ = io.Copy(io.Discard, tc)
			}
			return
		default:
			io.WriteString(c, "500 what\r\n")
		}
	}
}

// TestRunProgress: progress is reported from one goroutine, once per
// source, up to the total.
func TestRunProgress(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a", "b", "c"} {
		write(t, filepath.Join(dir, n+".pem"), certIn(t, "CN="+n, 100).CertPEM)
	}
	var seen []int
	_, err := Run(context.Background(), []string{dir, closedPort(t)}, nil, Options{Now: now, Progress: func(done, total int) {
		if total != 4 {
			t.Errorf("total %d", total)
		}
		seen = append(seen, done)
	}})
	if err != nil || !slices.Equal(seen, []int{1, 2, 3, 4}) {
		t.Errorf("%v %v", err, seen)
	}
}

// TestRunUnreadableDirectory: a subdirectory the walk may not read is a
// row with its reason, and the rest of the tree is still reported. Root
// reads every directory, so under root the test runs itself again as
// nobody.
func TestRunUnreadableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		testpki.RerunAsNobody(t)
		return
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.pem"), certIn(t, "CN=A", 100).CertPEM)
	write(t, filepath.Join(dir, "locked", "b.pem"), certIn(t, "CN=B", 100).CertPEM)
	locked := filepath.Join(dir, "locked")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	rep, err := Run(context.Background(), []string{dir}, nil, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]row{{filepath.Join(dir, "a.pem"), "CN=A"}}, rows(rep)); diff != "" {
		t.Errorf("certificates (-want +got):\n%s", diff)
	}
	if got := unreadable(rep); len(got) != 1 || got[locked] != "permission denied" || !rep.Failed() {
		t.Errorf("unreadable %q", got)
	}
}

// TestRunCADirectoryWithAFIFO: a directory that looks like a CA directory
// but holds a FIFO where ca.crt belongs is a source that cannot be read,
// not a run that waits for a writer for ever.
func TestRunCADirectoryWithAFIFO(t *testing.T) {
	dir := t.TempDir()
	cad := filepath.Join(dir, "sub")
	write(t, filepath.Join(cad, "ca.json"), []byte("{}\n"))
	write(t, filepath.Join(cad, "index.json"), []byte(`{"records":[],"crl_number":0}`+"\n"))
	write(t, filepath.Join(cad, "serial"), []byte("1000\n"))
	if err := mkfifo(filepath.Join(cad, "ca.crt")); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan *Report, 1)
	go func() {
		rep, _ := Run(context.Background(), []string{dir}, nil, Options{Now: now})
		done <- rep
	}()
	select {
	case rep := <-done:
		if !rep.Failed() || len(unreadable(rep)) != 1 {
			t.Errorf("the CA directory is not reported unreadable: %+v", rep)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("expiry still waits on the FIFO after 20 s")
	}
}
