package trust

import (
	"context"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/trustctl/trustctl/internal/source"
)

// NSS databases: Chromium's (and Chrome's) per-user database, Firefox
// profiles (native, snap, Flatpak, macOS), and RHEL's system-wide one.
var nssHomeDBs = []struct{ rel, name string }{
	{".pki/nssdb", "Chromium"},
	{"snap/chromium/current/.pki/nssdb", "Chromium (snap)"},
}

var firefoxDirs = []struct{ rel, name string }{
	{".mozilla/firefox", "Firefox"},
	{"snap/firefox/common/.mozilla/firefox", "Firefox (snap)"},
	{".var/app/org.mozilla.firefox/.mozilla/firefox", "Firefox (Flatpak)"},
	{"Library/Application Support/Firefox/Profiles", "Firefox"},
}

const systemNSSDB = "/etc/pki/nssdb"

// nssTrust is the trust certutil gives a CA for TLS servers ("C" in the
// SSL field), as Firefox's certificate manager does for "trust this CA to
// identify websites".
const nssTrust = "C,,"

type nssInfo struct {
	db        string            // certutil's -d value: sql:DIR or dbm:DIR (host path)
	nicknames map[string]string // nickname → trust attributes
	trusted   map[[32]byte]bool // trusted for TLS servers
}

// findNSS returns a place for each NSS database.
func findNSS(ctx context.Context, m *Machine) []*Place {
	type cand struct{ dir, name string }
	var cands []cand
	if home := m.getenv("HOME"); home != "" {
		for _, d := range nssHomeDBs {
			cands = append(cands, cand{path.Join(home, d.rel), d.name})
		}
		for _, d := range firefoxDirs {
			for _, prof := range listDirs(m, path.Join(home, d.rel)) {
				cands = append(cands, cand{prof, d.name})
			}
		}
	}
	cands = append(cands, cand{systemNSSDB, "system NSS"})
	var places []*Place
	seen := map[string]bool{}
	for _, c := range cands {
		real, host, err := m.realPath(c.dir)
		if err != nil || seen[real] {
			continue
		}
		var db, format string
		switch {
		case exists(path.Join(host, "cert9.db")):
			db, format = "sql:"+host, "NSS sql"
		case exists(path.Join(host, "cert8.db")):
			db, format = "dbm:"+host, "NSS dbm"
		default:
			continue
		}
		seen[real] = true
		p := &Place{Kind: KindNSS, Path: c.dir, Real: real, Layout: c.name, Format: format, Entries: -1, host: host}
		p.nss.db = db
		places = append(places, p)
	}
	if len(places) == 0 {
		return nil
	}
	certutil, err := m.Tools.lookPath("certutil")
	for _, p := range places {
		if err != nil {
			p.Problem = "skipped: certutil not found (install libnss3-tools on Debian/Ubuntu, nss-tools on RHEL/Fedora)"
			continue
		}
		if err := readNSS(ctx, m, certutil, p); err != nil {
			p.Problem = "cannot read: " + err.Error()
			continue
		}
		p.Writable = writableDir(p.host)
	}
	return places
}

// listDirs returns the directories in a machine directory, sorted.
func listDirs(m *Machine, dir string) []string {
	_, host, err := m.realPath(dir)
	if err != nil {
		return nil
	}
	ents, err := os.ReadDir(host)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() || e.Type()&os.ModeSymlink != 0 {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out
}

// readNSS lists the database's certificates and their trust.
func readNSS(ctx context.Context, m *Machine, certutil string, p *Place) error {
	out, err := m.Tools.run(ctx, certutil, []string{"-L", "-d", p.nss.db}, nil)
	if err != nil {
		return err
	}
	p.nss.nicknames = map[string]string{}
	p.nss.trusted = map[[32]byte]bool{}
	p.have = map[[32]byte][]string{}
	p.Entries = 0
	for _, e := range ParseCertutilList(out) {
		p.nss.nicknames[e.Nickname] = e.Trust
		pemOut, err := m.Tools.run(ctx, certutil, []string{"-L", "-d", p.nss.db, "-n", e.Nickname, "-a"}, nil)
		if err != nil {
			return fmt.Errorf("certificate %q: %v", e.Nickname, err)
		}
		set, err := source.Parse(pemOut, e.Nickname, source.Options{})
		if err != nil {
			return fmt.Errorf("certificate %q: %v", e.Nickname, err)
		}
		for _, c := range set.Unique() {
			p.have[c.SHA256()] = append(p.have[c.SHA256()], e.Nickname)
			p.Entries++
			if trustsServers(e.Trust) {
				p.nss.trusted[c.SHA256()] = true
			}
		}
	}
	return nil
}

// NSSEntry is one line of certutil -L: a nickname and its trust
// attributes (SSL,S/MIME,JAR/XPI).
type NSSEntry struct {
	Nickname string
	Trust    string
}

// ParseCertutilList reads the table certutil -L prints: a header, then one
// line per certificate with the nickname (which may hold spaces) and the
// trust attributes last ("CT,C,C", ",,").
func ParseCertutilList(out []byte) []NSSEntry {
	var list []NSSEntry
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimRight(line, " \t\r")
		i := strings.LastIndexAny(line, " \t")
		if i < 0 {
			continue
		}
		trust, nick := line[i+1:], strings.TrimSpace(line[:i])
		if nick == "" || !isTrustAttrs(trust) {
			continue
		}
		list = append(list, NSSEntry{Nickname: nick, Trust: trust})
	}
	return list
}

