package trust

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/jdk"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

// findJDKs returns one place per real cacerts file, naming every JDK that
// uses it.
func findJDKs(m *Machine) ([]*Place, []string, error) {
	installs, notes, err := jdk.Find(jdk.Search{FS: m.Root, Getenv: m.getenv, JavaHomes: m.JavaHomes})
	if err != nil {
		return nil, nil, err
	}
	byReal := map[string]*Place{}
	var places []*Place
	for _, in := range installs {
		real, host, err := m.realPath(in.Cacerts)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: %v; passed over", in.Cacerts, err))
			continue
		}
		if p := byReal[real]; p != nil {
			p.JDKs = append(p.JDKs, in)
			continue
		}
		p := &Place{Kind: KindJDK, Path: in.Cacerts, Real: real, JDKs: []jdk.Install{in}, Entries: -1, host: host}
		byReal[real] = p
		places = append(places, p)
	}
	for _, p := range places {
		readJDK(m, p)
	}
	return places, notes, nil
}

// readJDK reads a JDK truststore with the password given (changeit by
// default). A JKS store whose password is another is still listed,
// unverified, so status can say what it holds; it is not written.
func readJDK(m *Machine, p *Place) {
	data, err := safefile.Read(p.host, safefile.MaxSize)
	if err != nil {
		p.Problem = "cannot read: " + errText(err)
		return
	}
	kind := source.Sniff(data)
	st, err := source.DecodeStore(data, kind, source.Options{Password: m.password(), HavePassword: true})
	if errors.Is(err, store.ErrWrongPassword) {
		p.Problem = "the store password is not " + passwordName(m) + "; pass it with --password, --password-env or --password-file"
		if kind == source.JKS {
			if st, err = source.DecodeStore(data, kind, source.Options{}); err == nil {
				p.Note = "listed without its password: integrity not checked"
			}
		}
	}
	if err != nil {
		if p.Problem == "" {
			p.Problem = "cannot read: " + errText(err)
		}
		return
	}
	p.Format = st.Format.String()
	if st.Format == store.FormatPKCS12 && st.Protection == store.Passwordless {
		p.Format = "PKCS12 (no password)"
	}
	if st.Format == store.FormatJCEKS || st.Format == store.FormatPEM {
		p.Problem = "a " + st.Format.String() + " store is not written by trustctl"
	}
	p.Entries = len(st.Entries)
	p.have = map[[32]byte][]string{}
	for _, e := range st.Entries {
		if c := e.Cert(); c != nil && e.Kind == store.TrustedCert {
			p.have[c.SHA256()] = append(p.have[c.SHA256()], e.Alias)
		}
	}
	p.Writable = writableDir(dirOf(p.host))
	if strings.HasPrefix(p.Real, "/etc/pki/ca-trust/extracted/") {
		// RHEL and Fedora generate this file from the system anchors.
		p.Note = "update-ca-trust rebuilds this file from the system anchors: change the system place too"
	}
}

func passwordName(m *Machine) string {
	if m.Password == nil {
		return DefaultPassword
	}
	return "the one given"
}

// applyJDK adds or removes the plan's certificates in one JDK truststore,
// through the one function that edits a JDK store.
func applyJDK(m *Machine, op Op, c *Change) error {
	if !m.Root.Inside(c.Place.host) {
		return fmt.Errorf("%s is outside the sysroot", c.Place.host)
	}
	changed, err := editJDKStore(c.Place.host, m.password(), func(st *store.Store) (bool, error) {
		changed := false
		for _, s := range c.Steps {
			ch, err := jdkStep(m, st, op, s)
			if err != nil {
				return false, err
			}
			changed = changed || ch
		}
		return changed, nil
	})
	c.Changed = changed
	return err
}

// jdkStep carries out one step on a store read afresh under its lock;
// the step then says what was done.
func jdkStep(m *Machine, st *store.Store, op Op, s *Step) (bool, error) {
	sum := s.target.SHA256
	if op == OpAdd {
		if e := st.ByFingerprint(sum); e != nil {
			s.Action, s.Name = ActAlready, e.Alias
			return false, nil
		}
		res, err := st.Import([]*certs.Cert{s.target.Cert}, store.ImportOptions{AllowLeaf: true, Epoch: epoch(m)})
		if err != nil {
			return false, err
		}
		s.Action, s.Name = ActAdded, res.Added[0].Alias
		return true, nil
	}
	if s.Action != ActRemove {
		return false, nil
	}
	e := st.Get(s.Name)
	if e == nil || e.Kind != store.TrustedCert || e.Cert() == nil || e.Cert().SHA256() != sum {
		s.Action = ActAbsent
		return false, nil
	}
	if err := st.Delete(e.Alias); err != nil {
		return false, err
	}
	s.Action = ActRemoved
	return true, nil
}

// editJDKStore is the one place a JDK truststore is changed, through
// [store.Edit]: under the writers' lock it reads the real file at host (no
// symlink: the caller resolved it, inside a sysroot), runs change, and when
// that changed something writes the store back atomically in its format,
// protection and mode, with the same password. Nothing is written
// otherwise, so a store that already trusts what was asked stays
// byte-identical.
func editJDKStore(host string, pw []byte, change func(*store.Store) (bool, error)) (bool, error) {
	return store.Edit(host, store.Options{Passwords: store.Passwords{Store: pw, StoreGiven: true}}, change)
}

// errText is an error's message without the path an *os.PathError
// repeats.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
