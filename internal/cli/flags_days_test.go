package cli

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseDays(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	last := int((lastCertDay.Unix() - now.Unix()) / 86400)
	for _, tc := range []struct {
		in   string
		want int
		err  string
	}{
		{"90", 90, ""},
		{"90d", 90, ""},
		{"90D", 90, ""},
		{" 90d ", 90, ""},
		{"2160h", 90, ""},
		{"168h", 7, ""},
		{"1", 1, ""},
		{"24h", 1, ""},
		{"0", 0, "positive"},
		{"0d", 0, "positive"},
		{"0h", 0, "positive"},
		{"-5", 0, "positive"},
		{"-5d", 0, "positive"},
		{"36h", 0, "whole number of days"},
		{"1.5", 0, "not a number"},
		{"1d12h", 0, "not a number"},
		{"", 0, "not a number"},
		{"d", 0, "not a number"},
		{"5m", 0, "not a number"},
		{"+5", 0, "not a number"},
		{"9223372036854775807", 0, "9999-12-31"},
		{"99999999999999999999", 0, "9999-12-31"},
		{"9223372036854775807h", 0, "9999-12-31"},
		{strings.Repeat("9", 8), 0, "9999-12-31"},
		{"3000000", 0, "9999-12-31"},
	} {
		got, err := parseDays(tc.in, now)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("parseDays(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parseDays(%q) = %d, %v; want an error with %q", tc.in, got, err, tc.err)
		}
	}
	// The last day that still fits, and the one after it.
	if got, err := parseDays(strconv.Itoa(last), now); err != nil || got != last {
		t.Errorf("parseDays(%d) = %d, %v", last, got, err)
	}
	if _, err := parseDays(strconv.Itoa(last+1), now); err == nil {
		t.Errorf("parseDays(%d) ends after 9999-12-31 and was accepted", last+1)
	}
}

// FuzzParseDays: never panics; what it accepts is a positive number of
// days that ends by 9999-12-31.
func FuzzParseDays(f *testing.F) {
	for _, s := range []string{"90", "90d", "2160h", "0", "-5", "36h", "9223372036854775807", "x"} {
		f.Add(s)
	}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseDays(s, now)
		if err != nil {
			return
		}
		if n <= 0 || now.AddDate(0, 0, n).After(lastCertDay) {
			t.Fatalf("parseDays(%q) = %d", s, n)
		}
	})
}
