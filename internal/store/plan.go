package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/trustctl/trustctl/internal/certs"
)

// DeriveAlias makes a readable alias from a certificate's subject: the
// common name (or the organizational unit, or the organization) in lower
// case with runs of other characters folded to one hyphen, as people name
// entries by hand ("acme-root-ca"). When that alias is taken, the first
// eight hex digits of the SHA-256 fingerprint are appended, which keeps
// derived aliases stable from one run to the next. Several certificates
// named at once get their aliases from [deriveAliases], which does not
// depend on their order.
func DeriveAlias(c *certs.Cert, taken func(string) bool) string {
	base := aliasBase(c)
	if !taken(base) {
		return base
	}
	return hashedAlias(c, base, taken, nil)
}

// deriveAliases names several certificates at once, each from itself alone
// as [DeriveAlias] does, so that the result does not depend on their
// order: a certificate whose alias is free and derived from no other
// certificate of cs gets it plain; when two or more share one (two
// generations of "Acme Root"), every one of them gets the fingerprint
// suffix, not just the ones that came later. Aliases taken already stay
// with their entries.
func deriveAliases(cs []*certs.Cert, taken func(string) bool) []string {
	out := make([]string, len(cs))
	bases := make([]string, len(cs))
	count := make(map[string]int, len(cs))
	for i, c := range cs {
		bases[i] = aliasBase(c)
		count[bases[i]]++
	}
	used := make(map[string]bool, len(cs))
	var rest []int
	for i, b := range bases {
		if count[b] == 1 && !taken(b) {
			out[i], used[b] = b, true
			continue
		}
		rest = append(rest, i)
	}
	// In fingerprint order, so that even the rare clash of a suffixed
	// alias with another one resolves the same way for any input order.
	sort.SliceStable(rest, func(x, y int) bool {
		a, b := cs[rest[x]].SHA256(), cs[rest[y]].SHA256()
		return bytes.Compare(a[:], b[:]) < 0
	})
	isTaken := func(a string) bool { return taken(a) || used[strings.ToLower(a)] }
	next := make(map[string]int)
	for _, i := range rest {
		a := hashedAlias(cs[i], bases[i], isTaken, next)
		out[i], used[strings.ToLower(a)] = a, true
	}
	return out
}

// aliasBase is the alias derived from c's subject alone (lower case).
func aliasBase(c *certs.Cert) string {
	n := c.SubjectName()
	base := n.CommonName
	if base == "" && len(n.OrganizationalUnit) > 0 {
		base = n.OrganizationalUnit[0]
	}
	if base == "" && len(n.Organization) > 0 {
		base = n.Organization[0]
	}
	base = slug(base)
	if base == "" {
		base = "cert"
	}
	return base
}

// hashedAlias is base with the first eight hex digits of c's SHA-256
// fingerprint, and a counter in the unlikely case that is taken too. next,
// when not nil, remembers the counter each prefix is at, for names that
// are only ever added to taken: a bundle holding one certificate a
// thousand times then costs a thousand lookups, not half a million.
func hashedAlias(c *certs.Cert, base string, taken func(string) bool, next map[string]int) string {
	sum := c.SHA256()
	prefix := base + "-" + hex.EncodeToString(sum[:4])
	a, i := prefix, next[prefix]
	if i > 0 {
		a = fmt.Sprintf("%s-%d", prefix, i)
	} else {
		i = 1
	}
	for taken(a) {
		i++
		a = fmt.Sprintf("%s-%d", prefix, i)
	}
	if next != nil {
		next[prefix] = i + 1
	}
	return a
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		} else {
			dash = true
		}
	}
	out := b.String()
	if len(out) > 64 {
		out = strings.TrimRight(out[:64], "-")
	}
	return out
}

// ImportOptions says how [Store.Import] treats what it is given.
type ImportOptions struct {
	// Alias names the entry when exactly one certificate is imported.
	Alias string
	// Force lets a certificate replace another under a taken alias.
	Force bool
	// AllowLeaf lets non-CA certificates in as trusted entries.
	AllowLeaf bool
	// SkipLeaves passes over non-CA certificates (reported in Skipped)
	// instead of failing, for a bundle that holds a leaf and its CAs.
	SkipLeaves bool
	// Epoch, when not zero, is the creation date of new entries (the time
	// SOURCE_DATE_EPOCH gives, see [SourceDateEpoch]); zero dates each
	// new entry by its certificate's notBefore ([EntryDate]). It is never
	// the current time, so that importing the same certificates gives the
	// same store whenever it is done.
	Epoch time.Time
}

