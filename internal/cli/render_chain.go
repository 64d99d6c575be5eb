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
