package cli

import "testing"

// TestColourOnlyOnTerminalWithoutNOCOLOR: colour needs a terminal, and
// NO_COLOR set to anything but "" turns it off (no-color.org).
func TestColourOnlyOnTerminalWithoutNOCOLOR(t *testing.T) {
	for _, tc := range []struct {
		tty     bool
		noColor string
		want    bool
	}{
		{true, "", true},
		{true, "1", false},
		{true, "0", false}, // any value, even "0"
		{false, "", false},
		{false, "1", false},
	} {
		env := &Env{StdoutTTY: tc.tty, Getenv: func(k string) string {
			if k == "NO_COLOR" {
				return tc.noColor
			}
			return ""
		}}
		if got := env.colour(); got != tc.want {
			t.Errorf("tty %v, NO_COLOR=%q: colour() = %v, want %v", tc.tty, tc.noColor, got, tc.want)
		}
	}
}
