package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestStdinIsReadNeverWritten: "-" opens standard input (never a file of
// that name, which is there and holds another store), with the prompt
// naming standard input; Edit refuses "-" and makes no file of that name.
func TestStdinIsReadNeverWritten(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeStore(t, "-", FormatPEM, "", testpki.Root(t, "File Named Dash"))
	before := snapshot(t, dir)
	p := filepath.Join(dir, "ts.p12")
	writeStore(t, p, FormatPKCS12, "s3cret", testpki.Root(t, "Acme Root"))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}

	var asked []Prompt
	ask := func(pr Prompt) ([]byte, error) { asked = append(asked, pr); return []byte("s3cret"), nil }
	st, err := Open("-", Options{Passwords: Passwords{Ask: ask}, Stdin: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	if st.Format != FormatPKCS12 || len(st.Entries) != 1 || st.Entries[0].Cert().Subject() != "CN=Acme Root" {
		t.Errorf("Open(-) read %v with %d entries, want the PKCS#12 store on standard input", st.Format, len(st.Entries))
	}
	if len(asked) != 1 || asked[0].Path != "standard input" {
		t.Errorf("prompts %+v, want one for standard input", asked)
	}

	_, err = Open("-", Options{Stdin: strings.NewReader("no store here")})
	if err == nil || err.Error() != "standard input: not a keystore or truststore" {
		t.Errorf("Open(-) of text: %v", err)
	}

	called := false
	_, err = Edit("-", Options{Create: true, Passwords: given("s3cret")}, func(*Store) (bool, error) { called = true; return true, nil })
	if !errors.Is(err, ErrStdin) || called {
		t.Errorf("Edit(-): %v (change called: %v), want ErrStdin before any change", err, called)
	}
	delete(before, "ts.p12")
	after := snapshot(t, dir)
	delete(after, "ts.p12")
	if len(after) != len(before) || after["-"] != before["-"] {
		t.Errorf("the directory changed: %v", after)
	}
}

// TestCreateWritesStdout: Create("-") writes the store to opts.Stdout,
// protected as a file would be, and leaves no file behind.
func TestCreateWritesStdout(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	root := testpki.Root(t, "Acme Root")
	var out bytes.Buffer
	changed, err := Create("-", Options{Passwords: given("pw"), Stdout: &out}, func() (*Store, error) {
		st := New(FormatPKCS12)
		_, err := st.Import([]*certs.Cert{cert(root)}, ImportOptions{Epoch: testpki.Now})
		return st, err
	})
	if err != nil || !changed {
		t.Fatalf("Create(-): %v, changed %v", err, changed)
	}
	st, err := Open("-", Options{Passwords: given("pw"), Stdin: &out})
	if err != nil || st.Format != FormatPKCS12 || len(st.Entries) != 1 {
		t.Fatalf("what Create(-) wrote does not open as the store: %v", err)
	}
	if des, _ := os.ReadDir(dir); len(des) != 0 {
		t.Errorf("Create(-) left %d files behind", len(des))
	}
}
