package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/trustctl/trustctl/internal/chain"
)

// Chain draws a verified (or refused) chain as a tree, the trust anchor
// at the top and the leaf at the bottom, as people draw PKI hierarchies;
// every link shows its role, validity and status, and the problems found
// with it below it. The notes and the verdict follow.
func Chain(w io.Writer, res *chain.Result, colour bool) error {
	var b strings.Builder
	n := len(res.Chain)
	for depth := 0; depth < n; depth++ {
		l := res.Chain[n-1-depth]
		indent := strings.Repeat("    ", max(depth-1, 0))
		branch := ""
		if depth > 0 {
			branch = "└── "
		}
		role := l.Role
		if l.Trusted {
			role = "trusted " + role
		} else if depth == 0 && l.Role == "root" {
			role = "untrusted root"
		}
		status := l.Status
		code := Green
		if status != "ok" {
			code = Red
			status = strings.ToUpper(status)
		}
		fmt.Fprintf(&b, "%s%s%s  (%s, %s to %s)  %s\n", indent, branch, l.Subject, role,
			Date(l.NotBefore), Date(l.NotAfter), Colour(colour, code, status))
		pad := indent
		if depth > 0 {
			pad += "    "
		}
		for _, r := range l.Revocation {
			line := fmt.Sprintf("revocation (%s): %s", strings.ToUpper(r.Source), r.Status)
			if r.Reason != "" {
				line += ", " + r.Reason
			}
			if r.Detail != "" {
				line += ": " + r.Detail
			}
			fmt.Fprintf(&b, "%s  %s\n", pad, line)
		}
		for _, p := range l.Problems {
			fmt.Fprintf(&b, "%s  ! %s\n", pad, p)
		}
	}
	for _, note := range res.Notes {
		fmt.Fprintf(&b, "note: %s\n", note)
	}
	if res.Valid {
		b.WriteString(Colour(colour, Green, "valid") + "\n")
	} else {
		b.WriteString(Colour(colour, Red, "invalid:") + "\n")
		for _, p := range res.Problems {
			fmt.Fprintf(&b, "  - %s\n", p)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Verdict is the outcome of verify for one CERT argument: the file, and
// either the result of its chain (its fields inline in JSON) or why the
// file could not be read.
type Verdict struct {
	File string `json:"file"`
	*chain.Result
	Error string `json:"error,omitempty"` // the file could not be read
}

// Words of a verdict: the VERDICT column, and "verdict" in JSON.
const (
	VerdictValid      = "valid"
	VerdictInvalid    = "invalid"
	VerdictUnreadable = "unreadable"
)

// Word says in one word what became of the file: valid, invalid, or
// unreadable (missing, no certificate in it, cannot be parsed).
func (v *Verdict) Word() string {
	switch {
	case v.Result == nil:
		return VerdictUnreadable
	case v.Valid:
		return VerdictValid
	}
	return VerdictInvalid
}

// Verdicts draws the outcome of verify. One CERT is drawn as a tree (its
// JSON the one result, as before several were taken); several make a
// table, one row each: file, subject, verdict (valid, invalid or
// unreadable), and the first problem or why the file could not be read
// (JSON: an array of [Verdict], each with its "verdict" word).
func Verdicts(w io.Writer, vs []*Verdict, asJSON, colour bool) error {
	if len(vs) == 1 {
		if asJSON {
			return JSON(w, vs[0].Result)
		}
		return Chain(w, vs[0].Result, colour)
	}
	if asJSON {
		type worded struct {
			*Verdict
			Word string `json:"verdict"`
		}
		out := make([]worded, len(vs))
		for i, v := range vs {
			out[i] = worded{Verdict: v, Word: v.Word()}
		}
		return JSON(w, out)
	}
	rows := make([][]string, 0, len(vs))
	for _, v := range vs {
		subject, reason := "", v.Error
		if v.Result != nil {
			if len(v.Chain) > 0 {
				subject = v.Chain[0].Subject
			}
			if !v.Valid {
				reason = FirstProblem(v.Problems)
			}
		}
		rows = append(rows, []string{v.File, subject, v.Word(), reason})
	}
	return Table(w, []string{"FILE", "SUBJECT", "VERDICT", "REASON"}, rows)
}

// FirstProblem is the first of several problems, with how many more there
// are: "expired (and 2 more)".
func FirstProblem(problems []string) string {
	if len(problems) == 0 {
		return ""
	}
	s := problems[0]
	if n := len(problems) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more)", n)
	}
	return s
}
