package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/store"
)

// ImportDoc is the document import --json writes: what was added,
// replaced and passed over.
type ImportDoc struct {
	Store    string        `json:"store"`
	Changed  bool          `json:"changed"`
	Added    []ImportEntry `json:"added"`
	Replaced []ImportEntry `json:"replaced"`
	Skipped  []ImportEntry `json:"skipped"`
}

// ImportEntry is one certificate of an import, with why it was skipped.
type ImportEntry struct {
	Alias   string `json:"alias,omitempty"`
	Subject string `json:"subject"`
	SHA256  string `json:"sha256"`
	Reason  string `json:"reason,omitempty"`
}

func importEntryOf(alias string, c *certs.Cert, reason string) ImportEntry {
	return ImportEntry{Alias: alias, Subject: c.Subject(), SHA256: c.SHA256Hex(), Reason: reason}
}

func importDoc(path string, res *store.ImportResult, changed bool) ImportDoc {
	doc := ImportDoc{Store: path, Changed: changed, Added: []ImportEntry{}, Replaced: []ImportEntry{}, Skipped: []ImportEntry{}}
	for _, e := range res.Added {
		doc.Added = append(doc.Added, importEntryOf(e.Alias, e.Cert(), ""))
	}
	for _, e := range res.Replaced {
		doc.Replaced = append(doc.Replaced, importEntryOf(e.Alias, e.Cert(), ""))
	}
	for _, s := range res.Skipped {
		doc.Skipped = append(doc.Skipped, importEntryOf(s.Alias, s.Cert, s.Reason))
	}
	return doc
}

// ImportJSON writes the result of an import into the store at path.
func ImportJSON(w io.Writer, path string, res *store.ImportResult, changed bool) error {
	return JSON(w, importDoc(path, res, changed))
}

