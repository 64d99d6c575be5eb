package trust

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// mkTree makes files (content "x"), directories (a trailing "/") and
// symlinks ("name -> target") under dir.
func mkTree(t testing.TB, dir string, spec ...string) {
	t.Helper()
	for _, s := range spec {
		if name, target, ok := cutArrow(s); ok {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		p := filepath.Join(dir, s)
		if s[len(s)-1] == '/' {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func cutArrow(s string) (string, string, bool) {
	for i := 0; i+4 <= len(s); i++ {
		if s[i:i+4] == " -> " {
			return s[:i], s[i+4:], true
		}
	}
	return "", "", false
}

func TestRootRealStaysInside(t *testing.T) {
	dir := t.TempDir()
	mkTree(t, dir,
		"etc/ssl/certs/java/cacerts",
		"usr/lib/jvm/jdk-17/lib/security/cacerts -> /etc/ssl/certs/java/cacerts",
		"usr/lib/jvm/jdk-21/lib/security/cacerts -> ../../../jdk-17/lib/security/cacerts",
		"usr/lib/jvm/default -> jdk-17",
		"usr/bin/java -> /etc/alternatives/java",
		"etc/alternatives/java -> /usr/lib/jvm/default/bin/java",
		"usr/lib/jvm/jdk-17/bin/java",
		"climb -> ../../../../../../etc",
		"abs-climb -> /../../../etc/ssl",
		"loop1 -> /loop2",
		"loop2 -> loop1",
		"self -> self",
		"host-etc -> /etc/passwd",
		"usr/lib/jvm/jdk-17/release",
	)
	r, err := NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, want string
		err        error
	}{
		{"/etc/ssl/certs/java/cacerts", "/etc/ssl/certs/java/cacerts", nil},
		{"/usr/lib/jvm/jdk-17/lib/security/cacerts", "/etc/ssl/certs/java/cacerts", nil},
		{"/usr/lib/jvm/jdk-21/lib/security/cacerts", "/etc/ssl/certs/java/cacerts", nil},
		{"usr/bin/java", "/usr/lib/jvm/jdk-17/bin/java", nil},
		{"/usr/lib/jvm/default/../jdk-17/release", "/usr/lib/jvm/jdk-17/release", nil},
		// ".." after a link climbs from where the link leads, as the kernel does.
		{"/usr/lib/jvm/default/bin/../release", "/usr/lib/jvm/jdk-17/release", nil},
		{"/climb", "/etc", nil},
		{"/climb/ssl/certs/java/cacerts", "/etc/ssl/certs/java/cacerts", nil},
		{"/abs-climb/certs", "/etc/ssl/certs", nil},
		{"/../../..", "/", nil},
		// This host's /etc/passwd is never reached: inside the root it does not exist.
		{"/host-etc", "/etc/passwd", nil},
		{"/usr/local/share/ca-certificates/new.crt", "/usr/local/share/ca-certificates/new.crt", nil},
		{"/usr/lib/jvm/nope/./x", "/usr/lib/jvm/nope/x", nil},
		{"/nope/../etc", "", fs.ErrNotExist},
		{"/etc/ssl/certs/java/cacerts/x", "", syscall.ENOTDIR},
		{"/etc/ssl/certs/java/cacerts/", "", syscall.ENOTDIR},
		{"/loop1", "", ErrLoop},
		{"/self/x", "", ErrLoop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Real(tt.name)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Real(%q) = %q, %v; want an error wrapping %v", tt.name, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Real(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
			}
			if h := r.Host(got); !r.Inside(h) {
				t.Fatalf("Host(%q) = %q is outside %s", got, h, dir)
			}
		})
	}
}

func TestRootHostAndInside(t *testing.T) {
	dir := t.TempDir()
	r, err := NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	real := r.Dir()
	for name, want := range map[string]string{
		"/etc/x":          filepath.Join(real, "etc/x"),
		"../../etc/x":     filepath.Join(real, "etc/x"),
		"/a/../../../b":   filepath.Join(real, "b"),
		"":                real,
		"/":               real,
		"usr/lib/jvm/../": filepath.Join(real, "usr/lib"),
	} {
		if got := r.Host(name); got != want {
			t.Errorf("Host(%q) = %q, want %q", name, got, want)
		}
	}
	for host, want := range map[string]bool{
		real:                           true,
		filepath.Join(real, "etc"):     true,
		filepath.Dir(real):             false,
		real + "x/etc":                 false,
		"/etc/passwd":                  false,
		filepath.Join(real, "..", "x"): false,
	} {
		if got := r.Inside(host); got != want {
			t.Errorf("Inside(%q) = %v, want %v", host, got, want)
		}
	}
	this, _ := NewRoot("")
	if !this.IsHost() || this.Host("/etc/x") != "/etc/x" || !this.Inside("/etc") {
		t.Errorf("the host root maps paths to themselves")
	}
	if _, err := NewRoot(filepath.Join(dir, "missing")); err == nil {
		t.Errorf("NewRoot accepts a directory that does not exist")
	}
}
