package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/testpki"
)

// listStore writes a PEM truststore with a long-named root, one that
// expired and one that expires within 30 days of testpki.Now.
func listStore(t *testing.T) string {
	t.Helper()
	long := testpki.New(t, testpki.Template{IsCA: true, MaxPathLen: -1,
		Subject: "CN=Acme Corporation Global Root Certification Authority G2,OU=Certification Services Division,O=Acme Corporation,L=Springfield,ST=Oregon,C=US"}, nil)
	expired := testpki.New(t, testpki.Template{Subject: "CN=Old Expired Root", IsCA: true, MaxPathLen: -1,
		NotBefore: testpki.Now.AddDate(-10, 0, 0), NotAfter: testpki.Now.AddDate(0, 0, -3)}, nil)
	soon := testpki.New(t, testpki.Template{Subject: "CN=Nearly Done Root", IsCA: true, MaxPathLen: -1,
		NotBefore: testpki.Now.AddDate(-10, 0, 0), NotAfter: testpki.Now.AddDate(0, 0, 12)}, nil)
	path := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(path, testpki.Bundle(long, expired, soon), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runAt runs trustctl in-process at testpki.Now and returns its stdout.
func runAt(t *testing.T, env *Env, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	env.Stdout, env.Stderr = &out, &errOut
	env.Now = func() time.Time { return testpki.Now }
	if code := Run(append([]string{"trustctl"}, args...), env); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	return out.String()
}

// TestListFitsTheTerminal: on a terminal every line fits its width (the
// subject and then the fingerprint are cut, visibly), expired and expiring
// entries are marked and coloured, and a summary ends the list.
func TestListFitsTheTerminal(t *testing.T) {
	path := listStore(t)
	out := runAt(t, &Env{StdoutTTY: true, Width: 80}, "list", path)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		if n := render.VisibleLen(l); n > 80 {
			t.Errorf("line of %d columns on an 80-column terminal: %q", n, l)
		}
	}
	for _, want := range []string{"CN=Acme Cor…", "\x1b[31m2026-05-29 expired\x1b[0m", "\x1b[33m2026-06-13 in 12d\x1b[0m"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if last := lines[len(lines)-1]; last != "3 entries: \x1b[31m1 expired\x1b[0m, \x1b[33m1 expiring within 30 days\x1b[0m" {
		t.Errorf("summary %q", last)
	}
	if out := runAt(t, &Env{StdoutTTY: true, Width: 80, Getenv: func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}}, "list", path); strings.Contains(out, "\x1b[") || !strings.Contains(out, "2026-05-29 expired") {
		t.Errorf("NO_COLOR: %q", out)
	}
}

// TestListToAPipe: without a terminal nothing is cut or coloured.
func TestListToAPipe(t *testing.T) {
	out := runAt(t, &Env{}, "list", listStore(t))
	if strings.Contains(out, "\x1b[") || strings.Contains(out, "…") {
		t.Errorf("cut or coloured output to a pipe:\n%s", out)
	}
	if !strings.Contains(out, "OU=Certification Services Division,O=Acme Corporation,L=Springfield,ST=Oregon,C=US") ||
		!strings.HasSuffix(out, "\n3 entries: 1 expired, 1 expiring within 30 days\n") {
		t.Errorf("output:\n%s", out)
	}
	js := runAt(t, &Env{}, "list", listStore(t), "--json")
	for _, want := range []string{`"status": "expired"`, `"status": "expiring"`, `"days_left": 12`, `"summary": {`, `"expired": 1`} {
		if !strings.Contains(js, want) {
			t.Errorf("no %s in\n%s", want, js)
		}
	}
}

// TestShowHonoursNoColor: show colours its titles on a terminal only when
// NO_COLOR is not set.
func TestShowHonoursNoColor(t *testing.T) {
	path := listStore(t)
	if out := runAt(t, &Env{StdoutTTY: true}, "show", path); !strings.Contains(out, "\x1b[1m") {
		t.Error("no colour on a terminal")
	}
	noColor := func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}
	if out := runAt(t, &Env{StdoutTTY: true, Getenv: noColor}, "show", path); strings.Contains(out, "\x1b[") {
		t.Error("colour with NO_COLOR set")
	}
}

// TestVerifyHonoursNoColor: verify colours its verdicts on a terminal only
// when NO_COLOR is not set.
func TestVerifyHonoursNoColor(t *testing.T) {
	root := testpki.Root(t, "CN=Acme Root")
	leaf := testpki.Leaf(t, "www.example.com", root, "www.example.com")
	dir := t.TempDir()
	rootPath, leafPath := filepath.Join(dir, "root.pem"), filepath.Join(dir, "leaf.pem")
	if err := os.WriteFile(rootPath, testpki.Bundle(root), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(leafPath, testpki.Bundle(leaf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := runAt(t, &Env{StdoutTTY: true}, "verify", leafPath, "--roots", rootPath); !strings.Contains(out, "\x1b[") {
		t.Errorf("no colour on a terminal:\n%s", out)
	}
	noColor := func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}
	if out := runAt(t, &Env{StdoutTTY: true, Getenv: noColor}, "verify", leafPath, "--roots", rootPath); strings.Contains(out, "\x1b[") {
		t.Errorf("colour with NO_COLOR set:\n%s", out)
	}
}
