package cli

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"60d", 60 * 24 * time.Hour, true},
		{"168h", 168 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"30", 30 * 24 * time.Hour, true},
		{"60D", 60 * 24 * time.Hour, true},
		{"", 0, false},
		{"5m", 0, false},
		{"d", 0, false},
		{"-3d", 0, false},
		{"12", 12 * 24 * time.Hour, true},
		{"2400000d", 0, false},
		{"107000", 0, false},
		{"100000d2400000h", 0, false},
	} {
		got, err := parseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// FuzzParseDuration: never panics, never negative.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"60d", "168h", "1d12h", "30", "x", "99999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDuration(s)
		if err == nil && d < 0 {
			t.Fatalf("parseDuration(%q) = %v", s, d)
		}
	})
}
