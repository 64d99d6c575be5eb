package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestFailedReportSaysTheStoreWasWritten: when stdout cannot take the
// report of a change that was made (a full disk under a redirect), the
// error says the store was written, so nobody reads exit 2 as "nothing
// was written"; without a change the error is the write error alone.
func TestFailedReportSaysTheStoreWasWritten(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Root(t, "CN=Report Root")
	ca := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(ca, testpki.Bundle(root), 0o644); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "trust.p12")
	for _, tc := range []struct {
		name, want string
	}{
		{"first import writes the store", store + " was written, but its report could not be: no space left on device"},
		{"second import changes nothing", "trustctl: error: no space left on device\n"},
	} {
		var errOut bytes.Buffer
		env := &Env{Stdout: fullWriter{}, Stderr: &errOut}
		code := Run([]string{"trustctl", "import", store, ca, "--password", "changeit"}, env)
		if code != exitUsage || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", tc.name, code, errOut.String(), tc.want)
		}
		if _, err := os.Stat(store); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
}

// TestFailedReportAfterAWrite: every command that writes a file and then
// reports it says the file was written when the report cannot be; ca sign
// to stdout delivers the certificate there even when stderr, which takes
// its summary, is full.
func TestFailedReportAfterAWrite(t *testing.T) {
	dir := t.TempDir()
	run := func(stdout, stderr io.Writer, args ...string) int {
		return Run(append([]string{"trustctl"}, args...), &Env{Stdout: stdout, Stderr: stderr})
	}
	key, caDir := filepath.Join(dir, "node.key"), filepath.Join(dir, "ca")
	csr := filepath.Join(dir, "node.csr")
	for _, tc := range []struct {
		args []string
		path string
	}{
		{[]string{"key", "gen", "--out", key}, key},
		{[]string{"csr", "--key", key, "--subject", "CN=node", "--out", csr}, csr},
		{[]string{"ca", "init", caDir, "--subject", "CN=Report CA", "--password", "pw"}, caDir},
		{[]string{"ca", "sign", caDir, csr, "--out", filepath.Join(dir, "node.crt"), "--password", "pw"}, filepath.Join(dir, "node.crt")},
	} {
		var errOut bytes.Buffer
		code := run(fullWriter{}, &errOut, tc.args...)
		want := tc.path + " was written, but its report could not be: no space left on device"
		if code != exitUsage || !strings.Contains(errOut.String(), want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut.String(), want)
		}
		if _, err := os.Stat(tc.path); err != nil {
			t.Errorf("%v: %v", tc.args, err)
		}
	}
	var out bytes.Buffer
	if code := run(&out, fullWriter{}, "ca", "sign", caDir, csr, "--password", "pw"); code != 0 || !strings.Contains(out.String(), "BEGIN CERTIFICATE") {
		t.Errorf("ca sign to stdout with stderr full: exit %d, stdout %q", code, out.String())
	}
}

// TestSignToFullStdoutIsNotIssued: ca sign without --out delivers the
// certificate on stdout, alone or inside the --json document; when stdout
// cannot take it, nobody has the certificate, so its serial is recorded
// as not issued (ca list names it) and the command exits 2.
func TestSignToFullStdoutIsNotIssued(t *testing.T) {
	dir := t.TempDir()
	run := func(stdout, stderr io.Writer, args ...string) int {
		return Run(append([]string{"trustctl"}, args...), &Env{Stdout: stdout, Stderr: stderr})
	}
	key, csr, caDir := filepath.Join(dir, "node.key"), filepath.Join(dir, "node.csr"), filepath.Join(dir, "ca")
	for _, args := range [][]string{
		{"key", "gen", "--out", key},
		{"csr", "--key", key, "--subject", "CN=node.test", "--out", csr},
		{"ca", "init", caDir, "--subject", "CN=Stdout CA", "--password", "pw"},
	} {
		if code := run(io.Discard, io.Discard, args...); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
	}
	for _, extra := range [][]string{nil, {"--json"}} {
		var errOut bytes.Buffer
		args := append([]string{"ca", "sign", caDir, csr, "--password", "pw"}, extra...)
		code := run(fullWriter{}, &errOut, args...)
		if code != exitUsage || !strings.Contains(errOut.String(), "is recorded as not issued") {
			t.Errorf("%v to a full stdout: exit %d, stderr %q; want exit 2 and the serial recorded as not issued", args, code, errOut.String())
		}
	}
	var list bytes.Buffer
	if code := run(&list, io.Discard, "ca", "list", caDir); code != 0 {
		t.Fatalf("ca list: exit %d", code)
	}
	_, unissued, _ := strings.Cut(list.String(), "not issued (signed, never delivered; the serials stay spent): ")
	if !strings.Contains(list.String(), "has issued nothing yet") || len(strings.Split(strings.TrimSpace(unissued), ", ")) != 2 {
		t.Errorf("ca list does not show both serials as not issued:\n%s", list.String())
	}
}
