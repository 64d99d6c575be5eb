package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

// runStdin runs trustctl in-process with data on standard input and a
// terminal (as far as the prompt can tell) that records what it is asked.
func runStdin(t *testing.T, data []byte, args ...string) (code int, stdout, stderr string, prompts []string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: bytes.NewReader(data), Stdout: &out, Stderr: &errb, StdinTTY: true}
	env.ReadPassword = func(prompt string) ([]byte, error) {
		prompts = append(prompts, prompt)
		return nil, errors.New("no answer")
	}
	code = Run(append([]string{"trustctl"}, args...), env)
	return code, out.String(), errb.String(), prompts
}

// TestStoreOnStdinIsNotPromptedFor: when standard input holds the store,
// a missing password is an error naming the flags, never a prompt (which
// would read from standard input); a store named by its path is still
// prompted for on a terminal.
func TestStoreOnStdinIsNotPromptedFor(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Root(t, "CN=Stdin Root")
	pemPath := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(pemPath, testpki.Bundle(root), 0o644); err != nil {
		t.Fatal(err)
	}
	p12 := filepath.Join(dir, "ts.p12")
	if code, _, stderr, _ := runKeys(t, false, nil, "import", p12, pemPath, "--password", "pw"); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	data, err := os.ReadFile(p12)
	if err != nil {
		t.Fatal(err)
	}

	// The same store by its path is asked for: the terminal is real to
	// the command.
	if _, _, _, prompts := runStdin(t, nil, "list", p12); len(prompts) != 1 {
		t.Fatalf("list %s on a terminal: prompts %q, want one", p12, prompts)
	}
	for _, args := range [][]string{
		{"list", "-"},
		{"export", "-", "--out", "-"},
		{"diff", p12, "-", "--password", "pw"},
		{"convert", "-", filepath.Join(dir, "out.jks")},
		{"keystore", "extract", "-", "--out-dir", filepath.Join(dir, "x")},
	} {
		code, _, stderr, prompts := runStdin(t, data, args...)
		if code != 2 || len(prompts) != 0 {
			t.Errorf("%v: exit %d, prompts %q, want 2 and none", args, code, prompts)
		}
		if !strings.Contains(stderr, "standard input: the store password is needed") || !strings.Contains(stderr, "-password") {
			t.Errorf("%v: stderr %q, want the password of standard input needed and the flags to give it", args, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.jks")); err == nil {
		t.Error("convert wrote out.jks without IN's password")
	}

	// OUT's password is not asked for either while standard input holds IN.
	out := filepath.Join(dir, "out.p12")
	code, _, stderr, prompts := runStdin(t, testpki.Bundle(root), "convert", "-", out)
	if code != 2 || len(prompts) != 0 || !strings.Contains(stderr, "--new-password") {
		t.Errorf("convert - out.p12: exit %d, prompts %q, stderr %q", code, prompts, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("convert wrote out.p12 without a password")
	}
	if code, _, stderr, prompts := runStdin(t, testpki.Bundle(root), "convert", "-", out, "--new-password", "pw"); code != 0 || len(prompts) != 0 {
		t.Errorf("convert - out.p12 --new-password: exit %d, prompts %q, stderr %q", code, prompts, stderr)
	}
}

// TestConvertToTerminal: convert IN - writes PEM to a terminal, and
// refuses a binary store there before writing anything; keystore build
// --out - refuses it too.
func TestConvertToTerminal(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Root(t, "CN=Terminal Root")
	leaf := testpki.Leaf(t, "CN=host", root, "host")
	rootPath, _ := root.Write(t, dir, "root")
	certPath, keyPath := leaf.Write(t, dir, "host")
	p12 := filepath.Join(dir, "ts.p12")
	if code, _, stderr, _ := runKeys(t, false, nil, "import", p12, rootPath, "--password", "pw"); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		env := &Env{Stdout: &out, Stderr: &errb, StdoutTTY: true}
		code := Run(append([]string{"trustctl"}, args...), env)
		return code, out.String(), errb.String()
	}
	code, stdout, stderr := run("convert", p12, "-", "--password", "pw")
	if code != 0 || !strings.Contains(stdout, "-----BEGIN CERTIFICATE-----\n") || strings.Contains(stdout, "written") {
		t.Errorf("convert to PEM on a terminal: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, args := range [][]string{
		{"convert", p12, "-", "--password", "pw", "--type", "pkcs12"},
		{"convert", p12, "-", "--password", "pw", "--type", "jks"},
		{"keystore", "build", "--key", keyPath, "--cert", certPath, "--chain", rootPath, "--out", "-", "--type", "p12", "--password", "pw"},
	} {
		code, stdout, stderr := run(args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "refusing to write binary output to the terminal") {
			t.Errorf("%v: exit %d, %d bytes on the terminal, stderr %q", args, code, len(stdout), stderr)
		}
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error(`a file named "-" was written`)
	}
}
