package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
