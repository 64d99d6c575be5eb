package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustctl/trustctl/internal/cli"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/testpki"
)

// hostileInputs are what a hostile or unlucky user points trustctl at
// instead of a certificate, key or store. Each is made in dir; the value is
// the path to give (absolute for the devices).
func hostileInputs(t *testing.T, dir string) map[string]string {
	t.Helper()
	in := map[string]string{
		"fifo":         filepath.Join(dir, "fifo"),
		"/dev/zero":    "/dev/zero",
		"/dev/urandom": "/dev/urandom",
		"socket":       filepath.Join(dir, "socket"),
		"huge":         filepath.Join(dir, "huge.pem"),
		"truncated":    filepath.Join(dir, "truncated.p12"),
		"wrong-type":   filepath.Join(dir, "notes.txt"),
		"dangling":     filepath.Join(dir, "dangling.pem"),
		"loop":         filepath.Join(dir, "loop.pem"),
		"directory":    filepath.Join(dir, "subdir"),
	}
	if err := syscall.Mkfifo(in["fifo"], 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", in["socket"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f, err := os.Create(in["huge"])
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: over the 256 MiB limit without using the disk.
	if err := f.Truncate(safefile.MaxSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p12, err := os.ReadFile(filepath.Join(dir, "ts.p12"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(in["truncated"], p12[:len(p12)/2], 0o644)
	os.WriteFile(in["wrong-type"], []byte("These are the corporate CA certificates.\n"), 0o644)
	os.Symlink(filepath.Join(dir, "nothing-here"), in["dangling"])
	os.Symlink(in["loop"], in["loop"])
	os.Mkdir(in["directory"], 0o755)
	return in
}

// listing is a directory tree's names, kinds, modes and contents (a hash;
// size and time for the huge sparse file), to prove a failed command left
// it byte-identical and added nothing.
func listing(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		v := fi.Mode().String()
		switch {
		case fi.Mode().IsRegular() && fi.Size() > 1<<20:
			v += fmt.Sprintf(" %d %v", fi.Size(), fi.ModTime())
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			v += fmt.Sprintf(" %x", sha256.Sum256(b))
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			v += " -> " + target
		}
		m[strings.TrimPrefix(p, dir)] = v
		return nil
	})
	return m
}

type hostileCommand struct {
	name string
	args []string // IN stands for the hostile path
	// other is what the contract asks instead of a refusal for an input
	// that this command reads as something (expiry's unreadable rows,
	// show's empty directory).
	other map[string]outcome
	// skip names an input the contract lets this command take as it is,
	// with nothing more to assert, or whose refusal needs a change in a
	// file this test does not cover.
	skip map[string]string
}

// outcome is a command's answer to an input it does not refuse: its exit
// code, and what its output says (a regular expression).
type outcome struct {
	code   int
	stdout string
}

// The commands that read a file a user names, each with the hostile path
// in one place.
var hostileCommands = []hostileCommand{
	{name: "import", args: []string{"import", "ts.jks", "IN", "--password", "pw"}},
	{name: "show", args: []string{"show", "IN"}, other: map[string]outcome{
		// An empty directory holds nothing to show: a warning, exit 0,
		// as certigo dump and openssl storeutl answer.
		"directory": {0, `^$`},
	}},
	{name: "list", args: []string{"list", "IN", "--password", "pw"}},
	// expiry reports what cannot be read as rows of their own (exit 1) and
	// passes over files without certificates; only a path that is no file
	// or directory at all (a FIFO, a device, a socket) is bad usage.
	{name: "expiry", args: []string{"expiry", "IN"}, other: map[string]outcome{
		"huge":       {1, `unreadable +larger than 64 MiB, more than any certificate store holds +\S*huge.pem`},
		"dangling":   {1, `unreadable +a symbolic link to \S*nothing-here, which does not exist +\S*dangling.pem`},
		"loop":       {1, `unreadable +too many levels of symbolic links +\S*loop.pem`},
		"truncated":  {1, `unreadable +not a valid PKCS#12 file: .* +\S*truncated.p12`},
		"wrong-type": {0, `^no certificates found\n$`},
		"directory":  {0, `^no certificates found\n$`},
	}},
	{name: "diff", args: []string{"diff", "ts.jks", "IN", "--password", "pw", "--source-password", "pw"}},
	{name: "key-match-key", args: []string{"key", "match", "IN", "root.crt"}},
	{name: "csr-key", args: []string{"csr", "--key", "IN", "--subject", "CN=x", "--out", "x.csr"}},
	{name: "key-match-cert", args: []string{"key", "match", "root.key", "IN"}},
	{name: "verify", args: []string{"verify", "IN", "--roots", "root.crt"}},
	{name: "verify-roots", args: []string{"verify", "leaf.crt", "--roots", "IN"}},
	{name: "verify-intermediates", args: []string{"verify", "leaf.crt", "--roots", "root.crt", "--intermediates", "IN"}, other: map[string]outcome{
		// An empty directory of intermediates is no intermediates.
		"directory": {0, `valid`},
	}},
	{name: "verify-crl", args: []string{"verify", "leaf.crt", "--roots", "root.crt", "--crl", "IN"}},
	{name: "convert", args: []string{"convert", "IN", "out.p12", "--password", "pw"}},
	{name: "sync", args: []string{"sync", "ts.jks", "IN", "--password", "pw"}},
	{name: "export", args: []string{"export", "IN", "--out", "out.pem", "--password", "pw"}},
	{name: "keystore-build-key", args: []string{"keystore", "build", "--key", "IN", "--cert", "leaf.crt", "--chain", "root.crt", "--out", "ks.p12", "--password", "pw"}},
	{name: "keystore-build-cert", args: []string{"keystore", "build", "--key", "leaf.key", "--cert", "IN", "--chain", "root.crt", "--out", "ks.p12", "--password", "pw"}},
	{name: "keystore-build-chain", args: []string{"keystore", "build", "--key", "leaf.key", "--cert", "leaf.crt", "--chain", "IN", "--out", "ks.p12", "--password", "pw"}},
	{name: "keystore-extract", args: []string{"keystore", "extract", "IN", "--out-dir", "out", "--password", "pw"}},
	{name: "password-file", args: []string{"list", "ts.jks", "--password-file", "IN"}},
	{name: "key-convert", args: []string{"key", "convert", "IN", "--out", "out.key"}},
	{name: "ca-init-from-key", args: []string{"ca", "init", "new.ca", "--from-key", "IN", "--from-cert", "root.crt"}},
	{name: "ca-init-from-cert", args: []string{"ca", "init", "new.ca", "--from-key", "root.key", "--from-cert", "IN"}},
	{name: "ca-sign-csr", args: []string{"ca", "sign", "my.ca", "IN", "--out", "out.crt"}},
	{name: "expiry-targets-file", args: []string{"expiry", "--targets-file", "IN"}},
	{name: "probe-targets-file", args: []string{"probe", "--targets-file", "IN"}},
	{name: "probe-client-cert", args: []string{"probe", "127.0.0.1:1", "--client-cert", "IN", "--password", "pw"}},
}

// runHostile runs trustctl in-process in dir, failing the test if it does
// not return: a command that opened a FIFO would wait for ever.
func runHostile(t *testing.T, dir string, stdin io.Reader, args []string) (stdout, stderr string, code int) {
	t.Helper()
	type result struct {
		stdout, stderr string
		code           int
	}
	done := make(chan result, 1)
	go func() {
		var outb, errb bytes.Buffer
		code := cli.Run(append([]string{"trustctl"}, args...), &cli.Env{Stdin: stdin, Stdout: &outb, Stderr: &errb, Getenv: os.Getenv})
		done <- result{outb.String(), errb.String(), code}
	}()
	select {
	case r := <-done:
		return r.stdout, r.stderr, r.code
	case <-time.After(time.Minute):
		t.Fatalf("trustctl %s did not return in a minute: it waits on its input", strings.Join(args, " "))
		return "", "", 0
	}
}

// checkRefused asserts the contract for input that cannot be read: exit
// 2, exactly one error line (hints and warnings allowed) with no system
// call or decoder internals in it.
func checkRefused(t *testing.T, stderr string, code int) {
	t.Helper()
	if code != 2 {
		t.Errorf("exit %d, want 2\n%s", code, stderr)
	}
	checkStderr(t, stderr, 1)
}

// checkStderr asserts that stderr holds errors error lines, with no system
// call or decoder internals in them, and otherwise only hints, warnings
// and notes.
func checkStderr(t *testing.T, stderr string, errors int) {
	t.Helper()
	n := 0
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		switch {
		case line == "" && stderr == "":
		case strings.HasPrefix(line, "trustctl: error: "):
			n++
			for _, internal := range []string{"stat ", "open ", "read ", "lstat ", "readlink ", "asn1:", "x509: "} {
				if strings.Contains(line, internal) {
					t.Errorf("the error carries Go internals (%q): %s", internal, line)
				}
			}
		case strings.HasPrefix(line, "trustctl: hint: "), strings.HasPrefix(line, "trustctl: warning: "), strings.HasPrefix(line, "trustctl: note: "):
		default:
			t.Errorf("unexpected stderr line %q", line)
		}
	}
	if n != errors {
		t.Errorf("%d error lines, want %d:\n%s", n, errors, stderr)
	}
}

// TestHostileInputsAreRefused points every command that reads a file at
// each hostile input: every one exits 2 with one clear error line, and
// leaves the directory byte-identical with no file added.
func TestHostileInputsAreRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("FIFOs, sockets and /dev are Unix")
	}
	dir := t.TempDir()
	root := testpki.Root(t, "CN=Hostile Root")
	leaf := testpki.Leaf(t, "www.example.com", root, "www.example.com")
	rootPath, _ := root.Write(t, dir, "root")
	leaf.Write(t, dir, "leaf")
	mustRun(t, "import", filepath.Join(dir, "ts.jks"), rootPath, "--password", "pw")
	mustRun(t, "import", filepath.Join(dir, "ts.p12"), rootPath, "--password", "pw")
	mustRun(t, "ca", "init", filepath.Join(dir, "my.ca"), "--subject", "CN=Hostile CA")
	inputs := hostileInputs(t, dir)
	names := make([]string, 0, len(inputs))
	for n := range inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	before := listing(t, dir)
	for _, hc := range hostileCommands {
		for _, n := range names {
			t.Run(hc.name+"/"+strings.TrimPrefix(n, "/dev/"), func(t *testing.T) {
				if why, ok := hc.skip[n]; ok {
					t.Skip(why)
				}
				args := make([]string, len(hc.args))
				for i, a := range hc.args {
					switch {
					case a == "IN":
						a = inputs[n]
					case !strings.HasPrefix(a, "-") && strings.ContainsAny(a, "."):
						a = filepath.Join(dir, a)
					}
					args[i] = a
				}
				stdout, stderr, code := runHostile(t, dir, nil, args)
				if want, ok := hc.other[n]; ok {
					if code != want.code {
						t.Errorf("exit %d, want %d\n%s%s", code, want.code, stdout, stderr)
					}
					if !regexp.MustCompile(want.stdout).MatchString(stdout) {
						t.Errorf("stdout does not match %q:\n%s", want.stdout, stdout)
					}
					checkStderr(t, stderr, min(want.code, 1))
				} else {
					checkRefused(t, stderr, code)
				}
				if diff := cmp.Diff(before, listing(t, dir)); diff != "" {
					t.Errorf("the directory changed:\n%s", diff)
				}
			})
		}
	}
}

