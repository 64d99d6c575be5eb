package render

import (
	"fmt"
	"io"

	"github.com/trustctl/trustctl/internal/store"
)

// DiffDoc is the document diff --json writes: how store B differs from
// store A, certificates compared by SHA-256 fingerprint.
type DiffDoc struct {
	A           string      `json:"a"`
	B           string      `json:"b"`
	Same        bool        `json:"same"`
	SameAliases bool        `json:"same_aliases"`
	OnlyA       []DiffEntry `json:"only_in_a"`
	OnlyB       []DiffEntry `json:"only_in_b"`
	Changed     []DiffPair  `json:"changed"`
	Renamed     []DiffPair  `json:"other_alias"`
}

// DiffEntry is one entry of a store as diff --json names it.
type DiffEntry struct {
	Alias   string `json:"alias"`
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	SHA256  string `json:"sha256"`
}

// DiffPair is an entry of A with its counterpart in B: under the same
// alias with another certificate, or the same certificate under another
// alias.
type DiffPair struct {
	Alias string    `json:"alias"`
	A     DiffEntry `json:"a"`
	B     DiffEntry `json:"b"`
}

func diffEntryOf(e *store.Entry) DiffEntry {
	d := DiffEntry{Alias: e.Alias, Kind: e.Kind.String()}
	if c := e.Cert(); c != nil {
		d.Subject, d.SHA256 = c.Subject(), c.SHA256Hex()
	}
	return d
}

func diffPairs(chs []store.Change) []DiffPair {
	out := []DiffPair{}
	for _, ch := range chs {
		out = append(out, DiffPair{Alias: ch.A.Alias, A: diffEntryOf(ch.A), B: diffEntryOf(ch.B)})
	}
	return out
}

// DiffJSON writes d, the comparison of the stores at paths a and b.
func DiffJSON(w io.Writer, a, b string, d *store.Diff) error {
	doc := DiffDoc{A: a, B: b, Same: d.Empty(), SameAliases: d.Identical(), OnlyA: []DiffEntry{}, OnlyB: []DiffEntry{},
		Changed: diffPairs(d.Changed), Renamed: diffPairs(d.Renamed)}
	for _, e := range d.OnlyA {
		doc.OnlyA = append(doc.OnlyA, diffEntryOf(e))
	}
	for _, e := range d.OnlyB {
		doc.OnlyB = append(doc.OnlyB, diffEntryOf(e))
	}
	return JSON(w, doc)
}

// Diff writes d, the comparison of the stores at paths a and b (of na and
// nb entries): the two stores, then what differs as a table, or that
// nothing does.
func Diff(w io.Writer, a, b string, na, nb int, d *store.Diff) error {
	var rows [][]string
	for _, e := range d.OnlyA {
		rows = append(rows, []string{"only in A", e.Alias, e.Cert().Subject(), e.Cert().SHA256Hex()})
	}
	for _, e := range d.OnlyB {
		rows = append(rows, []string{"only in B", e.Alias, e.Cert().Subject(), e.Cert().SHA256Hex()})
	}
	for _, ch := range d.Changed {
		rows = append(rows, []string{"changed", ch.A.Alias, "A: " + ch.A.Cert().Subject(), ch.A.Cert().SHA256Hex()})
		rows = append(rows, []string{"", "", "B: " + ch.B.Cert().Subject(), ch.B.Cert().SHA256Hex()})
	}
	for _, ch := range d.Renamed {
		rows = append(rows, []string{"other alias", ch.A.Alias, "B: " + ch.B.Alias, ch.A.Cert().SHA256Hex()})
	}
	if _, err := fmt.Fprintf(w, "A: %s (%s)\nB: %s (%s)\n", a, count(na, "entry", "entries"), b, count(nb, "entry", "entries")); err != nil {
		return err
	}
	switch {
	case d.Identical():
		_, err := fmt.Fprintln(w, "same certificates under the same aliases")
		return err
	case d.Empty():
		if _, err := fmt.Fprintf(w, "same certificates (by SHA-256 fingerprint); %d under other aliases:\n", len(d.Renamed)); err != nil {
			return err
		}
	}
	return Table(w, nil, rows)
}
