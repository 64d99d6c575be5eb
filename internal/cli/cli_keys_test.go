package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/keys"
)

// runKeys runs trustctl in-process with a fake terminal answering
// password prompts from answers, in order.
func runKeys(t *testing.T, tty bool, answers []string, args ...string) (code int, stdout, stderr string, prompts []string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, StdinTTY: tty}
	env.ReadPassword = func(prompt string) ([]byte, error) {
		prompts = append(prompts, prompt)
		if len(answers) == 0 {
			return nil, errors.New("no more answers")
		}
		a := answers[0]
		answers = answers[1:]
		return []byte(a), nil
	}
	code = Run(append([]string{"trustctl"}, args...), env)
	return code, out.String(), errb.String(), prompts
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestKeyFilesAreWrittenPrivate(t *testing.T) {
	dir := t.TempDir()
	k := filepath.Join(dir, "a.key")
	if code, _, stderr, _ := runKeys(t, false, nil, "key", "gen", "--out", k); code != 0 {
		t.Fatalf("key gen: %d %s", code, stderr)
	}
	if m := mode(t, k); m != 0o600 {
		t.Errorf("key gen wrote mode %o, want 600", m)
	}
	pk8 := filepath.Join(dir, "a.pk8")
	if code, _, stderr, _ := runKeys(t, false, nil, "key", "convert", k, "--der", "--out", pk8); code != 0 {
		t.Fatalf("key convert: %d %s", code, stderr)
	}
	if m := mode(t, pk8); m != 0o600 {
		t.Errorf("key convert wrote mode %o, want 600", m)
	}
	nk, csr := filepath.Join(dir, "new.key"), filepath.Join(dir, "new.csr")
	if code, _, stderr, _ := runKeys(t, false, nil, "csr", "--new-key", "ed25519", "--key", nk, "--subject", "CN=x", "--out", csr); code != 0 {
		t.Fatalf("csr: %d %s", code, stderr)
	}
	if m := mode(t, nk); m != 0o600 {
		t.Errorf("csr --new-key wrote mode %o, want 600", m)
	}
	if m := mode(t, csr); m != 0o644 {
		t.Errorf("csr wrote mode %o, want 644", m)
	}
}

func TestKeyGenAsksPassphraseTwice(t *testing.T) {
	dir := t.TempDir()
	k := filepath.Join(dir, "a.key")
	code, _, stderr, prompts := runKeys(t, true, []string{"pass one", "pass one"}, "key", "gen", "--encrypt", "--out", k)
	if code != 0 || len(prompts) != 2 {
		t.Fatalf("code %d, prompts %q, stderr %s", code, prompts, stderr)
	}
	data, _ := os.ReadFile(k)
	if _, err := keys.Parse(data, func() ([]byte, error) { return []byte("pass one"), nil }); err != nil {
		t.Errorf("the key does not open with the typed passphrase: %v", err)
	}

	k2 := filepath.Join(dir, "b.key")
	code, _, stderr, _ = runKeys(t, true, []string{"one", "two"}, "key", "gen", "--encrypt", "--out", k2)
	if code != 2 || !strings.Contains(stderr, "the passphrases differ") {
		t.Errorf("differing passphrases: code %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(k2); err == nil {
		t.Error("a key was written although the passphrases differ")
	}
}

func TestKeyConvertAsksOnlyForEncryptedKeys(t *testing.T) {
	dir := t.TempDir()
	plain, enc, out := filepath.Join(dir, "p.key"), filepath.Join(dir, "e.key"), filepath.Join(dir, "o.key")
	runKeys(t, false, nil, "key", "gen", "--out", plain)
	_, _, _, prompts := runKeys(t, true, nil, "key", "convert", plain, "--der", "--out", out)
	if len(prompts) != 0 {
		t.Errorf("asked %q for a plain key", prompts)
	}
	runKeys(t, false, nil, "key", "gen", "--encrypt", "--key-password", "pw", "--out", enc)
	code, _, stderr, prompts := runKeys(t, true, []string{"pw"}, "key", "convert", enc, "--decrypt", "--out", filepath.Join(dir, "d.key"))
	if code != 0 || len(prompts) != 1 {
		t.Errorf("code %d, prompts %q, stderr %s", code, prompts, stderr)
	}
}

func TestKeyDERRefusedOnTerminal(t *testing.T) {
	dir := t.TempDir()
	k := filepath.Join(dir, "a.key")
	runKeys(t, false, nil, "key", "gen", "--out", k)
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, StdoutTTY: true}
	if code := Run([]string{"trustctl", "key", "convert", k, "--der", "--out", "-"}, env); code != 2 || out.Len() != 0 {
		t.Errorf("code %d, %d bytes on the terminal", code, out.Len())
	}
	if !strings.Contains(errb.String(), "refusing to write binary output to the terminal") {
		t.Errorf("stderr %q", errb.String())
	}
	// key gen refuses before making a key; PEM is text and goes through.
	out.Reset()
	errb.Reset()
	if code := Run([]string{"trustctl", "key", "gen", "--der", "--out", "-"}, env); code != 2 || out.Len() != 0 {
		t.Errorf("key gen --der: code %d, %d bytes on the terminal", code, out.Len())
	}
	if code := Run([]string{"trustctl", "key", "gen", "--out", "-"}, env); code != 0 || !strings.HasPrefix(out.String(), "-----BEGIN PRIVATE KEY-----\n") {
		t.Errorf("key gen PEM to a terminal: code %d, %.30q", code, out.String())
	}
}