// Reasons a certificate is in [ImportResult.Skipped].
const (
	ReasonPresent = "already present"
	ReasonLeaf    = "not a CA certificate"
)

// Skipped is a certificate that [Store.Import] did not add, and why.
type Skipped struct {
	Cert   *certs.Cert
	Alias  string // the entry that already holds it, if any
	Reason string // ReasonPresent or ReasonLeaf
}

// ImportResult is what [Store.Import] did.
type ImportResult struct {
	Added    []*Entry
	Replaced []*Entry // entries whose certificate --force replaced
	Skipped  []Skipped
}

// Changed reports whether the import changed the store: an entry was
// added or replaced.
func (r *ImportResult) Changed() bool { return len(r.Added)+len(r.Replaced) > 0 }

// NotCAError is returned for a non-CA certificate imported without
// AllowLeaf.
type NotCAError struct{ Cert *certs.Cert }

func (e *NotCAError) Error() string {
	return fmt.Sprintf("%s is not a CA certificate", e.Cert.Subject())
}

// UnreadableError is returned for a certificate that cannot go into the
// store: one that is not shaped like a certificate at all, or, for a JKS or
// PKCS#12 store, one that neither crypto/x509 nor the lenient parser of
// certificate-transparency-go accepts. The JDK parses every certificate of
// a store when it loads it, and one it refuses makes the whole store
// unreadable (keytool: "Input not an X.509 certificate"); keytool refuses
// such certificates (a v1 certificate whose two signature algorithms
// differ, an explicit-curve key), so they only go into a PEM bundle. What
// only crypto/x509 refuses (a negative serial of an old root) Java reads.
type UnreadableError struct {
	Cert *certs.Cert
	// Format is the store's format.
	Format Format
}

func (e *UnreadableError) Error() string {
	if !e.Cert.Readable() {
		return fmt.Sprintf("a certificate (SHA-256 %s) is not a readable X.509 certificate, so no keystore could load it", e.Cert.SHA256Hex())
	}
	return fmt.Sprintf("%s is malformed (%s): a %s store holding it might not load in Java", e.Cert.Subject(), e.Cert.Refusal(), e.Format)
}

// checkReadable refuses a certificate the store could not hold safely
// (see [UnreadableError]).
func checkReadable(f Format, c *certs.Cert) error {
	if !c.Readable() || (c.X509 == nil && c.Lenient == nil && f != FormatPEM) {
		return &UnreadableError{Cert: c, Format: f}
	}
	return nil
}

// AliasTakenError is returned when the alias asked for holds another
// certificate and Force is not set.
type AliasTakenError struct {
	Alias string
	Cert  *certs.Cert // the certificate already there
}

func (e *AliasTakenError) Error() string {
	return fmt.Sprintf("alias %q already holds another certificate (%s)", e.Alias, e.Cert.Subject())
}

// Import adds certificates as trusted entries. A certificate already in
// the store (same SHA-256 fingerprint, any alias) is skipped and reported;
// duplicates within the input count once. A certificate that is not a CA
// is an error ([*NotCAError]) unless AllowLeaf or SkipLeaves; one that no
// parser reads always is ([*UnreadableError]). It checks everything before
// it changes anything, so on error the store is as it was.
func (s *Store) Import(in []*certs.Cert, opts ImportOptions) (*ImportResult, error) {
	if opts.Alias != "" {
		if len(in) != 1 {
			return nil, fmt.Errorf("--alias names one certificate, but %d were given", len(in))
		}
		if err := CheckAlias(opts.Alias); err != nil {
			return nil, err
		}
	}
	res := &ImportResult{}
	have := s.fingerprints()
	seen := map[[32]byte]bool{}
	var todo []*certs.Cert
	for _, c := range in {
		sum := c.SHA256()
		if seen[sum] {
			continue
		}
		seen[sum] = true
		if e := have[sum]; e != nil {
			res.Skipped = append(res.Skipped, Skipped{Cert: c, Alias: e.Alias, Reason: ReasonPresent})
			continue
		}
		if err := checkReadable(s.Format, c); err != nil {
			return nil, err
		}
		if !opts.AllowLeaf && !c.IsCA() {
			if opts.SkipLeaves {
				res.Skipped = append(res.Skipped, Skipped{Cert: c, Reason: ReasonLeaf})
				continue
			}
			return nil, &NotCAError{Cert: c}
		}
		todo = append(todo, c)
	}
	if opts.Alias != "" && len(todo) == 1 {
		if e := s.Get(opts.Alias); e != nil {
			if !opts.Force {
				return nil, &AliasTakenError{Alias: e.Alias, Cert: e.Cert()}
			}
			if e.Kind != TrustedCert {
				return nil, fmt.Errorf("alias %q is a %s; --force replaces only trusted certificates", e.Alias, e.Kind)
			}
			e.Certs = []*certs.Cert{todo[0]}
			e.Created = EntryDate(todo[0], opts.Epoch)
			res.Replaced = append(res.Replaced, e)
			return res, nil
		}
	}
	var aliases []string
	if opts.Alias != "" {
		aliases = []string{opts.Alias}
	} else {
		taken := aliasSet(s)
		aliases = deriveAliases(todo, func(a string) bool { return taken[strings.ToLower(a)] })
	}
	for i, c := range todo {
		e := &Entry{Alias: aliases[i], Kind: TrustedCert, Created: EntryDate(c, opts.Epoch), Certs: []*certs.Cert{c}}
		s.Entries = append(s.Entries, e)
		res.Added = append(res.Added, e)
	}
	return res, nil
}