// isTrustAttrs reports whether s has the form of certutil trust
// attributes: three comma-separated runs of flag letters.
func isTrustAttrs(s string) bool {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		for _, r := range p {
			if !strings.ContainsRune("pPcCTuwkviI", r) {
				return false
			}
		}
	}
	return true
}

// trustsServers reports whether trust attributes make a certificate a CA
// trusted for TLS servers.
func trustsServers(trust string) bool {
	ssl, _, _ := strings.Cut(trust, ",")
	return strings.Contains(ssl, "C")
}

// applyNSS adds or removes certificates through certutil, after reading
// the database again.
func applyNSS(ctx context.Context, m *Machine, op Op, c *Change) error {
	p := c.Place
	if !m.Root.Inside(p.host) {
		return fmt.Errorf("%s is outside the sysroot", p.host)
	}
	certutil, err := m.Tools.lookPath("certutil")
	if err != nil {
		return fmt.Errorf("certutil not found")
	}
	if err := readNSS(ctx, m, certutil, p); err != nil {
		return err
	}
	base := []string{"-d", p.nss.db, "-f", os.DevNull}
	for _, s := range c.Steps {
		sum := s.target.SHA256
		var args []string
		var stdin []byte
		switch {
		case op == OpAdd && p.nss.trusted[sum]:
			s.Action = ActAlready
			continue
		case op == OpAdd && len(p.have[sum]) > 0:
			nick := p.have[sum][0]
			args = append([]string{"-M", "-n", nick, "-t", withServerTrust(p.nss.nicknames[nick])}, base...)
			s.Name = nick
		case op == OpAdd:
			args = append([]string{"-A", "-n", s.Name, "-t", nssTrust}, base...)
			stdin = s.target.Cert.Raw
		case s.Action == ActRemove && containsName(p.have[sum], s.Name):
			args = append([]string{"-D", "-n", s.Name}, base...)
		default:
			if s.Action == ActRemove {
				s.Action = ActAbsent
			}
			continue
		}
		if _, err := m.Tools.run(ctx, certutil, args, stdin); err != nil {
			return nssError(err)
		}
		c.Changed = true
		if op == OpAdd {
			s.Action = ActAdded
		} else {
			s.Action = ActRemoved
		}
	}
	// What certutil says it did is checked against what the database holds.
	if err := readNSS(ctx, m, certutil, p); err != nil {
		return err
	}
	for _, s := range c.Steps {
		sum := s.target.SHA256
		if (s.Action == ActAdded && !p.nss.trusted[sum]) || (s.Action == ActRemoved && len(p.have[sum]) > 0) {
			return fmt.Errorf("certutil reported success, but the database does not show it (%s)", s.Name)
		}
	}
	return nil
}

// withServerTrust adds "C" to the SSL field of trust attributes, keeping
// the others.
func withServerTrust(trust string) string {
	f := strings.SplitN(trust, ",", 3)
	for len(f) < 3 {
		f = append(f, "")
	}
	if !strings.Contains(f[0], "C") {
		f[0] += "C"
	}
	return strings.Join(f, ",")
}

func containsName(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

func nssError(err error) error {
	if strings.Contains(err.Error(), "SEC_ERROR_BAD_PASSWORD") {
		return fmt.Errorf("the NSS database has a password, which trustctl does not ask for: use certutil -A -t %s", nssTrust)
	}
	return err
}
