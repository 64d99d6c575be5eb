package trust

import (
	"context"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/store"
)

// Op is what a plan does: add or remove.
type Op string

// The operations of a plan.
const (
	OpAdd    Op = "add"
	OpRemove Op = "remove"
)

// Target is a certificate to add or remove. A removal may know only the
// fingerprint (Cert nil).
type Target struct {
	Cert   *certs.Cert
	SHA256 [32]byte
}

// TargetOf wraps a certificate.
func TargetOf(c *certs.Cert) Target { return Target{Cert: c, SHA256: c.SHA256()} }

// Subject is the certificate's subject, or "" when only the fingerprint
// is known.
func (t Target) Subject() string {
	if t.Cert == nil {
		return ""
	}
	return t.Cert.Subject()
}

// Fingerprint is the SHA-256 fingerprint as openssl prints it.
func (t Target) Fingerprint() string { return certs.Fingerprint(t.SHA256[:]) }

// Action is what a step is to do, or (after [Plan.Apply]) what it did.
type Action string

// Actions of a plan, then of its result.
const (
	ActAdd     Action = "add"     // to be added under Name
	ActAlready Action = "already" // the place trusts it already
	ActRemove  Action = "remove"  // to be removed from Name
	ActAbsent  Action = "absent"  // not there: nothing to remove
	ActAdded   Action = "added"
	ActRemoved Action = "removed"
)

// Step is one certificate at one place.
type Step struct {
	Action  Action `json:"action"`
	Name    string `json:"name,omitempty"` // alias, anchor file or NSS nickname
	Subject string `json:"subject,omitempty"`
	SHA256  string `json:"sha256"`
	target  Target
}

// Refresh is the OS refresh tool a change of anchors needs.
type Refresh struct {
	Command []string `json:"command"`
	// Run is false in a sysroot, where no tool of this host is run.
	Run bool `json:"run"`
	Ran bool `json:"ran"`
}

// Change is what a plan does at one place.
type Change struct {
	Place   *Place   `json:"place"`
	Steps   []*Step  `json:"steps"`
	Refresh *Refresh `json:"refresh,omitempty"`
	// Changed is set by Apply when the place was written.
	Changed bool `json:"changed"`
	// Error says why the place was (or will be) left out.
	Error string `json:"error,omitempty"`
}

// Work reports whether the change has anything to do.
func (c *Change) Work() bool {
	if c.Refresh != nil {
		return true
	}
	for _, s := range c.Steps {
		if s.Action == ActAdd || s.Action == ActRemove {
			return true
		}
	}
	return c.Place.have == nil
}

// LeftOut reports whether the place does not end up as asked.
func (c *Change) LeftOut() bool { return c.Error != "" }

// Affected reports whether the place changed or, in a dry run, would
// change.
func (c *Change) Affected(dry bool) bool { return c.Changed || (dry && c.Work()) }

// Plan is what add or remove does at every place.
type Plan struct {
	Op      Op        `json:"op"`
	Sysroot string    `json:"sysroot,omitempty"`
	Changes []*Change `json:"places"`
	Notes   []string  `json:"notes,omitempty"`
	targets []Target
}

// Changed reports whether Apply wrote anything.
func (p *Plan) Changed() bool {
	for _, c := range p.Changes {
		if c.Changed {
			return true
		}
	}
	return false
}

// LeftOut is the number of places that do not end up as asked.
func (p *Plan) LeftOut() int {
	n := 0
	for _, c := range p.Changes {
		if c.LeftOut() {
			n++
		}
	}
	return n
}

// NewPlan finds the places on the machine and works out, for each, what
// adding or removing the targets would do. It writes nothing.
func NewPlan(ctx context.Context, m *Machine, op Op, targets []Target) (*Plan, error) {
	if _, err := store.SourceDateEpoch(m.getenv("SOURCE_DATE_EPOCH")); err != nil {
		return nil, err
	}
	places, notes, err := Find(ctx, m)
	if err != nil {
		return nil, err
	}
	p := &Plan{Op: op, Sysroot: m.Sysroot(), Notes: notes, targets: targets}
	for _, pl := range places {
		c := &Change{Place: pl}
		switch op {
		case OpAdd:
			planAdd(pl, c, targets)
		case OpRemove:
			planRemove(pl, c, targets)
		}
		if pl.Kind == KindSystem && c.Work() && pl.have != nil {
			c.Refresh = &Refresh{Command: pl.Refresh, Run: m.Refresh}
		}
		if c.Work() {
			switch {
			case pl.Problem != "":
				c.Error = pl.Problem
			case !pl.Writable:
				c.Error = "not writable: " + dirOf(pl.Real)
			}
		}
		p.Changes = append(p.Changes, c)
	}
	return p, nil
}

