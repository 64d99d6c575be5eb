package jdk

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/trustctl/trustctl/internal/safefile"
)

// FS is the file system [Find] searches: this machine or a sysroot. Paths
// given to it and returned by it are paths of that machine ("/usr/lib/jvm").
type FS interface {
	// Real returns name with every symlink resolved within the file
	// system; a name that does not exist is returned cleaned.
	Real(name string) (string, error)
	// Host returns where a path from Real is on this host, to open it.
	Host(name string) string
}

// Install is one Java installation found by [Find].
type Install struct {
	// Home is the Java home as it was found (symlinks kept), a path of
	// the machine searched.
	Home string `json:"home"`
	// Cacerts is the default truststore under Home, as found:
	// lib/security/cacerts (JDK 9+) or jre/lib/security/cacerts (JDK 8).
	Cacerts string `json:"cacerts"`
	// Version is JAVA_VERSION from Home/release ("17.0.15", "1.8.0_402"),
	// or "" when the JDK has no release file.
	Version string `json:"version,omitempty"`
	// Via says where it was found: "--java-home", "JAVA_HOME", "PATH",
	// a directory such as "/usr/lib/jvm", or "SDKMAN", "asdf", ...
	Via string `json:"via"`
	// realHome identifies the installation across the names it is found
	// under (/usr/lib/jvm/java-1.17.0-openjdk-amd64 is a link to
	// java-17-openjdk-amd64).
	realHome string
}

// Search says where [Find] looks.
type Search struct {
	FS FS
	// Getenv reads JAVA_HOME, PATH, HOME and the tools' own variables
	// (SDKMAN_DIR, GRADLE_USER_HOME, ASDF_DATA_DIR) of the machine.
	Getenv func(string) string
	// JavaHomes are homes named on the command line (--java-home); they
	// come first, and one that is not a Java home is an error.
	JavaHomes []string
}

// Directories whose entries are Java homes, on the machine and under the
// user's home. Oracle's RPMs install in /usr/java, SUSE uses /usr/lib64/jvm,
// the eclipse-temurin images /opt/java/openjdk, Gradle toolchains
// ~/.gradle/jdks/<vendor-version-os>/<jdk>, macOS
// /Library/Java/JavaVirtualMachines/<jdk>/Contents/Home, and IntelliJ
// downloads to ~/.jdks (Linux) or ~/Library/Java/JavaVirtualMachines.
var systemDirs = []string{
	"/usr/lib/jvm",
	"/usr/lib64/jvm",
	"/usr/java",
	"/opt",
	"/Library/Java/JavaVirtualMachines",
}

var userDirs = []struct {
	env, envRel string // a variable that moves the tool's directory, and the part under it
	rel         string // under HOME otherwise
	via         string
}{
	{"SDKMAN_DIR", "candidates/java", ".sdkman/candidates/java", "SDKMAN"},
	{"", "", ".jdks", "~/.jdks"},
	{"GRADLE_USER_HOME", "jdks", ".gradle/jdks", "Gradle"},
	{"ASDF_DATA_DIR", "installs/java", ".asdf/installs/java", "asdf"},
	{"", "", "Library/Java/JavaVirtualMachines", "~/Library/Java/JavaVirtualMachines"},
}

// Find returns every Java installation on the machine that has a default
// truststore: the --java-home directories, $JAVA_HOME, the java on $PATH,
// then the entries of the well-known directories (and one level below
// them), in that order. An installation found under several names (a
// symlink to its home, SDKMAN's "current") is returned once, under its
// real name when that is found too. notes says what was looked at and passed over ($JAVA_HOME naming a
// directory without cacerts). Only a JavaHomes entry that is not a Java
// home is an error, wrapping [ErrNoJDK].
func Find(s Search) (found []Install, notes []string, err error) {
	f := finder{s: s, seen: map[string]int{}}
	for _, h := range s.JavaHomes {
		in, ok := f.home(h, "--java-home")
		if !ok {
			return nil, nil, fmt.Errorf("--java-home %s: %w: no lib/security/cacerts or jre/lib/security/cacerts in it", h, ErrNoJDK)
		}
		f.add(in)
	}
	if h := f.getenv("JAVA_HOME"); h != "" {
		if in, ok := f.home(h, "JAVA_HOME"); ok {
			f.add(in)
		} else {
			f.notes = append(f.notes, fmt.Sprintf("JAVA_HOME=%s holds no cacerts; passed over", h))
		}
	}
	if in, ok := f.onPath(); ok {
		f.add(in)
	}
	for _, d := range systemDirs {
		f.scan(d, d)
	}
	if home := f.getenv("HOME"); home != "" {
		for _, d := range userDirs {
			dir := path.Join(home, d.rel)
			if d.env != "" {
				if v := f.getenv(d.env); v != "" {
					dir = path.Join(v, d.envRel)
				}
			}
			f.scan(dir, d.via)
		}
	}
	return f.found, f.notes, nil
}

