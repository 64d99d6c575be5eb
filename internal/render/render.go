// Package render draws trustctl's output for people (aligned tables,
// chains as trees, dates and day counts) and for programs (one JSON
// document). It decides nothing about the data it is given.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trustctl/trustctl/internal/certs"
)

// Table writes rows as aligned columns under a header. The last column is
// not padded.
func Table(w io.Writer, header []string, rows [][]string) error {
	cols := len(header)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	widths := make([]int, cols)
	measure := func(r []string) {
		for i, c := range r {
			if n := utf8.RuneCountInString(c); n > widths[i] {
				widths[i] = n
			}
		}
	}
	if header != nil {
		measure(header)
	}
	for _, r := range rows {
		measure(r)
	}
	var b strings.Builder
	line := func(r []string) {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
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
	_, err := io.WriteString(w, b.String())
	return err
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
