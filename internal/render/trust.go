package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/trustctl/trustctl/internal/trust"
)

// TrustCertDoc is a certificate of trust status --json.
type TrustCertDoc struct {
	Subject string `json:"subject,omitempty"`
	SHA256  string `json:"sha256"`
}

// TrustPlaceDoc is a place of trust status --json.
type TrustPlaceDoc struct {
	*trust.Place
	// Trusted maps each CERT's SHA-256 fingerprint to the place's state.
	Trusted map[string]trust.State `json:"trusted,omitempty"`
}

// TrustStatusDoc is the JSON of trust status.
type TrustStatusDoc struct {
	Sysroot      string          `json:"sysroot,omitempty"`
	Certificates []TrustCertDoc  `json:"certificates"`
	Places       []TrustPlaceDoc `json:"places"`
	Notes        []string        `json:"notes,omitempty"`
}

// TrustPlanDoc is the JSON of trust add and trust remove.
type TrustPlanDoc struct {
	Op      trust.Op        `json:"op"`
	DryRun  bool            `json:"dry_run"`
	Sysroot string          `json:"sysroot,omitempty"`
	Changed bool            `json:"changed"`
	LeftOut int             `json:"left_out"`
	Places  []*trust.Change `json:"places"`
	Notes   []string        `json:"notes,omitempty"`
}

// TrustStatusJSON writes what trust status found as JSON.
func TrustStatusJSON(w io.Writer, rep *trust.Report) error {
	doc := TrustStatusDoc{Sysroot: rep.Sysroot, Certificates: []TrustCertDoc{}, Places: []TrustPlaceDoc{}, Notes: rep.Notes}
	for _, t := range rep.Targets {
		doc.Certificates = append(doc.Certificates, TrustCertDoc{t.Subject(), t.Fingerprint()})
	}
	for _, p := range rep.Places {
		pj := TrustPlaceDoc{Place: p}
		if len(rep.Targets) > 0 {
			pj.Trusted = map[string]trust.State{}
			for _, t := range rep.Targets {
				pj.Trusted[t.Fingerprint()] = p.State(t.SHA256)
			}
		}
		doc.Places = append(doc.Places, pj)
	}
	return JSON(w, doc)
}

// TrustStatus draws what trust status found: the certificates asked
// about, one row per place (a JDK's further installations and the place's
// problem and note on lines of their own), the notes, and for each
// certificate how many places do not trust it.
func TrustStatus(w io.Writer, rep *trust.Report) error {
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
			rows = append(rows, append(row, trustArrow(p.Path, p.Real)+" ("+trustPlaceInfo(p)+")"))
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
	} else if err := Table(&b, header, rows); err != nil {
		return err
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for i, t := range rep.Targets {
		if n := rep.NotTrusting(t); n > 0 {
			fmt.Fprintf(&b, "#%d is not trusted by %d of %d places\n", i+1, n, len(rep.Places))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// TrustPlanJSON writes the plan of trust add or remove, done or (dry)
// only planned, as JSON.
func TrustPlanJSON(w io.Writer, plan *trust.Plan, dry bool) error {
	places := plan.Changes
	if places == nil {
		places = []*trust.Change{}
	}
	return JSON(w, TrustPlanDoc{plan.Op, dry, plan.Sysroot, plan.Changed(), plan.LeftOut(), places, plan.Notes})
}

// TrustPlan draws the plan of trust add or remove, done or (dry) only
// planned: each place's line followed by its steps, the steps of every
// place aligned as one table, then the notes and a count of the places.
func TrustPlan(w io.Writer, plan *trust.Plan, dry bool) error {
	var b strings.Builder
	if dry {
		fmt.Fprintf(&b, "plan of trust %s (dry run: nothing is written)\n", plan.Op)
	}
	if plan.Sysroot != "" {
		fmt.Fprintf(&b, "sysroot %s: the paths below are inside it; no refresh tool is run\n", plan.Sysroot)
	}
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
			rows = append(rows, []string{"       ", "refresh", strings.Join(r.Command, " "), trustRefreshText(plan, r, dry)})
			owner = append(owner, i)
		}
	}
	var table strings.Builder
	if err := Table(&table, nil, rows); err != nil {
		return err
	}
	lines := strings.Split(table.String(), "\n")
	changed, same, next := 0, 0, 0
	for i, ch := range plan.Changes {
		p := ch.Place
		fmt.Fprintf(&b, "%-7s %s (%s)\n", p.Kind, trustArrow(p.Path, p.Real), trustPlaceInfo(p))
		for ; next < len(owner) && owner[next] == i; next++ {
			b.WriteString(lines[next] + "\n")
		}
		switch {
		case ch.LeftOut():
			fmt.Fprintf(&b, "        left out: %s\n", ch.Error)
		case ch.Affected(dry):
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
		len(plan.Changes), TrustPlural(len(plan.Changes), "place", "places"), changed, verb, same, plan.LeftOut())
	_, err := io.WriteString(w, b.String())
	return err
}

// TrustPlural is one when n is 1, else many.
func TrustPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func trustRefreshText(plan *trust.Plan, r *trust.Refresh, dry bool) string {
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

// trustPlaceInfo names what a place belongs to: its JDKs, or its system
// or program, and the refresh tool.
func trustPlaceInfo(p *trust.Place) string {
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
