// Package trust finds the places on a machine that decide which
// certificate authorities TLS clients trust, and makes all of them trust,
// or stop trusting, a set of CA certificates: the default truststore of
// every JDK installed, the operating system's anchors (with the tool that
// rebuilds the bundle clients read), and NSS databases (Chromium's
// ~/.pki/nssdb, Firefox profiles).
//
// A JDK truststore is changed in-process, in its own format (JKS, or
// PKCS#12 with or without a password, as JDK 18+ ships cacerts), through
// symlinks to the real file, atomically; no JVM and no keytool is needed.
// JDKs that share one file through symlinks (Debian links every JDK's
// cacerts to /etc/ssl/certs/java/cacerts) are one place. OS anchors are
// plain files in the distribution's anchors directory; NSS databases are
// changed through certutil, the one supported way to write them, and are
// skipped, with the reason, when it is missing.
//
// The machine is this one or a sysroot ([Root]): a directory seen as if
// it were "/", as a container image build or a test sees it. In a sysroot
// every path of the machine — JAVA_HOME, PATH and HOME included — is looked
// up inside it, and no refresh tool of this host is run on it.
//
// It does not read or change the Windows certificate store or the macOS
// keychain, does not read java.security overrides (javax.net.ssl.trustStore),
// and never asks for a password: a JDK store whose password is not the one
// given (changeit by default), or an NSS database with a password, is
// reported and left out.
package trust

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/trustctl/trustctl/internal/jdk"
)

// Kind is the kind of a place.
type Kind string

// The kinds of places, in the order they are listed.
const (
	KindJDK    Kind = "jdk"
	KindSystem Kind = "system"
	KindNSS    Kind = "nss"
)

// Kinds are all kinds, in the order places are listed.
var Kinds = []Kind{KindJDK, KindSystem, KindNSS}

// ParseKind reads an --only value: jdk, system or nss.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if strings.EqualFold(s, string(k)) {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown kind of place %q: use jdk, system or nss", s)
}

// DefaultPassword is the password every JDK ships its cacerts with.
const DefaultPassword = "changeit"

// Machine is the machine trustctl looks at, and how.
type Machine struct {
	// Root is this machine or a sysroot.
	Root Root
	// Getenv reads the machine's HOME, JAVA_HOME and PATH (in a sysroot,
	// they are paths inside it).
	Getenv func(string) string
	// JavaHomes are homes named with --java-home, paths of the machine.
	JavaHomes []string
	// Password is the password of the JDK truststores; nil means
	// changeit. A store it does not open is reported, never guessed at.
	Password []byte
	// Refresh runs the OS refresh tool (update-ca-certificates, ...)
	// after the anchors change. It is off for a sysroot: this host's tool
	// must not rebuild another root's bundle.
	Refresh bool
	// Only limits the kinds of places; empty means all.
	Only []Kind
	// Tools finds and runs certutil and the refresh tools.
	Tools Tools
}

func (m *Machine) getenv(k string) string {
	if m.Getenv == nil {
		return ""
	}
	return m.Getenv(k)
}

func (m *Machine) password() []byte {
	if m.Password == nil {
		return []byte(DefaultPassword)
	}
	return m.Password
}

func (m *Machine) wants(k Kind) bool {
	if len(m.Only) == 0 {
		return true
	}
	for _, o := range m.Only {
		if o == k {
			return true
		}
	}
	return false
}

// Sysroot is the host directory of a sysroot, or "" for this machine.
func (m *Machine) Sysroot() string {
	if m.Root.IsHost() {
		return ""
	}
	return m.Root.Dir()
}

// Place is one place that decides trust.
type Place struct {
	Kind Kind `json:"kind"`
	// Path is the place as found, a path of the machine: a JDK's cacerts
	// (the first JDK's, when several share the file), an anchors
	// directory, an NSS database directory.
	Path string `json:"path"`
	// Real is Path with symlinks resolved: the file that is changed.
	Real string `json:"real"`
	// JDKs are the installations whose truststore this is.
	JDKs []jdk.Install `json:"jdks,omitempty"`
	// Layout names the system ("Debian/Ubuntu", "RHEL/Fedora") or the
	// program (Chromium, Firefox) the place belongs to.
	Layout string `json:"layout,omitempty"`
	// Format is JKS, PKCS12, "PKCS12 (no password)", "anchors", "NSS sql"
	// or "NSS dbm"; "" when the place could not be read.
	Format string `json:"format,omitempty"`
	// Entries is the number of certificates there, -1 when unknown.
	Entries int `json:"entries"`
	// Writable says whether trustctl may change the place (the directory
	// that holds it is writable, and it could be read).
	Writable bool `json:"writable"`
	// Refresh is the system's refresh tool and its arguments; Bundle is
	// the file it rebuilds, which clients read.
	Refresh []string `json:"refresh,omitempty"`
	Bundle  string   `json:"bundle,omitempty"`
	// Problem says why the place cannot be changed (and perhaps not
	// read): certutil missing, a store password that is not the one given.
	Problem string `json:"problem,omitempty"`
	// Note is what else a reader should know (a JKS store read without
	// its password).
	Note string `json:"note,omitempty"`

	host    string                // the host path of Real
	have    map[[32]byte][]string // certificate → the names holding it (alias, file, nickname)
	bundled map[[32]byte]bool     // system: in the bundle the refresh tool wrote
	hasBndl bool                  // system: the bundle exists
	files   map[string]bool       // system: every file in the anchors directory
	nss     nssInfo
	layout  *layout
}