func planAdd(pl *Place, c *Change, targets []Target) {
	if pl.have == nil {
		return
	}
	taken := pl.takenFunc()
	for _, t := range targets {
		s := &Step{Subject: t.Subject(), SHA256: t.Fingerprint(), target: t}
		switch st := pl.State(t.SHA256); {
		case st.Trusts():
			s.Action, s.Name = ActAlready, strings.Join(pl.names(t.SHA256), ", ")
		case st == Pending:
			s.Action, s.Name = ActAlready, strings.Join(pl.names(t.SHA256), ", ")
			c.Refresh = &Refresh{} // filled in by NewPlan
		case pl.Kind == KindNSS && len(pl.have[t.SHA256]) > 0:
			// In the database without being trusted: its trust is set.
			s.Action, s.Name = ActAdd, pl.have[t.SHA256][0]
		default:
			s.Action, s.Name = ActAdd, pl.newName(t.Cert, taken)
		}
		c.Steps = append(c.Steps, s)
	}
}

func planRemove(pl *Place, c *Change, targets []Target) {
	if pl.have == nil {
		return
	}
	for _, t := range targets {
		names := pl.names(t.SHA256)
		if len(names) == 0 {
			c.Steps = append(c.Steps, &Step{Action: ActAbsent, Subject: t.Subject(), SHA256: t.Fingerprint(), target: t})
			continue
		}
		for _, n := range names {
			c.Steps = append(c.Steps, &Step{Action: ActRemove, Name: n, Subject: t.Subject(), SHA256: t.Fingerprint(), target: t})
		}
	}
}

// takenFunc reports whether a name is taken at the place, counting the
// names the plan hands out.
func (pl *Place) takenFunc() func(string) bool {
	taken := map[string]bool{}
	for _, ns := range pl.have {
		for _, n := range ns {
			taken[strings.ToLower(n)] = true
		}
	}
	for n := range pl.nss.nicknames {
		taken[strings.ToLower(n)] = true
	}
	for n := range pl.files {
		taken[strings.ToLower(n)] = true
	}
	return func(n string) bool {
		if taken[strings.ToLower(n)] {
			return true
		}
		taken[strings.ToLower(n)] = true
		return false
	}
}

// newName is the name a certificate gets at a place: the alias keytool
// users would pick (store.DeriveAlias), as a file name in an anchors
// directory.
func (pl *Place) newName(c *certs.Cert, taken func(string) bool) string {
	if pl.Kind == KindSystem {
		ext := pl.layout.ext
		a := store.DeriveAlias(c, func(a string) bool { return taken(a + ext) })
		return a + ext
	}
	return store.DeriveAlias(c, taken)
}

// Apply carries the plan out: the system anchors first (and their refresh
// tool, whose hooks may update a JDK truststore too), then the JDK
// truststores, then NSS. A place that fails is reported in its Change and
// the others go on. Each place is read again under its lock, so what is
// reported is what was done.
func (p *Plan) Apply(ctx context.Context, m *Machine) {
	for _, k := range []Kind{KindSystem, KindJDK, KindNSS} {
		for _, c := range p.Changes {
			if c.Place.Kind != k || c.Error != "" || !c.Work() {
				continue
			}
			if err := ctx.Err(); err != nil {
				c.Error = err.Error()
				continue
			}
			var err error
			switch k {
			case KindSystem:
				err = applySystem(ctx, m, p.Op, c)
			case KindJDK:
				err = applyJDK(m, p.Op, c)
			case KindNSS:
				err = applyNSS(ctx, m, p.Op, c)
			}
			if err != nil {
				c.Error = err.Error()
			}
		}
	}
}

// epoch is the creation date SOURCE_DATE_EPOCH gives new JDK store
// entries, zero when it is unset (the store then dates each by its
// certificate's notBefore), so that the same change gives the same bytes
// on every machine. NewPlan has refused a malformed value.
func epoch(m *Machine) time.Time {
	t, _ := store.SourceDateEpoch(m.getenv("SOURCE_DATE_EPOCH"))
	return t
}

func dirOf(p string) string {
	if i := strings.LastIndex(p, "/"); i > 0 {
		return p[:i]
	}
	return "/"
}
