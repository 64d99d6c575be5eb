package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDocs runs every ```sh block of README.md and docs/*.md as a reader
// would paste it, so that an example that no longer works fails the tests.
// Each "## " section runs in an empty directory of its own, its blocks in
// order, under bash -euo pipefail (what a block exports, and its umask,
// carry on to the next), with trustctl (this test binary) first on PATH
// and the real keytool, openssl, java and psql. A block is skipped
// only when a tool it runs is not installed (and the test says which), or
// deliberately, when the line before it is
//
//	<!-- norun: why it cannot run here -->
//
// A block after <!-- postgres: ... role NAME --> runs against a PostgreSQL
// server started with the section's server.crt, server.key and root.crt,
// which asks client certificates for hostssl logins (role NAME is
// created); PGHOSTADDR and PGPORT point at it. Each block also gets a free
// port in $PORT for servers it starts itself; what it leaves running is
// ended when it is done.
func TestDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("the recipes run keytool, java and a PostgreSQL server; skipped with -short")
	}
	files, _ := filepath.Glob("../../docs/*.md")
	files = append([]string{"../../README.md"}, files...)
	bin := trustctlOnPath(t)
	var ran, skipped, total int
	for _, f := range files {
		sections, err := parseDoc(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range sections {
			if len(sec.blocks) == 0 {
				continue
			}
			t.Run(filepath.Base(f)+"/"+sec.title, func(t *testing.T) {
				dir := t.TempDir()
				state := filepath.Join(t.TempDir(), "state")
				for _, b := range sec.blocks {
					total++
					where := fmt.Sprintf("%s:%d", filepath.Base(f), b.line)
					if reason := b.skipReason(); reason != "" {
						skipped++
						t.Logf("%s: not run: %s", where, reason)
						continue
					}
					env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
					if b.postgres != "" {
						pgEnv, reason := startPostgres(t, dir, b.postgres)
						if reason != "" {
							skipped++
							t.Logf("%s: not run: %s", where, reason)
							continue
						}
						env = append(env, pgEnv...)
					}
					ran++
					if out, err := runBlock(dir, state, b.code, env); err != nil {
						t.Fatalf("%s: %v\n--- block:\n%s\n--- output:\n%s", where, err, b.code, out)
					}
				}
			})
		}
	}
	t.Logf("%d of %d sh blocks ran, %d not run", ran, total, skipped)
	if ran == 0 {
		t.Error("no block ran")
	}
}

type docSection struct {
	title  string
	blocks []docBlock
}

type docBlock struct {
	line     int
	code     string
	norun    string // the reason given with <!-- norun: ... -->
	postgres string // the text of <!-- postgres: ... -->
}

var markerRE = regexp.MustCompile(`^<!--\s*(norun|postgres):\s*(.*?)\s*-->$`)

// parseDoc returns the ```sh blocks of a Markdown file by "## " section
// (a "# " title starts one too).
func parseDoc(path string) ([]docSection, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var (
		out    []docSection
		marker []string
		inCode bool
		isSh   bool
		block  docBlock
		code   strings.Builder
	)
	out = append(out, docSection{title: "top"})
	for i, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if inCode {
			if trimmed == "```" {
				inCode = false
				if isSh {
					block.code = code.String()
					out[len(out)-1].blocks = append(out[len(out)-1].blocks, block)
				}
				continue
			}
			code.WriteString(line + "\n")
			continue
		}
		switch {
		case strings.HasPrefix(trimmed, "```"):
			inCode, isSh = true, strings.TrimPrefix(trimmed, "```") == "sh"
			block, code = docBlock{line: i + 1}, strings.Builder{}
			if marker != nil {
				switch marker[1] {
				case "norun":
					block.norun = marker[2]
				case "postgres":
					block.postgres = marker[2]
				}
			}
		case strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "## "):
			out = append(out, docSection{title: strings.TrimLeft(line, "# ")})
		}
		if trimmed != "" {
			marker = markerRE.FindStringSubmatch(trimmed)
		}
	}
	if inCode {
		return nil, fmt.Errorf("%s: a code block is not closed", path)
	}
	return out, nil
}

// docTools are the programs a block may need besides bash and trustctl.
var docTools = []string{"keytool", "openssl", "java", "psql"}

// skipReason says why a block is not run, or "" to run it.
func (b docBlock) skipReason() string {
	if b.norun != "" {
		return b.norun
	}
	words := strings.FieldsFunc(b.code, func(r rune) bool {
		return strings.ContainsRune(" \t\n;|&()\"'`$", r)
	})
	for _, tool := range docTools {
		for _, w := range words {
			if w == tool {
				if _, err := exec.LookPath(tool); err != nil {
					return "needs " + tool + ", which is not installed"
				}
				break
			}
		}
	}
	return ""
}

