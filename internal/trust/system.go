package trust

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/trustctl/trustctl/internal/pemfile"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/source"
)

// layout is one family of systems: where local anchors go, how they are
// named, the tool that rebuilds the bundle and the bundle clients read.
type layout struct {
	name    string
	dir     string
	ext     string
	onlyExt bool // the refresh tool reads only files with ext
	refresh []string
	bundle  string
}

// layouts are the systems trustctl knows. Debian's update-ca-certificates
// reads only *.crt files under /usr/local/share/ca-certificates (Alpine
// uses the same tool and directory); p11-kit based systems (RHEL, Fedora,
// SUSE, Arch) read PEM or DER anchors of any name.
var layouts = []*layout{
	{name: "Debian/Ubuntu", dir: "/usr/local/share/ca-certificates", ext: ".crt", onlyExt: true,
		refresh: []string{"update-ca-certificates"}, bundle: "/etc/ssl/certs/ca-certificates.crt"},
	{name: "RHEL/Fedora/CentOS", dir: "/etc/pki/ca-trust/source/anchors", ext: ".pem",
		refresh: []string{"update-ca-trust", "extract"}, bundle: "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"},
	{name: "SUSE", dir: "/etc/pki/trust/anchors", ext: ".pem",
		refresh: []string{"update-ca-certificates"}, bundle: "/var/lib/ca-certificates/ca-bundle.pem"},
	{name: "Arch", dir: "/etc/ca-certificates/trust-source/anchors", ext: ".crt",
		refresh: []string{"update-ca-trust"}, bundle: "/etc/ca-certificates/extracted/tls-ca-bundle.pem"},
}

// findSystem returns a place for each anchors directory that exists.
func findSystem(m *Machine) []*Place {
	var places []*Place
	for _, l := range layouts {
		real, host, err := m.realPath(l.dir)
		if err != nil {
			continue
		}
		if fi, err := os.Stat(host); err != nil || !fi.IsDir() {
			continue
		}
		name := l.name
		if l.onlyExt {
			if _, h, err := m.realPath("/etc/alpine-release"); err == nil && exists(h) {
				name = "Alpine"
			}
		}
		p := &Place{Kind: KindSystem, Path: l.dir, Real: real, Layout: name, Format: "anchors", Entries: -1,
			Refresh: l.refresh, Bundle: l.bundle, host: host, layout: l}
		readSystem(m, p)
		places = append(places, p)
	}
	return places
}

func exists(host string) bool { _, err := os.Stat(host); return err == nil }

// readSystem reads the anchors (recursively, as update-ca-certificates
// does) and the bundle the refresh tool last wrote.
func readSystem(m *Machine, p *Place) {
	p.have = map[[32]byte][]string{}
	p.files = map[string]bool{}
	n := 0
	err := walkAnchors(m, p.Real, "", 0, func(rel string, data []byte) {
		p.files[rel] = true
		if p.layout.onlyExt && !strings.HasSuffix(rel, p.layout.ext) {
			return
		}
		set, err := source.Parse(data, rel, source.Options{})
		if err != nil {
			return
		}
		for _, c := range set.Unique() {
			p.have[c.SHA256()] = append(p.have[c.SHA256()], rel)
			n++
		}
	})
	if err != nil {
		p.Problem = "cannot read: " + errText(err)
		p.have = nil
		return
	}
	p.Entries = n
	p.Writable = writableDir(p.host)
	if _, host, err := m.realPath(p.Bundle); err == nil {
		if data, err := safefile.Read(host, safefile.MaxSize); err == nil {
			p.hasBndl = true
			p.bundled = map[[32]byte]bool{}
			if set, err := source.Parse(data, p.Bundle, source.Options{}); err == nil {
				for _, c := range set.Certs {
					p.bundled[c.SHA256()] = true
				}
			}
		}
	}
}

// walkAnchors calls fn for each regular, non-hidden file under the
// machine directory dir, with its path relative to the anchors directory.
func walkAnchors(m *Machine, dir, rel string, depth int, fn func(rel string, data []byte)) error {
	_, host, err := m.realPath(dir)
	if err != nil {
		return err
	}
	ents, err := os.ReadDir(host)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		_, h, err := m.realPath(path.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		fi, err := os.Stat(h)
		if err != nil {
			continue
		}
		r := path.Join(rel, e.Name())
		switch {
		case fi.IsDir() && depth < 4:
			if err := walkAnchors(m, path.Join(dir, e.Name()), r, depth+1, fn); err != nil {
				return err
			}
		case fi.Mode().IsRegular():
			if data, err := safefile.Read(h, 16<<20); err == nil {
				fn(r, data)
			}
		}
	}
	return nil
}