// Import writes a line per certificate added, replaced or skipped, then
// a summary line for the store at path.
func Import(w io.Writer, path string, res *store.ImportResult, changed bool) error {
	doc := importDoc(path, res, changed)
	// One write for the whole report: an import of thousands of
	// certificates would otherwise make a system call per line.
	var b strings.Builder
	for _, e := range doc.Added {
		fmt.Fprintf(&b, "added     %s  %s\n", e.Alias, e.Subject)
	}
	for _, e := range doc.Replaced {
		fmt.Fprintf(&b, "replaced  %s  %s\n", e.Alias, e.Subject)
	}
	present, leaves := 0, 0
	for _, e := range doc.Skipped {
		if e.Reason == store.ReasonLeaf {
			leaves++
			fmt.Fprintf(&b, "skipped   %s (not a CA certificate)\n", e.Subject)
			continue
		}
		present++
		fmt.Fprintf(&b, "skipped   %s  %s (already present)\n", e.Alias, e.Subject)
	}
	fmt.Fprintf(&b, "%s: %d added, %d replaced, %d already present", path, len(doc.Added), len(doc.Replaced), present)
	if leaves > 0 {
		fmt.Fprintf(&b, ", %s passed over", count(leaves, "leaf", "leaves"))
	}
	b.WriteString(Unchanged(changed) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// SyncDoc is the document sync --json writes.
type SyncDoc struct {
	Store   string       `json:"store"`
	DryRun  bool         `json:"dry_run"`
	Changed bool         `json:"changed"`
	Changes []SyncChange `json:"changes"`
	Kept    int          `json:"kept"`
}

// SyncChange is one entry a sync adds or removes.
type SyncChange struct {
	Action  string `json:"action"`
	Alias   string `json:"alias"`
	Subject string `json:"subject"`
	SHA256  string `json:"sha256"`
}

func syncChanges(p *store.SyncPlan) []SyncChange {
	changes := []SyncChange{}
	for _, e := range p.Add {
		changes = append(changes, SyncChange{"add", e.Alias, e.Cert().Subject(), e.Cert().SHA256Hex()})
	}
	for _, e := range p.Remove {
		changes = append(changes, SyncChange{"remove", e.Alias, e.Cert().Subject(), e.Cert().SHA256Hex()})
	}
	return changes
}

// SyncPlanJSON writes the plan of a sync of the store at path, carried
// out (changed says whether the store was rewritten) or, when dry, not.
func SyncPlanJSON(w io.Writer, path string, p *store.SyncPlan, dry, changed bool) error {
	return JSON(w, SyncDoc{path, dry, changed, syncChanges(p), len(p.Keep)})
}

// SyncPlan writes the entries a sync adds and removes, then a summary
// line: what changed, or with dry what would change.
func SyncPlan(w io.Writer, path string, p *store.SyncPlan, dry, changed bool) error {
	changes := syncChanges(p)
	rows := make([][]string, 0, len(changes))
	for _, c := range changes {
		rows = append(rows, []string{c.Action, c.Alias, c.Subject})
	}
	if err := Table(w, nil, rows); err != nil {
		return err
	}
	verb := "changed"
	switch {
	case p.Empty() && !changed:
		verb = "nothing to add or remove"
	case dry:
		verb = "would change"
	}
	_, err := fmt.Fprintf(w, "%s: %s: %d added, %d removed, %d kept%s\n", path, verb, len(p.Add), len(p.Remove), len(p.Keep), Unchanged(changed || dry))
	return err
}

// ConvertDoc is the document convert --json writes.
type ConvertDoc struct {
	In      string `json:"in"`
	Out     string `json:"out"`
	Type    string `json:"type"`
	Entries int    `json:"entries"`
	Changed bool   `json:"changed"`
}

// ConvertJSON writes what convert made of in: st, written to out unless
// it already held the same entries.
func ConvertJSON(w io.Writer, in, out string, st *store.Store, changed bool) error {
	return JSON(w, ConvertDoc{in, out, StoreFormat(st), len(st.Entries), changed})
}

// Convert writes the line convert ends with.
func Convert(w io.Writer, out string, st *store.Store, changed bool) error {
	var err error
	if changed {
		_, err = fmt.Fprintf(w, "%s: %s written as %s\n", out, count(len(st.Entries), "entry", "entries"), StoreFormat(st))
	} else {
		_, err = fmt.Fprintf(w, "%s: already holds these %s as %s (unchanged)\n", out, count(len(st.Entries), "entry", "entries"), StoreFormat(st))
	}
	return err
}

// DeleteDoc is the document delete --json writes.
type DeleteDoc struct {
	Store   string   `json:"store"`
	Changed bool     `json:"changed"`
	Removed []string `json:"removed"`
}

// DeleteJSON writes which aliases were removed from the store at path.
func DeleteJSON(w io.Writer, path string, aliases []string, changed bool) error {
	return JSON(w, DeleteDoc{path, changed, aliases})
}

// Delete writes how many entries were removed from the store at path.
func Delete(w io.Writer, path string, aliases []string) error {
	_, err := fmt.Fprintf(w, "%s: removed %s\n", path, count(len(aliases), "entry", "entries"))
	return err
}

// RenameDoc is the document rename --json writes.
type RenameDoc struct {
	Store   string `json:"store"`
	Changed bool   `json:"changed"`
	Old     string `json:"old"`
	New     string `json:"new"`
}

// RenameJSON writes the alias from of the store at path renamed to to.
func RenameJSON(w io.Writer, path, from, to string, changed bool) error {
	return JSON(w, RenameDoc{path, changed, from, to})
}

// Rename writes the line rename ends with.
func Rename(w io.Writer, path, from, to string, changed bool) error {
	_, err := fmt.Fprintf(w, "%s: renamed %s to %s%s\n", path, from, to, Unchanged(changed))
	return err
}

// PasswdDoc is the document passwd --json writes.
type PasswdDoc struct {
	Store   string `json:"store"`
	Changed bool   `json:"changed"`
}

// PasswdJSON writes whether the password of the store at path changed.
func PasswdJSON(w io.Writer, path string, changed bool) error {
	return JSON(w, PasswdDoc{path, changed})
}

// Passwd writes the line passwd ends with.
func Passwd(w io.Writer, path string, changed bool) error {
	var err error
	if changed {
		_, err = fmt.Fprintf(w, "%s: password changed\n", path)
	} else {
		_, err = fmt.Fprintf(w, "%s: already protected with the new password (unchanged)\n", path)
	}
	return err
}

// count is n with the noun for it: "1 entry", "2 entries".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
