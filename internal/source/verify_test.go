package source

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

func TestLoadVerifyInputs(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Root(t, "Acme Root")
	other := testpki.Root(t, "Other Root")
	inter := testpki.Intermediate(t, "Acme CA", root)
	leaf := testpki.Leaf(t, "host", inter, "host.example")
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	leafFile := write("leaf.pem", testpki.Bundle(leaf, inter))
	roots := write("roots.pem", testpki.Bundle(root, other))
	refuse := func(der []byte) error {
		if string(der) == string(other.Cert.Raw) {
			return errors.New("refused")
		}
		return nil
	}
	in, err := LoadVerifyInputs(VerifyFiles{Certs: []string{leafFile}, Roots: []string{roots}, CheckRoot: refuse}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Leaves) != 1 || string(in.Leaves[0].DER) != string(leaf.Cert.Raw) || len(in.Leaves[0].Extra) != 1 {
		t.Errorf("leaves: %+v", in.Leaves)
	}
	if len(in.RootsDER) != 1 || string(in.RootsDER[0]) != string(root.Cert.Raw) {
		t.Errorf("the refused root is still among the roots (%d roots)", len(in.RootsDER))
	}
	if len(in.UnreadableRoots) != 1 || len(in.Notes) != 1 || !strings.Contains(in.Notes[0], "passed over CN=Other Root, which cannot be read as a certificate (refused)") {
		t.Errorf("unreadable %q, notes %q", in.UnreadableRoots, in.Notes)
	}

	// With several CERTs, one that cannot be read is a verdict of its own.
	missing := filepath.Join(dir, "missing.pem")
	in, err = LoadVerifyInputs(VerifyFiles{Certs: []string{leafFile, missing}}, Options{})
	if err != nil || in.Leaves[1].Err == nil || in.Leaves[0].Err != nil {
		t.Fatalf("two CERTs, one missing: %v, %+v", err, in)
	}
	if _, err := LoadVerifyInputs(VerifyFiles{Certs: []string{missing}}, Options{}); err == nil {
		t.Error("one missing CERT is not an error")
	}

	// A roots source that cannot be read is named by its flag.
	_, err = LoadVerifyInputs(VerifyFiles{Certs: []string{leafFile}, Roots: []string{missing}}, Options{})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Flag != "--roots" || !strings.HasPrefix(err.Error(), "--roots: ") {
		t.Errorf("missing --roots: %v", err)
	}
	_, err = LoadVerifyInputs(VerifyFiles{Certs: []string{leafFile}, CRLs: []string{roots}}, Options{})
	if err == nil || err.Error() != "--crl "+roots+": no CRL found" {
		t.Errorf("--crl without a CRL: %v", err)
	}
}
