package jdk_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustctl/trustctl/internal/jdk"
	"github.com/trustctl/trustctl/internal/trust"
)

// machine builds a fake machine under a temporary directory: files (with
// content), directories (a trailing "/") and symlinks ("name -> target",
// absolute targets meaning inside the machine).
func machine(t *testing.T, spec map[string]string) trust.Root {
	t.Helper()
	dir := t.TempDir()
	for name, content := range spec {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasPrefix(content, "-> "):
			if err := os.Symlink(strings.TrimPrefix(content, "-> "), p); err != nil {
				t.Fatal(err)
			}
		case strings.HasSuffix(name, "/"):
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	r, err := trust.NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func release(v string) string {
	return "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + v + "\"\nOS_NAME=\"Linux\"\n"
}

// jdkAt adds a Java home: bin/java, its release file and cacerts (JDK 8
// keeps it under jre/).
func jdkAt(spec map[string]string, home, version string) {
	spec[home+"/bin/java"] = "#!"
	spec[home+"/release"] = release(version)
	if strings.HasPrefix(version, "1.8") {
		spec[home+"/jre/lib/security/cacerts"] = "x"
		spec[home+"/jre/bin/java"] = "#!"
	} else if _, ok := spec[home+"/lib/security/cacerts"]; !ok {
		spec[home+"/lib/security/cacerts"] = "x"
	}
}

type found struct{ Home, Cacerts, Version, Via string }

func TestFindEveryKindOfInstallation(t *testing.T) {
	spec := map[string]string{
		"etc/ssl/certs/java/cacerts":                             "x",
		"usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts": "-> /etc/ssl/certs/java/cacerts",
		"usr/lib/jvm/temurin-25-jdk-amd64/lib/security/cacerts":  "-> /etc/ssl/certs/java/cacerts",
		"usr/lib/jvm/java-1.17.0-openjdk-amd64":                  "-> java-17-openjdk-amd64",
		"usr/lib/jvm/openjdk-17/src.zip":                         "not a home",
		"usr/bin/java":                                           "-> /etc/alternatives/java",
		"etc/alternatives/java":                                  "-> /usr/lib/jvm/java-17-openjdk-amd64/bin/java",
		"home/dev/.sdkman/candidates/java/current":               "-> 21.0.2-tem",
		"opt/skills/readme":                                      "no JDK here",
	}
	jdkAt(spec, "usr/lib/jvm/java-17-openjdk-amd64", "17.0.15")
	jdkAt(spec, "usr/lib/jvm/temurin-25-jdk-amd64", "25.0.3")
	jdkAt(spec, "usr/lib/jvm/jdk8", "1.8.0_402")
	jdkAt(spec, "usr/java/jdk-11.0.22", "11.0.22")
	jdkAt(spec, "opt/java/openjdk", "21.0.5")
	jdkAt(spec, "Library/Java/JavaVirtualMachines/zulu-17.jdk/Contents/Home", "17.0.12")
	jdkAt(spec, "home/dev/.sdkman/candidates/java/21.0.2-tem", "21.0.2")
	jdkAt(spec, "home/dev/.jdks/corretto-11.0.25", "11.0.25")
	jdkAt(spec, "home/dev/.gradle/jdks/eclipse_adoptium-17-amd64-linux/jdk-17.0.9+9", "17.0.9")
	jdkAt(spec, "home/dev/.asdf/installs/java/temurin-22.0.1+8", "22.0.1")
	jdkAt(spec, "srv/jdk-23", "23.0.1")
	root := machine(t, spec)
	env := map[string]string{"JAVA_HOME": "/usr/lib/jvm/jdk8", "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/dev"}
	got, notes, err := jdk.Find(jdk.Search{FS: root, Getenv: func(k string) string { return env[k] }, JavaHomes: []string{"/srv/jdk-23"}})
	if err != nil {
		t.Fatal(err)
	}
	var list []found
	for _, in := range got {
		list = append(list, found{in.Home, in.Cacerts, in.Version, in.Via})
	}
	want := []found{
		{"/srv/jdk-23", "/srv/jdk-23/lib/security/cacerts", "23.0.1", "--java-home"},
		{"/usr/lib/jvm/jdk8", "/usr/lib/jvm/jdk8/jre/lib/security/cacerts", "1.8.0_402", "JAVA_HOME"},
		{"/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts", "17.0.15", "PATH"},
		{"/usr/lib/jvm/temurin-25-jdk-amd64", "/usr/lib/jvm/temurin-25-jdk-amd64/lib/security/cacerts", "25.0.3", "/usr/lib/jvm"},
		{"/usr/java/jdk-11.0.22", "/usr/java/jdk-11.0.22/lib/security/cacerts", "11.0.22", "/usr/java"},
		{"/opt/java/openjdk", "/opt/java/openjdk/lib/security/cacerts", "21.0.5", "/opt"},
		{"/Library/Java/JavaVirtualMachines/zulu-17.jdk/Contents/Home", "/Library/Java/JavaVirtualMachines/zulu-17.jdk/Contents/Home/lib/security/cacerts", "17.0.12", "/Library/Java/JavaVirtualMachines"},
		{"/home/dev/.sdkman/candidates/java/21.0.2-tem", "/home/dev/.sdkman/candidates/java/21.0.2-tem/lib/security/cacerts", "21.0.2", "SDKMAN"},
		{"/home/dev/.jdks/corretto-11.0.25", "/home/dev/.jdks/corretto-11.0.25/lib/security/cacerts", "11.0.25", "~/.jdks"},
		{"/home/dev/.gradle/jdks/eclipse_adoptium-17-amd64-linux/jdk-17.0.9+9", "/home/dev/.gradle/jdks/eclipse_adoptium-17-amd64-linux/jdk-17.0.9+9/lib/security/cacerts", "17.0.9", "Gradle"},
		{"/home/dev/.asdf/installs/java/temurin-22.0.1+8", "/home/dev/.asdf/installs/java/temurin-22.0.1+8/lib/security/cacerts", "22.0.1", "asdf"},
	}
	if d := cmp.Diff(want, list); d != "" {
		t.Errorf("Find (-want +got):\n%s", d)
	}
	if len(notes) != 0 {
		t.Errorf("notes: %q", notes)
	}
}

func TestFindJDK8FromItsJRE(t *testing.T) {
	spec := map[string]string{"usr/bin/java": "-> /usr/lib/jvm/jdk8/jre/bin/java"}
	jdkAt(spec, "usr/lib/jvm/jdk8", "1.8.0_402")
	root := machine(t, spec)
	env := map[string]string{"PATH": "/usr/bin"}
	got, _, err := jdk.Find(jdk.Search{FS: root, Getenv: func(k string) string { return env[k] }})
	if err != nil || len(got) != 1 || got[0].Home != "/usr/lib/jvm/jdk8" || got[0].Via != "PATH" {
		t.Fatalf("Find = %+v, %v; want the JDK 8 home once, found on PATH", got, err)
	}
}

func TestFindReportsBadHomes(t *testing.T) {
	root := machine(t, map[string]string{"srv/empty/": ""})
	env := map[string]string{"JAVA_HOME": "/srv/empty"}
	getenv := func(k string) string { return env[k] }
	_, notes, err := jdk.Find(jdk.Search{FS: root, Getenv: getenv})
	if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "JAVA_HOME=/srv/empty") {
		t.Errorf("a JAVA_HOME without cacerts: notes %q, err %v; want one note naming it", notes, err)
	}
	_, _, err = jdk.Find(jdk.Search{FS: root, Getenv: getenv, JavaHomes: []string{"/srv/empty"}})
	if !errors.Is(err, jdk.ErrNoJDK) || !strings.Contains(err.Error(), "--java-home /srv/empty") {
		t.Errorf("a --java-home without cacerts: %v; want an ErrNoJDK naming it", err)
	}
}

func TestFindUsesToolVariables(t *testing.T) {
	spec := map[string]string{}
	jdkAt(spec, "data/sdkman/candidates/java/17.0.9-tem", "17.0.9")
	jdkAt(spec, "data/gradle/jdks/jdk-21", "21.0.1")
	jdkAt(spec, "data/asdf/installs/java/zulu-11", "11.0.2")
	root := machine(t, spec)
	env := map[string]string{"HOME": "/home/dev", "SDKMAN_DIR": "/data/sdkman", "GRADLE_USER_HOME": "/data/gradle", "ASDF_DATA_DIR": "/data/asdf"}
	got, _, err := jdk.Find(jdk.Search{FS: root, Getenv: func(k string) string { return env[k] }})
	if err != nil || len(got) != 3 {
		t.Fatalf("Find = %+v, %v; want the three JDKs under the tools' own directories", got, err)
	}
}

func TestReleaseVersion(t *testing.T) {
	for in, want := range map[string]string{
		release("17.0.15"):                           "17.0.15",
		"JAVA_VERSION=\"1.8.0_402\"\r\n":             "1.8.0_402",
		"  JAVA_VERSION = \"21\"  ":                  "21",
		"JAVA_VERSION=25.0.3\n":                      "25.0.3",
		"JAVA_RUNTIME_VERSION=\"17.0.15+6\"\n":       "",
		"JAVA_VERSION=\"\"\n":                        "",
		"JAVA_VERSION=\"a\"b\"\n":                    "",
		"":                                           "",
		"MODULES=\"java.base\"\nJAVA_VERSION=\"11\"": "11",
	} {
		if got := jdk.ReleaseVersion([]byte(in)); got != want {
			t.Errorf("ReleaseVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzReleaseVersion(f *testing.F) {
	f.Add([]byte(release("17.0.15")))
	f.Add([]byte("JAVA_VERSION=\"1.8.0_402\"\r\n"))
	f.Add([]byte("JAVA_VERSION=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v := jdk.ReleaseVersion(data)
		if strings.ContainsAny(v, "\"\r\n\x00") || len(v) > 64 {
			t.Fatalf("ReleaseVersion gave %q", v)
		}
		if v != "" && !strings.Contains(string(data), v) {
			t.Fatalf("ReleaseVersion gave %q, which is not in the file", v)
		}
	})
}
