package main

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/trustctl/trustctl/internal/testpki"
)

func TestMain(m *testing.M) {
	// The crash and concurrency tests run this test binary as trustctl
	// in child processes, which they can kill.
	if os.Getenv("TRUSTCTL_TEST_AS_MAIN") == "1" {
		main()
	}
	testscript.Main(m, map[string]func(){
		"trustctl": main,
	})
}

// quickExitGORACE is the GORACE value for a trustctl this test binary
// runs as a child process: built with -race, a program sleeps a second as
// it exits (the race runtime's atexit_sleep_ms default, time for other
// goroutines' reports), which over hundreds of runs is minutes of sleep.
// Whatever GORACE already says is kept.
func quickExitGORACE() string {
	return strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
}

// TestScripts runs every testdata/script/*.txtar: one behaviour each, with
// stdout, stderr and the exit code asserted. Conditions [exec:keytool],
// [exec:openssl] and [exec:java] skip what needs a missing tool.
//
// Script commands beyond testscript's own:
//
//	pki root NAME [SUBJECT]            NAME.crt and NAME.key, a self-signed CA
//	pki inter NAME ISSUER [SUBJECT]    a CA signed by ISSUER.crt/ISSUER.key
//	pki leaf NAME ISSUER [DNS...]      a TLS server+client certificate
//	exits N [<FILE] PROG [ARGS...]     runs PROG (FILE on its stdin) and fails unless it exits N
//	refused                            NAME.der and NAME.pem of certificates crypto/x509 refuses
//	freeport VAR                       sets VAR to a 127.0.0.1 port the kernel picked, free now
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("GORACE", quickExitGORACE())
			if jh := os.Getenv("JAVA_HOME"); jh != "" {
				e.Setenv("JAVA_HOME", jh)
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "keytool", "openssl", "java":
				_, err := exec.LookPath(cond)
				return err == nil, nil
			case "root":
				return os.Geteuid() == 0, nil
			}
			return false, errors.New("unknown condition " + cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"pki":      cmdPKI,
			"exits":    cmdExits,
			"refused":  cmdRefused,
			"ready":    cmdReady,
			"freeport": cmdFreePort,
		},
	})
}

func cmdPKI(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: pki root|inter|leaf NAME [ISSUER] [...]")
	}
	kind, name := args[0], args[1]
	var (
		tmpl   testpki.Template
		issuer *testpki.Cert
	)
	switch kind {
	case "root":
		tmpl = testpki.Template{Subject: name, IsCA: true, MaxPathLen: -1}
		if len(args) > 2 {
			tmpl.Subject = args[2]
		}
	case "inter":
		if len(args) < 3 {
			ts.Fatalf("usage: pki inter NAME ISSUER [SUBJECT]")
		}
		issuer = loadPKI(ts, args[2])
		tmpl = testpki.Template{Subject: name, IsCA: true, MaxPathLen: -1}
		if len(args) > 3 {
			tmpl.Subject = args[3]
		}
	case "leaf":
		if len(args) < 3 {
			ts.Fatalf("usage: pki leaf NAME ISSUER [DNS...]")
		}
		issuer = loadPKI(ts, args[2])
		tmpl = testpki.Template{Subject: name, DNS: args[3:],
			EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
		if len(args) > 3 {
			tmpl.Subject = args[3]
		}
	default:
		ts.Fatalf("pki: unknown kind %q", kind)
	}
	c, err := testpki.Issue(tmpl, issuer)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(name+".crt"), c.CertPEM, 0o644))
	ts.Check(os.WriteFile(ts.MkAbs(name+".key"), c.KeyPEM, 0o600))
}

func loadPKI(ts *testscript.TestScript, name string) *testpki.Cert {
	certPEM, err := os.ReadFile(ts.MkAbs(name + ".crt"))
	ts.Check(err)
	keyPEM, err := os.ReadFile(ts.MkAbs(name + ".key"))
	ts.Check(err)
	b, _ := pem.Decode(certPEM)
	c, err := x509.ParseCertificate(b.Bytes)
	ts.Check(err)
	kb, _ := pem.Decode(keyPEM)
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	ts.Check(err)
	return &testpki.Cert{Cert: c, Key: k.(crypto.Signer), CertPEM: certPEM, KeyPEM: keyPEM}
}

// cmdExits runs a program like exec does and checks its exact exit code,
// which exec cannot: the contract tells 1 (a check failed) from 2 (bad
// input, nothing written). "<FILE" before PROG feeds FILE on its standard
// input, as the stdin command does for exec.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N [<FILE] PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	var stdin string
	if strings.HasPrefix(args[1], "<") {
		stdin, args = strings.TrimPrefix(args[1], "<"), append(args[:1:1], args[2:]...)
		if len(args) < 2 {
			ts.Fatalf("usage: exits N [<FILE] PROG [ARGS...]")
		}
	}
	prog := args[1]
	if !strings.Contains(prog, "/") {
		for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
			if p := filepath.Join(dir, prog); isExecutable(p) {
				prog = p
				break
			}
		}
	}
	cmd := exec.Command(prog, args[2:]...)
	cmd.Dir = ts.MkAbs(".")
	env := os.Environ()
	for _, k := range []string{"PATH", "HOME", "WORK", "TMPDIR", "JAVA_HOME", "GORACE"} {
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, scriptEnv(ts)...)
	cmd.Env = env
	cmd.Stdout = ts.Stdout()
	cmd.Stderr = ts.Stderr()
	if stdin != "" {
		f, err := os.Open(ts.MkAbs(stdin))
		ts.Check(err)
		defer f.Close()
		cmd.Stdin = f
	}
	err = cmd.Run()
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// scriptEnv passes the variables scripts set for trustctl (passwords for
// the --*-env flags) on to programs run with exits.
func scriptEnv(ts *testscript.TestScript) []string {
	var out []string
	for _, k := range strings.Fields(ts.Getenv("EXPORT")) {
		out = append(out, k+"="+ts.Getenv(k))
	}
	return out
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// cmdFreePort sets a variable to a port on 127.0.0.1 that the kernel
// picked and that is free now, for a server a script starts later whose
// address must be known first (an OCSP URL the CA writes into the
// certificates it signs).
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := l.Addr().(*net.TCPAddr).Port
	ts.Check(l.Close())
	ts.Setenv(args[0], strconv.Itoa(port))
}

// cmdReady waits until something accepts TCP connections on ADDR (a
// server started in the background), for at most a minute: readiness is
// waited for, not slept on.
func cmdReady(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: ready HOST:PORT")
	}
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := net.DialTimeout("tcp", args[0], time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("nothing listens on %s: %v", args[0], err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
