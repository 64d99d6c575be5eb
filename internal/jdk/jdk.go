// Package jdk finds Java installations and their default truststores, the
// file keytool opens for -cacerts: [Cacerts] the one JDK a command runs
// with (--cacerts), [Find] every JDK on a machine or in a sysroot (trust).
//
// The JDK itself locates cacerts from its java.home system property; without
// running java, trustctl reproduces that from $JAVA_HOME, the java binary on
// PATH and the directories JDKs are installed in, and reads the version
// from the JDK's release file. It does not run java or read the
// java.security file (a javax.net.ssl.trustStore override set there or on a
// command line is not seen).
package jdk

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrNoJDK is returned (wrapped) when no JDK, or no cacerts file in it, is found.
var ErrNoJDK = errors.New("no JDK found")

// Env is where [Home] and [Cacerts] look. The zero value uses the process
// environment (os.Getenv) and PATH (exec.LookPath); tests replace the functions.
type Env struct {
	Getenv   func(key string) string
	LookPath func(file string) (string, error)
}

func (e Env) getenv(k string) string {
	if e.Getenv != nil {
		return e.Getenv(k)
	}
	return os.Getenv(k)
}

func (e Env) lookPath(f string) (string, error) {
	if e.LookPath != nil {
		return e.LookPath(f)
	}
	return exec.LookPath(f)
}

// Relative locations of cacerts under a Java home. JDK 9 and later dropped the
// separate jre/ directory (JEP 220), so lib/security/cacerts comes first; a
// JDK 8 home keeps it in jre/lib/security/cacerts. When the home is a JDK 8 jre/
// directory itself (its bin/java is the one on PATH), the first form matches.
var cacertsRel = []string{
	filepath.FromSlash(cacertsPaths[0]),
	filepath.FromSlash(cacertsPaths[1]),
}

// cacertsPaths are the same locations with "/", as paths of a machine
// [Find] searches.
var cacertsPaths = []string{"lib/security/cacerts", "jre/lib/security/cacerts"}

// Home returns the Java home directory: $JAVA_HOME when set, else the
// directory above bin/ of the java found on PATH, with symlinks resolved
// (Debian's /usr/bin/java leads through /etc/alternatives to
// /usr/lib/jvm/java-17-openjdk-amd64/bin/java).
func Home(env Env) (string, error) {
	if h := env.getenv("JAVA_HOME"); h != "" {
		return h, nil
	}
	java, err := env.lookPath("java")
	if err != nil {
		return "", fmt.Errorf("%w: JAVA_HOME is not set and java is not on PATH", ErrNoJDK)
	}
	resolved, err := filepath.EvalSymlinks(java)
	if err != nil {
		return "", fmt.Errorf("%w: resolving %s: %w", ErrNoJDK, java, err)
	}
	if !filepath.IsAbs(resolved) {
		if resolved, err = filepath.Abs(resolved); err != nil {
			return "", fmt.Errorf("%w: %w", ErrNoJDK, err)
		}
	}
	bin := filepath.Dir(resolved)
	if filepath.Base(bin) != "bin" {
		return "", fmt.Errorf("%w: %s is not in a bin directory of a Java home", ErrNoJDK, resolved)
	}
	return filepath.Dir(bin), nil
}

// Cacerts returns the path of the JDK's default truststore, found as [Home]
// describes: lib/security/cacerts (JDK 9+) or jre/lib/security/cacerts
// (JDK 8) under the Java home. When $JAVA_HOME is set it is used alone: a
// JAVA_HOME without cacerts is an error rather than a silent switch to
// another JDK. Symlinks in the returned path are kept (Debian links cacerts to
// /etc/ssl/certs/java/cacerts; the store writer resolves them itself).
// Errors wrap [ErrNoJDK].
func Cacerts(env Env) (string, error) {
	home, err := Home(env)
	if err != nil {
		return "", err
	}
	for _, rel := range cacertsRel {
		p := filepath.Join(home, rel)
		fi, err := os.Stat(p)
		if err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%w: %w", ErrNoJDK, err)
		}
	}
	from := "java on PATH"
	if env.getenv("JAVA_HOME") != "" {
		from = "JAVA_HOME"
	}
	return "", fmt.Errorf("%w: no lib/security/cacerts or jre/lib/security/cacerts under %s (from %s)", ErrNoJDK, home, from)
}