// fingerprints indexes the entries by their certificate's SHA-256, the
// first entry winning as in ByFingerprint.
func (s *Store) fingerprints() map[[32]byte]*Entry {
	m := make(map[[32]byte]*Entry, len(s.Entries))
	for _, e := range s.Entries {
		if c := e.Cert(); c != nil {
			if _, ok := m[c.SHA256()]; !ok {
				m[c.SHA256()] = e
			}
		}
	}
	return m
}

func aliasSet(s *Store) map[string]bool {
	m := make(map[string]bool, len(s.Entries))
	for _, e := range s.Entries {
		m[strings.ToLower(e.Alias)] = true
	}
	return m
}

// Diff is how two stores differ, compared by fingerprint.
type Diff struct {
	OnlyA   []*Entry
	OnlyB   []*Entry
	Changed []Change // same alias, other certificate
	// Renamed are certificates in both stores under other aliases; they
	// count as the same.
	Renamed []Change
}

// Change pairs an entry of A with one of B.
type Change struct{ A, B *Entry }

// Empty reports whether the stores hold the same certificates (whatever
// their aliases: see Renamed).
func (d *Diff) Empty() bool { return len(d.OnlyA)+len(d.OnlyB)+len(d.Changed) == 0 }

// Identical reports whether the stores hold the same certificates under
// the same aliases.
func (d *Diff) Identical() bool { return d.Empty() && len(d.Renamed) == 0 }

// Compare computes the difference between two stores. An entry is in both
// when its certificate is: an alias holding other certificates in the two
// stores is a change; a certificate under different aliases counts as the
// same, and is listed in Renamed.
func Compare(a, b *Store) *Diff {
	d := &Diff{}
	inB := b.fingerprints()
	inA := a.fingerprints()
	for _, ea := range a.Entries {
		c := ea.Cert()
		if c != nil {
			if eb := inB[c.SHA256()]; eb != nil {
				if same := b.Get(ea.Alias); same == nil || same.Cert() == nil || !same.Cert().Equal(c) {
					d.Renamed = append(d.Renamed, Change{A: ea, B: eb})
				}
				continue
			}
		}
		if eb := b.Get(ea.Alias); eb != nil && eb.Cert() != nil && inA[eb.Cert().SHA256()] == nil {
			d.Changed = append(d.Changed, Change{A: ea, B: eb})
			continue
		}
		d.OnlyA = append(d.OnlyA, ea)
	}
	changedB := map[*Entry]bool{}
	for _, ch := range d.Changed {
		changedB[ch.B] = true
	}
	for _, eb := range b.Entries {
		if changedB[eb] {
			continue
		}
		if c := eb.Cert(); c != nil && inA[c.SHA256()] != nil {
			continue
		}
		d.OnlyB = append(d.OnlyB, eb)
	}
	return d
}

// SyncPlan is what [Store.PlanSync] would change.
type SyncPlan struct {
	Add    []*Entry // new trusted entries, aliases derived
	Remove []*Entry // trusted entries whose certificate is not wanted
	Keep   []*Entry
}

