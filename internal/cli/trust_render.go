package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/trust"
)

type trustCertJSON struct {
	Subject string `json:"subject,omitempty"`
	SHA256  string `json:"sha256"`
}

type trustPlaceJSON struct {
	*trust.Place
	// Trusted maps each CERT's SHA-256 fingerprint to the place's state.
	Trusted map[string]trust.State `json:"trusted,omitempty"`
}

func printTrustStatus(c *ucli.Context, rep *trust.Report) error {
	env := envOf(c)
	if c.Bool("json") {
		doc := struct {
			Sysroot      string           `json:"sysroot,omitempty"`
			Certificates []trustCertJSON  `json:"certificates"`
			Places       []trustPlaceJSON `json:"places"`
			Notes        []string         `json:"notes,omitempty"`
		}{Sysroot: rep.Sysroot, Certificates: []trustCertJSON{}, Places: []trustPlaceJSON{}, Notes: rep.Notes}
		for _, t := range rep.Targets {
			doc.Certificates = append(doc.Certificates, trustCertJSON{t.Subject(), t.Fingerprint()})
		}
		for _, p := range rep.Places {
			pj := trustPlaceJSON{Place: p}
			if len(rep.Targets) > 0 {
				pj.Trusted = map[string]trust.State{}
				for _, t := range rep.Targets {
					pj.Trusted[t.Fingerprint()] = p.State(t.SHA256)
				}
			}
			doc.Places = append(doc.Places, pj)
		}
		return render.JSON(env.Stdout, doc)
	}
	var b strings.Builder
	if rep.Sysroot != "" {
		fmt.Fprintf(&b, "sysroot %s: the paths below are inside it\n", rep.Sysroot)
	}
	header := []string{"KIND", "VERSION", "FORMAT", "ENTRIES", "WRITABLE"}
	for i, t := range rep.Targets {
		fmt.Fprintf(&b, "#%d  %s  SHA-256 %s\n", i+1, trustOrDash(t.Subject()), t.Fingerprint())
		header = append(header, "#"+strconv.Itoa(i+1))
	}
	header = append(header, "PATH")
	var rows [][]string
	blank := make([]string, len(header)-1)
	cont := func(text string) { rows = append(rows, append(append([]string(nil), blank...), text)) }
	for _, p := range rep.Places {
		row := []string{string(p.Kind), "", trustOrDash(p.Format), trustEntriesText(p.Entries), trustYesNo(p.Writable)}
		for _, t := range rep.Targets {
			row = append(row, trustStateText(p.State(t.SHA256)))
		}
		switch {
		case p.Kind == trust.KindJDK:
			row[1] = trustVersionText(p.JDKs[0].Version)
			rows = append(rows, append(row, trustArrow(p.JDKs[0].Cacerts, p.Real)))
			for _, in := range p.JDKs[1:] {
				r := append([]string(nil), blank...)
				r[1] = trustVersionText(in.Version)
				rows = append(rows, append(r, trustArrow(in.Cacerts, p.Real)))
			}
		default:
			rows = append(rows, append(row, trustArrow(p.Path, p.Real)+" ("+placeInfo(p)+")"))
		}
		if p.Problem != "" {
			cont("  " + p.Problem)
		}
		if p.Note != "" {
			cont("  note: " + p.Note)
		}
	}
	if len(rows) == 0 {
		b.WriteString("no place found\n")
	} else if err := render.Table(&b, header, rows); err != nil {
		return err
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for i, t := range rep.Targets {
		n := 0
		for _, p := range rep.Places {
			if !p.State(t.SHA256).Trusts() {
				n++
			}
		}
		if n > 0 {
			fmt.Fprintf(&b, "#%d is not trusted by %d of %d places\n", i+1, n, len(rep.Places))
		}
	}
	_, err := io.WriteString(env.Stdout, b.String())
	return err
}

func printTrustPlan(c *ucli.Context, plan *trust.Plan, dry bool) error {
	env := envOf(c)
	if c.Bool("json") {
		return render.JSON(env.Stdout, struct {
			Op      trust.Op        `json:"op"`
			DryRun  bool            `json:"dry_run"`
			Sysroot string          `json:"sysroot,omitempty"`
			Changed bool            `json:"changed"`
			LeftOut int             `json:"left_out"`
			Places  []*trust.Change `json:"places"`
			Notes   []string        `json:"notes,omitempty"`
		}{plan.Op, dry, plan.Sysroot, plan.Changed(), plan.LeftOut(), trustNonNil(plan.Changes), plan.Notes})
	}
	var b strings.Builder
	if dry {
		fmt.Fprintf(&b, "plan of trust %s (dry run: nothing is written)\n", plan.Op)
	}
	if plan.Sysroot != "" {
		fmt.Fprintf(&b, "sysroot %s: the paths below are inside it; no refresh tool is run\n", plan.Sysroot)
	}
	// One table for the steps of every place, so that they align; each
	// place's line goes before its steps.
	var rows [][]string
	var owner []int
	for i, ch := range plan.Changes {
		for _, s := range ch.Steps {
			what := s.Subject
			if what == "" {
				what = "SHA-256 " + s.SHA256
			}
			rows = append(rows, []string{"       ", string(s.Action), trustOrDash(s.Name), what})
			owner = append(owner, i)
		}
		if r := ch.Refresh; r != nil {
			rows = append(rows, []string{"       ", "refresh", strings.Join(r.Command, " "), refreshText(plan, r, dry)})
			owner = append(owner, i)
		}
	}
	var table strings.Builder
	if err := render.Table(&table, nil, rows); err != nil {
		return err
	}
	lines := strings.Split(table.String(), "\n")
	changed, same, next := 0, 0, 0
	for i, ch := range plan.Changes {
		p := ch.Place
		fmt.Fprintf(&b, "%-7s %s (%s)\n", p.Kind, trustArrow(p.Path, p.Real), placeInfo(p))
		for ; next < len(owner) && owner[next] == i; next++ {
			b.WriteString(lines[next] + "\n")
		}
		switch {
		case ch.Error != "":
			fmt.Fprintf(&b, "        left out: %s\n", ch.Error)
		case ch.Changed || (dry && ch.Work()):
			changed++
		default:
			same++
		}
	}
	for _, n := range plan.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	verb := "changed"
	if dry {
		verb = "to change"
	}
	fmt.Fprintf(&b, "%d %s: %d %s, %d already as asked, %d left out\n",
		len(plan.Changes), trustPlural(len(plan.Changes), "place", "places"), changed, verb, same, plan.LeftOut())
	_, err := io.WriteString(env.Stdout, b.String())
	return err
}

func refreshText(plan *trust.Plan, r *trust.Refresh, dry bool) string {
	switch {
	case !r.Run:
		return "not run in a sysroot: run it inside " + plan.Sysroot
	case r.Ran:
		return "ran"
	case dry:
		return "will run"
	}
	return "not run"
}

// placeInfo names what a place belongs to: its JDKs, or its system or
// program, and the refresh tool.
func placeInfo(p *trust.Place) string {
	if p.Kind != trust.KindJDK {
		if len(p.Refresh) > 0 {
			return p.Layout + "; " + strings.Join(p.Refresh, " ")
		}
		return p.Layout
	}
	var jdks []string
	for _, in := range p.JDKs {
		jdks = append(jdks, "JDK "+trustVersionText(in.Version))
	}
	return strings.Join(jdks, ", ")
}

func trustArrow(path, real string) string {
	if path == real || real == "" {
		return path
	}
	return path + " -> " + real
}

func trustStateText(s trust.State) string {
	if s == trust.Unknown {
		return "?"
	}
	return string(s)
}

func trustVersionText(v string) string {
	if v == "" {
		return "?"
	}
	return v
}

func trustEntriesText(n int) string {
	if n < 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func trustOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func trustYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func trustNonNil(c []*trust.Change) []*trust.Change {
	if c == nil {
		return []*trust.Change{}
	}
	return c
}
