//go:build unix

package testpki

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// PostgresBin is where Debian's PostgreSQL 15 server programs live.
const PostgresBin = "/usr/lib/postgresql/15/bin"

// Postgres is a PostgreSQL server started for one test, with TLS.
type Postgres struct {
	// Addr is 127.0.0.1:PORT.
	Addr string
}

// StartPostgres starts PostgreSQL on 127.0.0.1 with ssl on, the server
// certificate and key in certFile and keyFile, and, when caFile is set,
// "hostssl ... cert" so that clients must present a certificate signed
// by it. It skips the test when PostgreSQL is not installed or with
// -short, and stops the server (fast shutdown) when the test ends. The
// files are copied, so that the server's account may read them.
// It returns once the server says it accepts connections.
func StartPostgres(tb testing.TB, certFile, keyFile, caFile string) *Postgres {
	tb.Helper()
	if testing.Short() {
		tb.Skip("initdb and a server start take seconds; skipped with -short")
	}
	for _, b := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(PostgresBin, b)); err != nil {
			tb.Skipf("PostgreSQL 15 not installed (%s missing)", b)
		}
	}
	cred := postgresUser(tb)
	dir, err := os.MkdirTemp("", "trustctl-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	own := func(p string) {
		if cred != nil {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				tb.Fatal(err)
			}
		}
	}
	own(dir)
	copyTo := func(from, name string) string {
		data, err := os.ReadFile(from)
		if err != nil {
			tb.Fatal(err)
		}
		to := filepath.Join(dir, name)
		if err := os.WriteFile(to, data, 0o600); err != nil {
			tb.Fatal(err)
		}
		own(to)
		return to
	}
	data := filepath.Join(dir, "data")
	if out, err := pgCommand(cred, "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "--locale=C", "-E", "UTF8").CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\nfsync = off\n",
		port, dir, copyTo(certFile, "server.crt"), copyTo(keyFile, "server.key"))
	hba := "local all all trust\nhostssl all all 127.0.0.1/32 trust\n"
	if caFile != "" {
		conf += fmt.Sprintf("ssl_ca_file = '%s'\n", copyTo(caFile, "root.crt"))
		hba = "local all all trust\nhostssl all all 127.0.0.1/32 cert\n"
	}
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = f.WriteString(conf)
	f.Close()
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		tb.Fatal(err)
	}
	own(filepath.Join(data, "pg_hba.conf"))

	cmd := pgCommand(cred, "postgres", "-D", data)
	log := &pgLog{ready: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
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
		if tb.Failed() {
			tb.Logf("postgres log:\n%s", log.String())
		}
	})
	select {
	case <-log.ready:
	case <-time.After(30 * time.Second):
		tb.Fatalf("PostgreSQL did not get ready in 30s:\n%s", log.String())
	}
	return &Postgres{Addr: "127.0.0.1:" + port}
}

// pgLog collects the server's log and closes ready when it says it
// accepts connections.
type pgLog struct {
	mu    sync.Mutex
	b     strings.Builder
	ready chan struct{}
	done  bool
}

func (l *pgLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	if !l.done && strings.Contains(l.b.String(), "ready to accept connections") {
		l.done = true
		close(l.ready)
	}
	return len(p), nil
}

func (l *pgLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// postgresUser is who runs PostgreSQL: it refuses to run as root, so a
// test run as root uses the postgres (or nobody) account.
func postgresUser(tb testing.TB) *syscall.Credential {
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
	tb.Skip("running as root and no postgres or nobody account to run PostgreSQL as")
	return nil
}

func pgCommand(cred *syscall.Credential, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(PostgresBin, name), args...)
	cmd.Env = []string{"LANG=C", "LC_ALL=C", "PATH=/usr/bin:/bin"}
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	return cmd
}