// Empty reports whether the store already trusts exactly what was asked.
func (p *SyncPlan) Empty() bool { return len(p.Add)+len(p.Remove) == 0 }

// SyncSource is one SOURCE of a sync: the name messages call it by (the
// path as given) and the certificates read from it.
type SyncSource struct {
	Name  string
	Certs []*certs.Cert
}

// SyncOptions says how [Store.PlanSync] reads what it is given.
type SyncOptions struct {
	// AllowLeaf counts non-CA certificates among those to trust.
	AllowLeaf bool
	// AllowEmpty lets sources without a CA certificate through: alone,
	// they remove every trusted entry; among others, they add nothing.
	// Without it, that is [ErrNothingToTrust] or a [*NoCAError].
	AllowEmpty bool
	// Epoch dates new entries as [ImportOptions.Epoch] does.
	Epoch time.Time
}

// ErrNothingToTrust is returned by [Store.PlanSync] when the certificates
// given hold nothing to trust (only leaves, or nothing at all): a sync
// would empty the truststore, which is rarely what was meant.
var ErrNothingToTrust = errors.New("no CA certificate to trust: syncing would remove every trusted entry")

// NoCAError is returned by [Store.PlanSync] when some sources hold a CA
// certificate and others do not (an empty or unmounted directory, a leaf,
// a key, a CSR). Such a source was meant to supply CA certificates: passing
// it over would remove them from the store.
type NoCAError struct {
	// Sources are the names of the sources without a CA certificate, in
	// the order given.
	Sources []string
}

func (e *NoCAError) Error() string {
	return strings.Join(e.Sources, ", ") + ": no CA certificate to trust"
}

// PlanSync computes how to make the store trust exactly the CA
// certificates of the sources given: trusted entries not among them are
// removed, missing ones are added. Key entries are never touched. Non-CA
// certificates in the sources are left out unless AllowLeaf. Unless
// AllowEmpty, every source must hold a certificate to trust: when none
// does, that is [ErrNothingToTrust]; when only some do, a [*NoCAError]
// naming the others. A certificate no parser reads is an
// [*UnreadableError].
func (s *Store) PlanSync(from []SyncSource, opts SyncOptions) (*SyncPlan, error) {
	p := &SyncPlan{}
	wanted := map[[32]byte]bool{}
	var want []*certs.Cert
	var none []string
	for _, src := range from {
		n := 0
		for _, c := range src.Certs {
			want = append(want, c)
			if opts.AllowLeaf || c.IsCA() {
				if err := checkReadable(s.Format, c); err != nil {
					return nil, err
				}
				wanted[c.SHA256()] = true
				n++
			}
		}
		if n == 0 {
			none = append(none, src.Name)
		}
	}
	switch {
	case opts.AllowEmpty:
	case len(wanted) == 0:
		return nil, ErrNothingToTrust
	case len(none) > 0:
		return nil, &NoCAError{Sources: none}
	}
	have := map[[32]byte]bool{}
	for _, e := range s.Entries {
		if e.Kind != TrustedCert {
			continue
		}
		sum := e.Cert().SHA256()
		if wanted[sum] && !have[sum] {
			p.Keep = append(p.Keep, e)
		} else {
			p.Remove = append(p.Remove, e)
		}
		have[sum] = true
	}
	taken := aliasSet(s)
	for _, e := range p.Remove {
		delete(taken, strings.ToLower(e.Alias))
	}
	added := map[[32]byte]bool{}
	var add []*certs.Cert
	for _, c := range want {
		sum := c.SHA256()
		if !wanted[sum] || have[sum] || added[sum] {
			continue
		}
		added[sum] = true
		add = append(add, c)
	}
	aliases := deriveAliases(add, func(a string) bool { return taken[strings.ToLower(a)] })
	for i, c := range add {
		p.Add = append(p.Add, &Entry{Alias: aliases[i], Kind: TrustedCert, Created: EntryDate(c, opts.Epoch), Certs: []*certs.Cert{c}})
	}
	return p, nil
}

// Apply carries out a sync plan on the store it was computed for.
func (s *Store) Apply(p *SyncPlan) {
	remove := map[*Entry]bool{}
	for _, e := range p.Remove {
		remove[e] = true
	}
	kept := s.Entries[:0]
	for _, e := range s.Entries {
		if !remove[e] {
			kept = append(kept, e)
		}
	}
	s.Entries = append(kept, p.Add...)
}
