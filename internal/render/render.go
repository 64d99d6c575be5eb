// Package render draws trustctl's output for people (aligned tables,
// chains as trees, dates and day counts) and for programs (one JSON
// document). It decides nothing about the data it is given.
package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trustctl/trustctl/internal/certs"
)

// Table writes rows as aligned columns under a header. The last column is
// not padded.
func Table(w io.Writer, header []string, rows [][]string) error {
	return FitTable(w, header, rows, 0)
}

// Shrink says that column Col of a table may be cut down to Min
// characters to fit a width.
type Shrink struct{ Col, Min int }

// FitTable is [Table] fitted to width columns (a terminal's): while the
// lines are too long, the columns of shrink are cut, in the order given,
// each down to its Min, the end of a cut cell replaced by "…" (so they
// should not be coloured). With a width of 0 or less (not a terminal)
// nothing is cut, but a column of shrink is padded only as wide as nine
// cells in ten need: the few longer ones run over, rather than every line
// being as long as the longest. ANSI colours do not count as width.
func FitTable(w io.Writer, header []string, rows [][]string, width int, shrink ...Shrink) error {
	cols := len(header)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	widths := make([]int, cols)
	measure := func(r []string) {
		for i, c := range r {
			widths[i] = max(widths[i], VisibleLen(c))
		}
	}
	if header != nil {
		measure(header)
	}
	for _, r := range rows {
		measure(r)
	}
	if width <= 0 {
		for _, sh := range shrink {
			if sh.Col < cols {
				widths[sh.Col] = min(widths[sh.Col], max(percentile90(rows, sh.Col), sh.Min))
			}
		}
	}
	cut := width > 0
	if width > 0 && cols > 0 {
		excess := 2*(cols-1) - width
		for _, n := range widths {
			excess += n
		}
		for _, sh := range shrink {
			if excess <= 0 {
				break
			}
			if sh.Col < cols {
				cut := min(excess, max(widths[sh.Col]-sh.Min, 0))
				widths[sh.Col] -= cut
				excess -= cut
			}
		}
	}
	// Written a line at a time: a table of 20,000 rows is not held twice.
	b := bufio.NewWriter(w)
	line := func(r []string) {
		for i, c := range r {
			if n := VisibleLen(c); cut && n > widths[i] {
				c = string([]rune(c)[:max(widths[i]-1, 0)]) + "…"
			}
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", max(widths[i]-VisibleLen(c), 0)+2))
			}
		}
		b.WriteByte('\n')
	}
	if header != nil {
		line(header)
	}
	for _, r := range rows {
		line(r)
	}
	return b.Flush()
}

// percentile90 is the width that nine cells in ten of column col fit in.
func percentile90(rows [][]string, col int) int {
	var ns []int
	for _, r := range rows {
		if col < len(r) {
			ns = append(ns, VisibleLen(r[col]))
		}
	}
	if len(ns) == 0 {
		return 0
	}
	slices.Sort(ns)
	return ns[(len(ns)*9+9)/10-1]
}

// VisibleLen is the number of characters of s a terminal shows: runes,
// less the ANSI escape sequences [Colour] adds.
func VisibleLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			if j := strings.IndexByte(s[i:], 'm'); j >= 0 {
				i += j + 1
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}

// JSON writes v as one indented JSON document.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Date formats a time as a calendar date in UTC.
func Date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

// DaysLeft is the number of whole days from now until t (negative once
// t has passed); see certs.DaysLeft.
func DaysLeft(t, now time.Time) int { return certs.DaysLeft(t, now) }

// Days describes days left in words: "in 42 days", "expired 3 days ago".
func Days(t, now time.Time) string {
	n := DaysLeft(t, now)
	switch {
	case n > 1:
		return fmt.Sprintf("%d days left", n)
	case n == 1:
		return "1 day left"
	case n == 0 && t.After(now):
		return "expires today"
	case n == -1:
		return "expired 1 day ago"
	}
	return fmt.Sprintf("expired %d days ago", -n)
}

// Colour wraps s in an ANSI colour when on is true.
func Colour(on bool, code, s string) string {
	if !on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// Colours used across trustctl's output.
const (
	Red    = "31"
	Green  = "32"
	Yellow = "33"
	Bold   = "1"
)
