package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/jdk"
)

// jdkTools is one installed JDK's keytool and java.
type jdkTools struct {
	version, keytool, java string
}

// jdks returns every JDK on the machine, the one on PATH and those under
// /usr/lib/jvm (Debian's packages, Temurin's), once each, so that what
// trustctl writes is read by every release installed (17 and 25 in CI).
// The test is skipped when there is none.
func jdks(t *testing.T) []jdkTools {
	t.Helper()
	var homes []string
	if kt, err := exec.LookPath("keytool"); err == nil {
		if real, err := filepath.EvalSymlinks(kt); err == nil {
			homes = append(homes, filepath.Dir(filepath.Dir(real)))
		}
	}
	more, _ := filepath.Glob("/usr/lib/jvm/*/bin/keytool")
	for _, kt := range more {
		if real, err := filepath.EvalSymlinks(kt); err == nil {
			homes = append(homes, filepath.Dir(filepath.Dir(real)))
		}
	}
	seen := map[string]bool{}
	var found []jdkTools
	for _, h := range homes {
		if seen[h] {
			continue
		}
		seen[h] = true
		v := "unknown"
		if rel, err := os.ReadFile(filepath.Join(h, "release")); err == nil && jdk.ReleaseVersion(rel) != "" {
			v = jdk.ReleaseVersion(rel)
		}
		found = append(found, jdkTools{version: v, keytool: filepath.Join(h, "bin", "keytool"), java: filepath.Join(h, "bin", "java")})
	}
	if len(found) == 0 {
		t.Skip("no JDK (keytool on PATH or under /usr/lib/jvm); skipping the interop check that needs keytool")
	}
	sort.Slice(found, func(i, j int) bool { return found[i].version < found[j].version })
	return found
}

// eachJDK runs f as a subtest named by each installed JDK's version.
func eachJDK(t *testing.T, f func(t *testing.T, j jdkTools)) {
	t.Helper()
	for _, j := range jdks(t) {
		t.Run("jdk-"+strings.ReplaceAll(j.version, "/", "_"), func(t *testing.T) { f(t, j) })
	}
}
