package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/render"
)

// renderChain draws a verified (or refused) chain as a tree, the trust
// anchor at the top and the leaf at the bottom, as people draw PKI
// hierarchies; every link shows its role, validity and status, and the
// problems found with it below it.
func renderChain(w io.Writer, res *chain.Result, colour bool) {
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
		code := render.Green
		if status != "ok" {
			code = render.Red
			status = strings.ToUpper(status)
		}
		fmt.Fprintf(w, "%s%s%s  (%s, %s to %s)  %s\n", indent, branch, l.Subject, role,
			render.Date(l.NotBefore), render.Date(l.NotAfter), render.Colour(colour, code, status))
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
			fmt.Fprintf(w, "%s  %s\n", pad, line)
		}
		for _, p := range l.Problems {
			fmt.Fprintf(w, "%s  ! %s\n", pad, p)
		}
	}
	for _, note := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	if res.Valid {
		fmt.Fprintln(w, render.Colour(colour, render.Green, "valid"))
		return
	}
	fmt.Fprintln(w, render.Colour(colour, render.Red, "invalid:"))
	for _, p := range res.Problems {
		fmt.Fprintf(w, "  - %s\n", p)
	}
}

// verdict is the outcome for one CERT argument of verify.
type verdict struct {
	File string `json:"file"`
	*chain.Result
	Error string `json:"error,omitempty"` // the file could not be read
}

func (v *verdict) valid() bool { return v.Result != nil && v.Result.Valid }

// renderVerdicts prints the results of verify and decides the exit: one
// CERT is drawn as a tree (its JSON the one result, as before several were
// taken); several make a table, one row each (JSON: an array).
func renderVerdicts(env *Env, asJSON bool, vs []*verdict) error {
	failed := 0
	for _, v := range vs {
		if !v.valid() {
			failed++
		}
	}
	if len(vs) == 1 {
		res := vs[0].Result
		if asJSON {
			if err := render.JSON(env.Stdout, res); err != nil {
				return err
			}
		} else {
			renderChain(env.Stdout, res, env.StdoutTTY)
		}
		if !res.Valid {
			msg := "the chain is invalid"
			if len(res.Problems) > 0 {
				msg += ": " + res.Problems[0]
				if n := len(res.Problems) - 1; n > 0 {
					msg += fmt.Sprintf(" (and %d more)", n)
				}
			}
			return checkFailed("%s", msg)
		}
		return nil
	}
	if asJSON {
		if err := render.JSON(env.Stdout, vs); err != nil {
			return err
		}
	} else {
		rows := make([][]string, 0, len(vs))
		for _, v := range vs {
			subject, verdict, reason := "", "invalid", v.Error
			if v.Result != nil {
				if len(v.Chain) > 0 {
					subject = v.Chain[0].Subject
				}
				if v.Valid {
					verdict = "valid"
				} else if len(v.Problems) > 0 {
					reason = v.Problems[0]
					if n := len(v.Problems) - 1; n > 0 {
						reason += fmt.Sprintf(" (and %d more)", n)
					}
				}
			}
			rows = append(rows, []string{v.File, subject, verdict, reason})
		}
		if err := render.Table(env.Stdout, []string{"FILE", "SUBJECT", "VERDICT", "REASON"}, rows); err != nil {
			return err
		}
	}
	if failed > 0 {
		return checkFailed("%d of %d chains are invalid", failed, len(vs))
	}
	return nil
}
