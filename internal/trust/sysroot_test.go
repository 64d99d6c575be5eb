package trust_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/cli"
)

// TestMain lets the sysroot test run this binary as trustctl under
// strace.
func TestMain(m *testing.M) {
	if os.Getenv("TRUSTCTL_TRUST_TEST_AS_CLI") == "1" {
		os.Exit(cli.Run(append([]string{"trustctl"}, os.Args[1:]...), cli.StdEnv()))
	}
	os.Exit(m.Run())
}

// The system calls that create, change or remove files, and run
// programs. open and openat count when their flags ask for writing.
var (
	straceLine   = regexp.MustCompile(`^\d+\s+(\w+)\((.*)$`)
	straceString = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	mutating     = map[string]bool{
		"creat": true, "rename": true, "renameat": true, "renameat2": true, "unlink": true, "unlinkat": true,
		"mkdir": true, "mkdirat": true, "rmdir": true, "link": true, "linkat": true, "symlink": true, "symlinkat": true,
		"chmod": true, "fchmodat": true, "fchmodat2": true, "chown": true, "fchownat": true, "lchown": true,
		"truncate": true, "utimensat": true,
	}
	writeFlags = regexp.MustCompile(`O_WRONLY|O_RDWR|O_CREAT|O_TRUNC`)
)

// TestSysrootWritesOnlyInside runs trust add --sysroot on a fake Debian
// machine whose JDKs link their cacerts to /etc/ssl/certs/java/cacerts,
// under strace -f: no file outside the sysroot is opened for writing,
// created, renamed or removed (this host's /etc and /usr/lib/jvm
// included), and no refresh tool runs even though one is on PATH.
func TestSysrootWritesOnlyInside(t *testing.T) {
	t.Parallel()
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := debian(t)
	cert := filepath.Join(t.TempDir(), "acme-root.crt")
	if err := os.WriteFile(cert, acmeRoot.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "strace.log")
	work := t.TempDir()
	cmd := exec.Command(strace, "-f", "-qq", "-s", "4096", "-o", log,
		"-e", "trace=open,openat,?openat2,creat,rename,renameat,?renameat2,unlink,unlinkat,mkdir,mkdirat,rmdir,link,linkat,symlink,symlinkat,chmod,fchmodat,?fchmodat2,chown,fchownat,lchown,truncate,utimensat,execve",
		self, "trust", "add", "--sysroot", f.root.Dir(), cert)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "TRUSTCTL_TRUST_TEST_AS_CLI=1", "HOME=/home/dev", "JAVA_HOME=",
		"PATH="+f.bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if strings.Contains(string(out), "PTRACE_TRACEME") || strings.Contains(string(out), "ptrace(") {
		t.Skipf("strace cannot trace here: %s", out)
	}
	if err != nil {
		t.Fatalf("trustctl trust add --sysroot: %v\n%s", err, out)
	}
	trace, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	inside := 0
	for _, line := range strings.Split(string(trace), "\n") {
		m := straceLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		call, args := m[1], m[2]
		strs := straceString.FindAllStringSubmatch(args, -1)
		if len(strs) == 0 {
			continue
		}
		switch {
		case call == "execve":
			prog := filepath.Base(strs[0][1])
			if prog != filepath.Base(self) && prog != "certutil" {
				t.Errorf("ran %s in a sysroot: %s", strs[0][1], line)
			}
			continue
		case call == "open" || call == "openat" || call == "openat2":
			if !writeFlags.MatchString(args) {
				continue
			}
			strs = strs[:1]
		case !mutating[call]:
			continue
		}
		for _, s := range strs {
			p := s[1]
			if !filepath.IsAbs(p) {
				p = filepath.Join(work, p)
			}
			switch {
			case f.root.Inside(filepath.Clean(p)):
				inside++
			case p == os.DevNull:
			default:
				t.Errorf("wrote outside the sysroot: %s", line)
			}
		}
	}
	// The trace must show the writes that did happen, or it proves nothing.
	if min := 5 * 2; inside < min {
		t.Errorf("the trace shows %d writes inside the sysroot, want at least %d (one temporary file and rename per place):\n%s", inside, min, trace)
	}
	if got := f.refreshed(); len(got) != 0 {
		t.Errorf("a refresh tool ran: %q", got)
	}
	if !strings.Contains(string(out), "not run in a sysroot") {
		t.Errorf("the report does not say the refresh tool is not run:\n%s", out)
	}
}