// TestHostilePasswordsAndStores: a wrong password, a store where a
// certificate is wanted and more than 256 MiB on standard input.
func TestHostilePasswordsAndStores(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Root(t, "CN=Hostile Root")
	leaf := testpki.Leaf(t, "www.example.com", root, "www.example.com")
	rootPath, _ := root.Write(t, dir, "root")
	leaf.Write(t, dir, "leaf")
	os.WriteFile(filepath.Join(dir, "root.cer"), root.Cert.Raw, 0o644)
	for _, s := range []string{"ts.jks", "ts.p12"} {
		mustRun(t, "import", filepath.Join(dir, s), rootPath, "--password", "pw")
	}
	at := func(args ...string) []string {
		for i, a := range args {
			if !strings.HasPrefix(a, "-") && strings.Contains(a, ".") {
				args[i] = filepath.Join(dir, a)
			}
		}
		return args
	}
	rows := []struct {
		name  string
		args  []string
		stdin io.Reader
	}{
		{"import wrong password", at("import", "ts.p12", "leaf.crt", "--allow-leaf", "--password", "nope"), nil},
		{"import jks wrong password", at("import", "ts.jks", "leaf.crt", "--allow-leaf", "--password", "nope"), nil},
		{"list wrong password", at("list", "ts.p12", "--password", "nope"), nil},
		{"diff wrong source password", at("diff", "ts.jks", "ts.p12", "--password", "pw", "--source-password", "nope"), nil},
		{"convert wrong password", at("convert", "ts.p12", "out.jks", "--password", "nope"), nil},
		{"sync wrong password", at("sync", "ts.p12", "root.crt", "--password", "nope"), nil},
		{"passwd wrong password", at("passwd", "ts.p12", "--password", "nope", "--new-password", "x"), nil},
		{"delete wrong password", at("delete", "ts.jks", "root", "--password", "nope"), nil},
		{"verify roots wrong password", at("verify", "leaf.crt", "--roots", "ts.p12", "--source-password", "nope"), nil},
		{"keystore build chain wrong password", at("keystore", "build", "--key", "leaf.key", "--cert", "leaf.crt", "--chain", "ts.p12", "--source-password", "nope", "--out", "ks.p12", "--password", "pw"), nil},
		{"import a key", at("import", "ts.jks", "leaf.key", "--password", "pw"), nil},
		{"list a DER certificate", at("list", "root.cer"), nil},
		{"import stdin over 256 MiB", at("import", "ts.jks", "-", "--password", "pw"), io.LimitReader(zeros{}, safefile.MaxSize+1)},
		{"import stdin of junk", at("import", "ts.jks", "-", "--password", "pw"), strings.NewReader("junk")},
	}
	before := listing(t, dir)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			if strings.Contains(r.name, "256 MiB") && (testing.Short() || raceEnabled()) {
				t.Skip("reads 256 MiB, which takes long with -short or -race")
			}
			_, stderr, code := runHostile(t, dir, r.stdin, r.args)
			checkRefused(t, stderr, code)
			if diff := cmp.Diff(before, listing(t, dir)); diff != "" {
				t.Errorf("the directory changed:\n%s", diff)
			}
		})
	}
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