// TestOneSecretPrompt: with no passphrase flag, an encrypted key's
// passphrase is asked once on the terminal, under either family.
func TestOneSecretPrompt(t *testing.T) {
	dir := t.TempDir()
	k, csr := filepath.Join(dir, "k.pem"), filepath.Join(dir, "k.csr")
	if code, _, stderr, _ := runKeys(t, false, nil, "key", "gen", "--encrypt", "--password", "pw", "--out", k); code != 0 {
		t.Fatalf("key gen: %s", stderr)
	}
	code, _, stderr, prompts := runKeys(t, true, []string{"pw"}, "csr", "--key", k, "--subject", "CN=x", "--out", csr)
	if code != 0 || len(prompts) != 1 {
		t.Errorf("csr: code %d, prompts %q, %s", code, prompts, stderr)
	}
	code, _, stderr, _ = runKeys(t, false, nil, "key", "match", k, csr, "--password-env", "UNSET_VARIABLE")
	if code != 2 || !strings.Contains(stderr, "UNSET_VARIABLE is not set") {
		t.Errorf("an unset --password-env: code %d, %s", code, stderr)
	}
}

// TestCSRNewKeyLeavesNothingOnFailure: when the CSR cannot be written, the
// key --new-key made for it is not left behind.
func TestCSRNewKeyLeavesNothingOnFailure(t *testing.T) {
	dir := t.TempDir()
	k := filepath.Join(dir, "new.key")
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{filepath.Join(dir, "missing", "x.csr"), k, filepath.Join(dir, "adir")} {
		code, _, stderr, _ := runKeys(t, false, nil, "csr", "--new-key", "ec256", "--key", k, "--subject", "CN=x", "--out", out, "--force")
		if code != 2 {
			t.Errorf("--out %s: code %d, want 2; %s", out, code, stderr)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("--out %s: the directory holds %d entries, want adir alone", out, len(ents))
		}
	}
}

// TestExistingOutputIsReadOnlyUpToAKeysSize: key gen, key convert and csr
// look at an --out that exists to leave one holding the same key alone;
// a file far larger than any key (a disk image named by mistake) is not
// read into memory, and is refused as in the way.
func TestExistingOutputIsReadOnlyUpToAKeysSize(t *testing.T) {
	big := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 2*maxKeyFile); err != nil {
		t.Fatal(err)
	}
	data, exists, err := existingFile(big, false)
	if err != nil || !exists || data != nil {
		t.Errorf("existingFile of a %d-byte file: %d bytes read, exists %v, %v; want nothing read, exists", 2*maxKeyFile, len(data), exists, err)
	}
	code, _, stderr, _ := runKeys(t, false, nil, "key", "gen", "--out", big)
	if code != 2 || !strings.Contains(stderr, "disk.img exists; not overwriting it") {
		t.Errorf("key gen --out disk.img: exit %d, %s", code, stderr)
	}
	if fi, err := os.Stat(big); err != nil || fi.Size() != 2*maxKeyFile {
		t.Errorf("disk.img after key gen: %v", err)
	}
}