// runBlock runs code with bash in dir. The variables it exports and its
// umask are kept in the file state for the next block of the section, as
// one shell a reader pastes into would keep them. What the block leaves
// running in the background is killed when it ends.
func runBlock(dir, state, code string, extraEnv []string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	prologue := fmt.Sprintf(`if [ -f %[1]q ]; then . %[1]q; fi
trap '{ export -p | grep -v "^declare -[a-z]*r"; echo "umask $(umask)"; } > %[1]q' EXIT
`, state)
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", prologue+code)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "LC_ALL=C", "PORT="+freeTCPPort())
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A server left running may hold the output pipe open.
	cmd.WaitDelay = 2 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Start()
	if err == nil {
		err = cmd.Wait()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	return out.Bytes(), err
}

// trustctlOnPath returns a directory holding a "trustctl" that runs this
// test binary as trustctl (see TestMain).
func trustctlOnPath(t *testing.T) string {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\nGORACE=%q TRUSTCTL_TEST_AS_MAIN=1 exec %q \"$@\"\n", quickExitGORACE(), self)
	if err := os.WriteFile(filepath.Join(dir, "trustctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// freeTCPPort returns a port on 127.0.0.1 the kernel just handed out,
// for a server a block starts (the block waits until it answers).
func freeTCPPort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "2560"
	}
	defer l.Close()
	_, port, _ := strings.Cut(l.Addr().String(), ":")
	return port
}

var roleRE = regexp.MustCompile(`\brole (\w+)`)

// startPostgres starts a PostgreSQL server for one block with the TLS
// files of dir, and returns the environment that points psql at it, or
// why it cannot run here. The server is stopped when the test ends.
func startPostgres(t *testing.T, dir, marker string) (env []string, skip string) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(bins) == 0 {
		return nil, "needs PostgreSQL, which is not installed"
	}
	pgBin := filepath.Dir(bins[len(bins)-1])
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, "runs as root and there is no postgres account to run PostgreSQL as"
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	pg := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(pgBin, name), args...)
		cmd.Env = []string{"LANG=C", "LC_ALL=C", "PATH=/usr/bin:/bin"}
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		return cmd
	}
	pgDir, err := os.MkdirTemp("", "trustctl-docs-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(pgDir) })
	own := func(p string) {
		if cred != nil {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				t.Fatal(err)
			}
		}
	}
	own(pgDir)
	data := filepath.Join(pgDir, "data")
	if out, err := pg("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "--locale=C", "-E", "UTF8").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	for _, f := range []string{"server.crt", "server.key", "root.crt"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("the block before the postgres one must make %s: %v", f, err)
		}
		p := filepath.Join(pgDir, f)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		own(p)
	}
	port := freeTCPPort()
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\n"+
		"ssl = on\nssl_cert_file = '%s/server.crt'\nssl_key_file = '%s/server.key'\nssl_ca_file = '%s/root.crt'\nfsync = off\n",
		port, pgDir, pgDir, pgDir, pgDir)
	if err := appendTo(filepath.Join(data, "postgresql.conf"), conf); err != nil {
		t.Fatal(err)
	}
	hba := filepath.Join(data, "pg_hba.conf")
	if err := os.WriteFile(hba, []byte("local all all trust\nhostssl all all 127.0.0.1/32 cert\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	own(hba)

	cmd := pg("postgres", "-D", data)
	logs, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	ready := make(chan bool, 1)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "ready to accept connections") {
				select {
				case ready <- true:
				default:
				}
			}
		}
		close(ready)
		_, _ = io.Copy(io.Discard, logs)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT) // PostgreSQL's fast shutdown
		select {
		case <-drained:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-drained
		}
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("postgres log:\n%s", log.String())
		}
	})
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("postgres stopped:\n%s", log.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("postgres not ready after a minute:\n%s", log.String())
	}
	if m := roleRE.FindStringSubmatch(marker); m != nil {
		if out, err := pg("psql", "-h", pgDir, "-p", port, "-U", "postgres", "-d", "postgres",
			"-c", "create role "+m[1]+" login").CombinedOutput(); err != nil {
			t.Fatalf("creating role %s: %v\n%s", m[1], err, out)
		}
	}
	return []string{"PGHOSTADDR=127.0.0.1", "PGPORT=" + port}, ""
}

func appendTo(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// TestParseDoc: blocks are found by section, with their markers; other
// fences (ini, plain) are not run.
func TestParseDoc(t *testing.T) {
	md := "# T\n```sh\necho top\n```\n## One\n<!-- norun: needs root -->\n```sh\nsudo x\n```\n" +
		"```ini\nssl = on\n```\n## Two\n<!-- postgres: role db_user -->\n\n```sh\npsql -c 1\n```\n```\nplain\n```\n"
	p := filepath.Join(t.TempDir(), "x.md")
	if err := os.WriteFile(p, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	secs, err := parseDoc(p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range secs {
		for _, b := range s.blocks {
			got = append(got, fmt.Sprintf("%s:%d:%q:norun=%q:pg=%q", s.title, b.line, b.code, b.norun, b.postgres))
		}
	}
	want := []string{
		`T:2:"echo top\n":norun="":pg=""`,
		`One:7:"sudo x\n":norun="needs root":pg=""`,
		`Two:16:"psql -c 1\n":norun="":pg="role db_user"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("blocks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := parseDoc(writeTemp(t, "```sh\nopen\n")); err == nil {
		t.Error("an unclosed block is not reported")
	}
}

func writeTemp(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "y.md")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
