package probe

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/testpki"
)

const pgBin = "/usr/lib/postgresql/15/bin"

// pgUser is who runs PostgreSQL: it refuses to run as root, so a test run
// as root uses the postgres (or nobody) account.
func pgUser(t *testing.T) *syscall.Credential {
	if os.Geteuid() != 0 {
		return nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	t.Skip("running as root and no postgres or nobody account to run PostgreSQL as")
	return nil
}

func pgCommand(cred *syscall.Credential, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(pgBin, name), args...)
	cmd.Env = []string{"LANG=C", "LC_ALL=C", "PATH=/usr/bin:/bin"}
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	return cmd
}

// TestPostgresClientCertificates is seed 000: PostgreSQL with ssl on and
// "hostssl ... cert" asks for client certificates signed by its root.crt.
func TestPostgresClientCertificates(t *testing.T) {
	if testing.Short() {
		t.Skip("initdb and a server start take seconds; skipped with -short")
	}
	for _, b := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(pgBin, b)); err != nil {
			t.Skipf("PostgreSQL 15 not installed (%s missing)", b)
		}
	}
	cred := pgUser(t)
	dir, err := os.MkdirTemp("", "trustctl-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	chown := func(p string) {
		if cred != nil {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				t.Fatal(err)
			}
		}
	}
	chown(dir)
	data := filepath.Join(dir, "data")
	if out, err := pgCommand(cred, "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "--locale=C", "-E", "UTF8").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}

	p := testPKI(t)
	server := testpki.Leaf(t, "db.example", p.inter, "db.example")
	clientCA := testpki.Root(t, "CN=Acme DB Clients")
	client := testpki.Leaf(t, "postgres", clientCA)
	srvCrt, srvKey := server.Write(t, dir, "server")
	caCrt, _ := clientCA.Write(t, dir, "root")
	for _, f := range []string{srvCrt, srvKey, caCrt} {
		chown(f)
	}
	port := freePort(t)
	conf := fmt.Sprintf(`
listen_addresses = '127.0.0.1'
port = %s
unix_socket_directories = '%s'
ssl = on
ssl_cert_file = '%s'
ssl_key_file = '%s'
ssl_ca_file = '%s'
fsync = off
`, port, dir, srvCrt, srvKey, caCrt)
	appendFile(t, filepath.Join(data, "postgresql.conf"), conf)
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte("local all all trust\nhostssl all all 127.0.0.1/32 cert\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	chown(filepath.Join(data, "pg_hba.conf"))

	cmd := pgCommand(cred, "postgres", "-D", data)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// SIGINT is PostgreSQL's fast shutdown.
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("postgres log:\n%s", log.String())
		}
	})

	tg, _ := ParseTarget("127.0.0.1:" + port)
	opts := Options{StartTLS: "postgres", ServerName: "db.example", Timeout: 2 * time.Second}
	var r *Result
	deadline := time.Now().Add(15 * time.Second)
	for {
		r, err = Probe(context.Background(), tg, opts)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("postgres never answered: %v", err)
	}
	if r.Leaf().CommonName() != "db.example" || !r.NameMatch {
		t.Errorf("leaf %s match %v", r.Leaf().CommonName(), r.NameMatch)
	}
	ca := r.ClientAuth
	if !ca.Requested || strings.Join(ca.AcceptedCAs, ";") != "CN=Acme DB Clients" || ca.Sent {
		t.Errorf("without a client certificate: %+v", ca)
	}
	cc := tlsCert(t, client)
	opts.ClientCert = &cc
	r, err = Probe(context.Background(), tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !r.ClientAuth.Sent || !r.ClientAuth.Accepted || r.HandshakeErr != nil {
		t.Errorf("with a client certificate: %+v %v", r.ClientAuth, r.HandshakeErr)
	}
}

func appendFile(t *testing.T, path, text string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