// State is whether a place trusts a certificate.
type State string

// The states a place can be in for one certificate.
const (
	Unknown State = "unknown" // the place could not be read
	Missing State = "no"
	Trusted State = "yes"
	// Pending: anchored, but the bundle clients read was not rebuilt
	// since (the refresh tool has to run).
	Pending State = "pending"
	// Bundled: in the system bundle without being an anchor (shipped by
	// the distribution, or removed from the anchors before a refresh).
	Bundled State = "bundled"
)

// Trusts reports whether the state means clients trust the certificate.
func (s State) Trusts() bool { return s == Trusted || s == Bundled }

// State says whether the place trusts the certificate with this SHA-256
// fingerprint.
func (p *Place) State(sum [32]byte) State {
	if p.have == nil {
		return Unknown
	}
	switch p.Kind {
	case KindSystem:
		anchored := len(p.have[sum]) > 0
		switch {
		case anchored && (!p.hasBndl || p.bundled[sum]):
			return Trusted
		case anchored:
			return Pending
		case p.bundled[sum]:
			return Bundled
		}
		return Missing
	case KindNSS:
		if p.nss.trusted[sum] {
			return Trusted
		}
		return Missing
	}
	if len(p.have[sum]) > 0 {
		return Trusted
	}
	return Missing
}

// Find returns every place on the machine of the kinds wanted, each read
// (its format, entries and what it trusts), in the order jdk, system, nss.
// notes say what was passed over. Only a bad --java-home is an error.
func Find(ctx context.Context, m *Machine) (places []*Place, notes []string, err error) {
	if m.wants(KindJDK) {
		ps, ns, err := findJDKs(m)
		if err != nil {
			return nil, nil, err
		}
		places, notes = append(places, ps...), append(notes, ns...)
	}
	if m.wants(KindSystem) {
		places = append(places, findSystem(m)...)
	}
	if m.wants(KindNSS) {
		places = append(places, findNSS(ctx, m)...)
	}
	if m.getenv("HOME") == "" && (m.wants(KindJDK) || m.wants(KindNSS)) {
		notes = append(notes, "HOME is not set: SDKMAN, ~/.jdks, ~/.gradle/jdks, asdf and NSS databases were not looked for")
	}
	return places, notes, nil
}

// names returns the sorted names a place holds a certificate under.
func (p *Place) names(sum [32]byte) []string {
	out := append([]string(nil), p.have[sum]...)
	sort.Strings(out)
	return out
}

// realPath resolves a machine path within the root, and returns it with
// its host path; it fails for a path that would lead out of a sysroot.
func (m *Machine) realPath(name string) (real, host string, err error) {
	real, err = m.Root.Real(name)
	if err != nil {
		return "", "", err
	}
	host = m.Root.Host(real)
	if !m.Root.Inside(host) {
		return "", "", fmt.Errorf("%s leads out of the sysroot %s", name, m.Root.Dir())
	}
	return real, host, nil
}

// Report is what status found.
type Report struct {
	Sysroot string
	Places  []*Place
	Notes   []string
	Targets []Target
}

// Status finds and reads every place, for the targets given (if any).
func Status(ctx context.Context, m *Machine, targets []Target) (*Report, error) {
	places, notes, err := Find(ctx, m)
	if err != nil {
		return nil, err
	}
	return &Report{Sysroot: m.Sysroot(), Places: places, Notes: notes, Targets: targets}, nil
}

// Missing counts the places that do not trust each target (pending and
// unknown count as not trusting).
func (r *Report) Missing() int {
	n := 0
	for _, t := range r.Targets {
		n += r.NotTrusting(t)
	}
	return n
}

// NotTrusting counts the places that do not trust t (pending and unknown
// count as not trusting).
func (r *Report) NotTrusting(t Target) int {
	n := 0
	for _, p := range r.Places {
		if !p.State(t.SHA256).Trusts() {
			n++
		}
	}
	return n
}
