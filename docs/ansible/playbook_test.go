// Package ansible holds an example playbook that drives trustctl from
// Ansible; its test runs the playbook against localhost.
package ansible

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestPlaybook runs truststore.yml with ansible-playbook against
// localhost (connection local), as a configuration run would: the first
// run puts the root into a new and an existing truststore and reports
// them changed, the second changes nothing and leaves both files
// byte-identical, and a certificate inside the window fails the host
// with a message naming it.
func TestPlaybook(t *testing.T) {
	ansible, err := exec.LookPath("ansible-playbook")
	if err != nil {
		t.Skip("ansible-playbook is not installed (Debian package ansible-core)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "trustctl")
	build := exec.Command("go", "build", "-o", bin, "github.com/trustctl/trustctl/cmd/trustctl")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	root := testpki.Root(t, "CN=Corp Root,O=Corp")
	other := testpki.Root(t, "CN=Other Root")
	rootPath, _ := root.Write(t, dir, "corp-root")
	otherPath, _ := other.Write(t, dir, "other-root")
	existing := filepath.Join(dir, "existing.jks")
	if out, err := run("import", existing, otherPath, "--password", "changeit"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	fresh := filepath.Join(dir, "app", "truststore.p12")
	if err := os.MkdirAll(filepath.Dir(fresh), 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	soon := testpki.New(t, testpki.Template{Subject: "CN=soon.corp", NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 24 * time.Hour)}, root)
	later := testpki.New(t, testpki.Template{Subject: "CN=later.corp", NotBefore: now.Add(-time.Hour), NotAfter: now.Add(300 * 24 * time.Hour)}, root)
	certs := filepath.Join(dir, "certs")
	if err := os.MkdirAll(certs, 0o755); err != nil {
		t.Fatal(err)
	}
	later.Write(t, certs, "later")

	vars := map[string]any{
		"trustctl": bin,
		"root_ca":  rootPath,
		"truststores": []map[string]string{
			{"path": fresh, "password": "s3cret"},
			{"path": existing, "password": "changeit"},
		},
		"expiry_sources": []string{certs},
		"expiry_within":  "30d",
	}
	playbook := func(wantOK bool) string {
		t.Helper()
		vb, _ := json.Marshal(vars)
		varsFile := filepath.Join(dir, "vars.json")
		if err := os.WriteFile(varsFile, vb, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(ansible, "-i", "localhost,", "-c", "local", "-e", "@"+varsFile,
			"-e", "ansible_python_interpreter=/usr/bin/python3", "truststore.yml")
		cmd.Env = append(os.Environ(), "HOME="+dir, "LC_ALL=C.UTF-8", "LANG=C.UTF-8",
			"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, ".ansible-tmp"), "ANSIBLE_REMOTE_TMP="+filepath.Join(dir, ".ansible-tmp"),
			"ANSIBLE_NOCOLOR=1", "ANSIBLE_RETRY_FILES_ENABLED=0")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if (err == nil) != wantOK {
			t.Fatalf("ansible-playbook: %v, want success %v\n%s", err, wantOK, out.String())
		}
		return out.String()
	}
	recap := regexp.MustCompile(`localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=(\d+)`)
	counts := func(out string) (changed, failed string) {
		m := recap.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no play recap:\n%s", out)
		}
		return m[2], m[3]
	}

	out := playbook(true)
	if changed, _ := counts(out); changed != "1" || strings.Count(out, "changed: [localhost]") != 2 {
		t.Errorf("first run: want both truststores changed\n%s", out)
	}
	for _, store := range []struct{ path, pw string }{{fresh, "s3cret"}, {existing, "changeit"}} {
		list, err := run("list", store.path, "--password", store.pw)
		if err != nil || !strings.Contains(list, "CN=Corp Root") {
			t.Errorf("%s: %v\n%s", store.path, err, list)
		}
	}
	before := [][]byte{readFile(t, fresh), readFile(t, existing)}

	out = playbook(true)
	if changed, _ := counts(out); changed != "0" {
		t.Errorf("second run changed something\n%s", out)
	}
	if !bytes.Equal(before[0], readFile(t, fresh)) || !bytes.Equal(before[1], readFile(t, existing)) {
		t.Error("the second run rewrote a truststore")
	}

	soon.Write(t, certs, "soon")
	out = playbook(false)
	if _, failed := counts(out); failed != "1" || !strings.Contains(out, "EXPIRING in 9 days") && !strings.Contains(out, "EXPIRING in 10 days") ||
		!strings.Contains(out, "CN=soon.corp") || strings.Contains(out, "CN=later.corp in") {
		t.Errorf("alert run:\n%s", out)
	}
	if testing.Verbose() {
		t.Log(out)
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