type finder struct {
	s     Search
	seen  map[string]int // real home → index in found
	found []Install
	notes []string
}

func (f *finder) getenv(k string) string {
	if f.s.Getenv == nil {
		return ""
	}
	return f.s.Getenv(k)
}

// add records an installation once. Found again under its real name
// after an alias (java-1.17.0-openjdk-amd64 sorts before
// java-17-openjdk-amd64, SDKMAN's current before the version), it is
// named by its real home; where it was found first is kept.
func (f *finder) add(in Install) {
	i, ok := f.seen[in.realHome]
	if !ok {
		f.seen[in.realHome] = len(f.found)
		f.found = append(f.found, in)
		return
	}
	if old := &f.found[i]; old.Home != in.realHome && in.Home == in.realHome {
		old.Home, old.Cacerts = in.Home, in.Cacerts
	}
}

// stat returns what the machine path is, following symlinks.
func (f *finder) stat(name string) (fs.FileInfo, error) {
	real, err := f.s.FS.Real(name)
	if err != nil {
		return nil, err
	}
	return os.Stat(f.s.FS.Host(real))
}

// home returns the installation at dir when it is a Java home: it has a
// cacerts file where JDK 9+ or JDK 8 keep it. A macOS bundle's
// Contents/Home counts for the bundle, and a JDK 8 jre/ directory for the
// JDK around it.
func (f *finder) home(dir, via string) (Install, bool) {
	dir = path.Clean("/" + dir)
	if fi, err := f.stat(path.Join(dir, "Contents", "Home")); err == nil && fi.IsDir() {
		if in, ok := f.home(path.Join(dir, "Contents", "Home"), via); ok {
			return in, true
		}
	}
	if path.Base(dir) == "jre" {
		if in, ok := f.home(path.Dir(dir), via); ok && strings.HasSuffix(in.Cacerts, "/jre/lib/security/cacerts") {
			return in, true
		}
	}
	for _, rel := range cacertsPaths {
		p := path.Join(dir, rel)
		fi, err := f.stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		real, err := f.s.FS.Real(dir)
		if err != nil {
			return Install{}, false
		}
		return Install{Home: dir, Cacerts: p, Version: f.version(real), Via: via, realHome: real}, true
	}
	return Install{}, false
}

// onPath finds the java on PATH, as a shell of the machine would, and the
// home above its bin/ directory.
func (f *finder) onPath() (Install, bool) {
	for _, dir := range strings.Split(f.getenv("PATH"), ":") {
		if dir == "" || !strings.HasPrefix(dir, "/") {
			continue // a relative PATH entry depends on where trustctl runs
		}
		java, err := f.s.FS.Real(path.Join(dir, "java"))
		if err != nil {
			continue
		}
		fi, err := os.Stat(f.s.FS.Host(java))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
			continue
		}
		bin := path.Dir(java)
		if path.Base(bin) != "bin" {
			f.notes = append(f.notes, fmt.Sprintf("%s (the java on PATH) is not in a bin directory of a Java home; passed over", java))
			return Install{}, false
		}
		in, ok := f.home(path.Dir(bin), "PATH")
		return in, ok
	}
	return Install{}, false
}

// scan adds the Java homes among dir's entries, and one level below an
// entry that is not one itself (Gradle's and /opt's layouts).
func (f *finder) scan(dir, via string) {
	for _, name := range f.list(dir) {
		p := path.Join(dir, name)
		if in, ok := f.home(p, via); ok {
			f.add(in)
			continue
		}
		for _, sub := range f.list(p) {
			if in, ok := f.home(path.Join(p, sub), via); ok {
				f.add(in)
			}
		}
	}
}

// list returns the names of the directories in dir, sorted; hidden ones
// are left out.
func (f *finder) list(dir string) []string {
	real, err := f.s.FS.Real(dir)
	if err != nil {
		return nil
	}
	ents, err := os.ReadDir(f.s.FS.Host(real))
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if e.IsDir() || e.Type()&fs.ModeSymlink != 0 {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// version reads JAVA_VERSION from the release file of a real home.
func (f *finder) version(realHome string) string {
	// A few hundred bytes; never a FIFO or a device, which could hang.
	data, err := safefile.Read(f.s.FS.Host(path.Join(realHome, "release")), 1<<20)
	if err != nil {
		return ""
	}
	return ReleaseVersion(data)
}

// ReleaseVersion returns JAVA_VERSION from the contents of a JDK's release
// file (lines of KEY="value", as JDK 8 and later write them), or "" when
// there is none. The value is returned without its quotes.
func ReleaseVersion(data []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.TrimSpace(k) != "JAVA_VERSION" {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		if v == "" || strings.ContainsAny(v, "\"\r\n\x00") || len(v) > 64 {
			return ""
		}
		return v
	}
	return ""
}
