package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/store"
)

func diffCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "diff",
		Usage:     "compare two stores by fingerprint",
		ArgsUsage: "A B",
		Description: `Lists the entries only in A, only in B, and the aliases present in both
with another certificate. Certificates are compared by SHA-256
fingerprint, so the same certificate under two aliases is the same (and
listed as such). A's password comes from --password, B's from
--source-password.

EXAMPLES:
   trustctl diff --cacerts /opt/app/jre/lib/security/cacerts
   trustctl diff old.jks new.p12 --password changeit --source-password-env NEW_PW

EXIT CODES:
   0 the stores trust the same certificates; 1 they differ; 2 unreadable input`,
		Flags:  append(append(storeFlags(true), sourceFlags()...), jsonFlag),
		Action: runDiff,
	}
}

type diffEntry struct {
	Alias   string `json:"alias"`
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	SHA256  string `json:"sha256"`
}

func diffEntryOf(e *store.Entry) diffEntry {
	d := diffEntry{Alias: e.Alias, Kind: e.Kind.String()}
	if c := e.Cert(); c != nil {
		d.Subject, d.SHA256 = c.Subject(), c.SHA256Hex()
	}
	return d
}

type diffPair struct {
	Alias string    `json:"alias"`
	A     diffEntry `json:"a"`
	B     diffEntry `json:"b"`
}

func runDiff(c *ucli.Context) error {
	a, rest, err := storeArg(c, "A B")
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageErrorf("usage: trustctl diff A B")
	}
	b := rest[0]
	sa, err := readStore(c, a)
	if err != nil {
		return err
	}
	pw, ok, err := readSecret(c, pwSource)
	if err != nil {
		return err
	}
	sb, err := store.Open(b, store.Options{Passwords: store.Passwords{Store: pw, StoreGiven: ok}})
	if err != nil {
		return sourceError(err, ok)
	}
	d := store.Compare(sa, sb)
	if c.Bool("json") {
		err = printDiffJSON(c, a, b, d)
	} else {
		err = printDiff(c, a, b, len(sa.Entries), len(sb.Entries), d)
	}
	if err != nil {
		return err
	}
	if !d.Empty() {
		return checkFailed("")
	}
	return nil
}

func pairs(chs []store.Change) []diffPair {
	out := []diffPair{}
	for _, ch := range chs {
		out = append(out, diffPair{Alias: ch.A.Alias, A: diffEntryOf(ch.A), B: diffEntryOf(ch.B)})
	}
	return out
}

func printDiffJSON(c *ucli.Context, a, b string, d *store.Diff) error {
	doc := struct {
		A           string      `json:"a"`
		B           string      `json:"b"`
		Same        bool        `json:"same"`
		SameAliases bool        `json:"same_aliases"`
		OnlyA       []diffEntry `json:"only_in_a"`
		OnlyB       []diffEntry `json:"only_in_b"`
		Changed     []diffPair  `json:"changed"`
		Renamed     []diffPair  `json:"other_alias"`
	}{A: a, B: b, Same: d.Empty(), SameAliases: d.Identical(), OnlyA: []diffEntry{}, OnlyB: []diffEntry{},
		Changed: pairs(d.Changed), Renamed: pairs(d.Renamed)}
	for _, e := range d.OnlyA {
		doc.OnlyA = append(doc.OnlyA, diffEntryOf(e))
	}
	for _, e := range d.OnlyB {
		doc.OnlyB = append(doc.OnlyB, diffEntryOf(e))
	}
	return render.JSON(envOf(c).Stdout, doc)
}

func printDiff(c *ucli.Context, a, b string, na, nb int, d *store.Diff) error {
	env := envOf(c)
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
	fmt.Fprintf(env.Stdout, "A: %s (%d entries)\nB: %s (%d entries)\n", a, na, b, nb)
	switch {
	case d.Identical():
		fmt.Fprintln(env.Stdout, "same certificates under the same aliases")
		return nil
	case d.Empty():
		fmt.Fprintf(env.Stdout, "same certificates (by SHA-256 fingerprint); %d under other aliases:\n", len(d.Renamed))
	}
	return render.Table(env.Stdout, nil, rows)
}
