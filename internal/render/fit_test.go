package render

import (
	"strings"
	"testing"
)

func TestFitTable(t *testing.T) {
	rows := [][]string{
		{"a", "a very long subject that does not fit", Colour(true, Red, "x")},
		{"b", "short", "y"},
	}
	for _, tc := range []struct {
		name  string
		width int
		want  string
	}{
		{"no terminal, nothing to cut", 0, "a  a very long subject that does not fit  \x1b[31mx\x1b[0m\nb  short                                  y\n"},
		{"fits", 60, "a  a very long subject that does not fit  \x1b[31mx\x1b[0m\nb  short                                  y\n"},
		{"cut to fit", 20, "a  a very long s…  \x1b[31mx\x1b[0m\nb  short           y\n"},
		{"cut down to the minimum only", 5, "a  a very l…  \x1b[31mx\x1b[0m\nb  short      y\n"},
	} {
		var b strings.Builder
		if err := FitTable(&b, nil, rows, tc.width, Shrink{Col: 1, Min: 9}); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("%s: got\n%q\nwant\n%q", tc.name, b.String(), tc.want)
		}
	}
}

// TestFitTableToAPipe: with no width, a column is padded as wide as nine
// cells in ten need; the longest runs over.
func TestFitTableToAPipe(t *testing.T) {
	var rows [][]string
	for i := 0; i < 9; i++ {
		rows = append(rows, []string{"short", "z"})
	}
	rows = append(rows, []string{"a much longer cell", "z"})
	var b strings.Builder
	FitTable(&b, nil, rows, 0, Shrink{Col: 0, Min: 3})
	if !strings.HasPrefix(b.String(), "short  z\n") || !strings.HasSuffix(b.String(), "a much longer cell  z\n") {
		t.Errorf("got\n%s", b.String())
	}
}
