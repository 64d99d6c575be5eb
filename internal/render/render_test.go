package render

import (
	"strings"
	"testing"
	"time"
)

func TestTableAlignsColumns(t *testing.T) {
	var b strings.Builder
	Table(&b, []string{"ALIAS", "KIND"}, [][]string{{"a", "trustedCertEntry"}, {"longer-alias", "PrivateKeyEntry"}})
	want := "ALIAS         KIND\na             trustedCertEntry\nlonger-alias  PrivateKeyEntry\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	Table(&b, nil, [][]string{{"x", "y", "z"}, {"xx"}})
	if b.String() != "x   y  z\nxx\n" {
		t.Errorf("headerless table %q", b.String())
	}
}

func TestDays(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{now.Add(60 * 24 * time.Hour), "60 days left"},
		{now.Add(36 * time.Hour), "1 day left"},
		{now.Add(time.Hour), "expires today"},
		{now.Add(-time.Hour), "expired 1 day ago"},
		{now.Add(-72 * time.Hour), "expired 3 days ago"},
	} {
		if got := Days(tc.t, now); got != tc.want {
			t.Errorf("Days(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}