// applySystem writes or removes anchor files, then runs the refresh tool
// unless in a sysroot.
func applySystem(ctx context.Context, m *Machine, op Op, c *Change) error {
	p := c.Place
	for _, s := range c.Steps {
		var err error
		switch s.Action {
		case ActAdd:
			err = addAnchor(m, p, s)
		case ActRemove:
			err = removeAnchor(m, p, s, c.Steps)
		}
		if err != nil {
			return err
		}
		if s.Action == ActAdded || s.Action == ActRemoved {
			c.Changed = true
		}
	}
	if c.Refresh == nil || !c.Refresh.Run {
		return nil
	}
	return runRefresh(ctx, m, c)
}

// addAnchor writes the certificate as a new PEM file; an anchor file is
// never overwritten.
func addAnchor(m *Machine, p *Place, s *Step) error {
	_, host, err := m.realPath(path.Join(p.Real, s.Name))
	if err != nil {
		return err
	}
	if !m.Root.Inside(host) {
		return fmt.Errorf("%s is outside the sysroot", host)
	}
	data := pemfile.EncodeCerts(s.target.Cert.Raw)
	if err := safefile.Write(host, data, safefile.Options{Perm: 0o644, NoOverwrite: true}); err != nil {
		if errors.Is(err, safefile.ErrExists) {
			return fmt.Errorf("%s appeared meanwhile; run trustctl again", path.Join(p.Path, s.Name))
		}
		return err
	}
	s.Action = ActAdded
	return nil
}

// removeAnchor removes the certificate from an anchor file: the file goes
// when it holds nothing else, otherwise it is rewritten without it (and
// without the other certificates this plan removes).
func removeAnchor(m *Machine, p *Place, s *Step, all []*Step) error {
	// The file itself, not what a symlink in the directory points to.
	realDir, hostDir, err := m.realPath(p.Real)
	if err != nil {
		return err
	}
	link := m.Root.Host(path.Join(realDir, s.Name))
	_, host, err := m.realPath(path.Join(realDir, s.Name))
	if err != nil {
		return err
	}
	if !m.Root.Inside(link) || !m.Root.Inside(host) {
		return fmt.Errorf("%s is outside the sysroot", link)
	}
	data, err := safefile.Read(host, safefile.MaxSize)
	if errors.Is(err, fs.ErrNotExist) {
		s.Action = ActAbsent
		return nil
	}
	if err != nil {
		return err
	}
	set, err := source.Parse(data, s.Name, source.Options{})
	if err != nil {
		return err
	}
	drop := map[[32]byte]bool{}
	for _, o := range all {
		if o.Action == ActRemove || o.Action == ActRemoved {
			drop[o.target.SHA256] = true
		}
	}
	var keep [][]byte
	found := false
	for _, c := range set.Unique() {
		if drop[c.SHA256()] {
			found = found || c.SHA256() == s.target.SHA256
			continue
		}
		keep = append(keep, c.Raw)
	}
	switch {
	case !found:
		s.Action = ActAbsent
		return nil
	case len(keep) == 0:
		if err := os.Remove(link); err != nil {
			return err
		}
		if err := safefile.SyncDir(hostDir); err != nil {
			return err
		}
	default:
		if err := safefile.Write(host, pemfile.EncodeCerts(keep...), safefile.Options{Perm: 0o644}); err != nil {
			return err
		}
	}
	for _, o := range all {
		if o.Name == s.Name && o.Action == ActRemove && drop[o.target.SHA256] {
			o.Action = ActRemoved // the same file held it
		}
	}
	return nil
}

// runRefresh runs the system's refresh tool, found on this host.
func runRefresh(ctx context.Context, m *Machine, c *Change) error {
	cmd := c.Refresh.Command
	prog, err := m.Tools.lookPath(cmd[0])
	if err != nil {
		return fmt.Errorf("%s not found: the bundle clients read (%s) was not rebuilt", cmd[0], c.Place.Bundle)
	}
	if _, err := m.Tools.run(ctx, prog, cmd[1:], nil); err != nil {
		return fmt.Errorf("%s: %v", strings.Join(cmd, " "), err)
	}
	c.Refresh.Ran = true
	return nil
}
