package jdk

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// mkfile creates dir/rel (and its parents) with some content.
func mkfile(t *testing.T, dir, rel string) string {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func fakeEnv(vars map[string]string, java string) Env {
	return Env{
		Getenv: func(k string) string { return vars[k] },
		LookPath: func(f string) (string, error) {
			if f != "java" || java == "" {
				return "", exec.ErrNotFound
			}
			return java, nil
		},
	}
}

func TestCacertsLayouts(t *testing.T) {
	root := t.TempDir()
	jdk17 := filepath.Join(root, "jdk-17")
	mkfile(t, jdk17, "bin/java")
	mkfile(t, jdk17, "lib/security/cacerts")
	jdk8 := filepath.Join(root, "jdk8")
	mkfile(t, jdk8, "bin/java")
	mkfile(t, jdk8, "jre/bin/java")
	mkfile(t, jdk8, "jre/lib/security/cacerts")
	empty := filepath.Join(root, "empty")
	mkfile(t, empty, "bin/java")

	// /usr/bin/java -> /etc/alternatives/java -> jdk-17/bin/java, as on Debian.
	usrBin := filepath.Join(root, "usr", "bin")
	alt := filepath.Join(root, "etc", "alternatives")
	for _, d := range []string{usrBin, alt} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(jdk17, "bin", "java"), filepath.Join(alt, "java")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(alt, "java"), filepath.Join(usrBin, "java")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		javaHome string
		java     string // what LookPath("java") finds; "" = not on PATH
		want     string // "" = error wrapping ErrNoJDK
	}{
		{"JAVA_HOME JDK 9+", jdk17, "", filepath.Join(jdk17, "lib/security/cacerts")},
		{"JAVA_HOME JDK 8", jdk8, "", filepath.Join(jdk8, "jre/lib/security/cacerts")},
		{"JAVA_HOME wins over PATH", jdk8, filepath.Join(jdk17, "bin/java"), filepath.Join(jdk8, "jre/lib/security/cacerts")},
		{"JAVA_HOME without cacerts", empty, filepath.Join(jdk17, "bin/java"), ""},
		{"PATH through symlinks", "", filepath.Join(usrBin, "java"), filepath.Join(jdk17, "lib/security/cacerts")},
		{"PATH JDK 8 jdk/bin", "", filepath.Join(jdk8, "bin/java"), filepath.Join(jdk8, "jre/lib/security/cacerts")},
		{"PATH JDK 8 jre/bin", "", filepath.Join(jdk8, "jre/bin/java"), filepath.Join(jdk8, "jre/lib/security/cacerts")},
		{"PATH without cacerts", "", filepath.Join(empty, "bin/java"), ""},
		{"no JDK at all", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Cacerts(fakeEnv(map[string]string{"JAVA_HOME": tt.javaHome}, tt.java))
			if tt.want == "" {
				if !errors.Is(err, ErrNoJDK) {
					t.Fatalf("Cacerts = %q, %v; want an ErrNoJDK error", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Cacerts = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestCacertsKeepsCacertsSymlink(t *testing.T) {
	root := t.TempDir()
	real := mkfile(t, root, "etc/ssl/certs/java/cacerts")
	home := filepath.Join(root, "jdk")
	mkfile(t, home, "bin/java")
	if err := os.MkdirAll(filepath.Join(home, "lib", "security"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(home, "lib", "security", "cacerts")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	got, err := Cacerts(fakeEnv(map[string]string{"JAVA_HOME": home}, ""))
	if err != nil || got != link {
		t.Fatalf("Cacerts = %q, %v; want the link %q", got, err, link)
	}
}

func TestNoJDKErrorSaysWhere(t *testing.T) {
	_, err := Cacerts(fakeEnv(nil, ""))
	if err == nil || !strings.Contains(err.Error(), "JAVA_HOME") || !strings.Contains(err.Error(), "PATH") {
		t.Fatalf("error %v should name JAVA_HOME and PATH", err)
	}
}

func TestCacertsOnThisMachine(t *testing.T) {
	if _, err := exec.LookPath("java"); err != nil {
		t.Skip("java not on PATH")
	}
	got, err := Cacerts(Env{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(got) != "cacerts" {
		t.Fatalf("Cacerts = %q", got)
	}
	if _, err := os.Stat(got); err != nil {
		t.Fatal(err)
	}
	t.Logf("cacerts: %s", got)
}
