package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/expiry"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestExpiryProgressOnlyForPeopleOnATerminal: the progress bar goes to a
// terminal's stderr, never under --json or --metrics -, nor to a pipe.
func TestExpiryProgressOnlyForPeopleOnATerminal(t *testing.T) {
	old := progressDelay
	progressDelay = 0
	t.Cleanup(func() { progressDelay = old })
	dir := t.TempDir()
	for _, n := range []string{"a", "b", "c"} {
		if err := os.WriteFile(filepath.Join(dir, n+".pem"), testpki.Root(t, "CN="+n).CertPEM, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		tty   bool
		args  []string
		wantP bool
	}{
		{"terminal", true, nil, true},
		{"pipe", false, nil, false},
		{"json", true, []string{"--json"}, false},
		{"metrics to stdout", true, []string{"--metrics", "-"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Run(append([]string{"trustctl", "expiry", dir}, tt.args...), &Env{Stdout: &out, Stderr: &errb, StderrTTY: tt.tty})
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
			}
			if got := strings.Contains(errb.String(), "reading"); got != tt.wantP {
				t.Errorf("progress shown %v, want %v: stderr %q", got, tt.wantP, errb.String())
			}
		})
	}
}

// TestExpiryTableIsRenderTable: the table expiry writes a line at a time
// is the one render.Table draws from the same rows, coloured or not.
func TestExpiryTableIsRenderTable(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rep := &expiry.Report{
		Unreadable: []expiry.Unreadable{{Source: "gone.pem", Err: errors.New("gone.pem: no such file")}},
		Certs: []expiry.Cert{
			{Origin: "a.pem", Subject: "CN=short", NotAfter: now.Add(-48 * time.Hour), DaysLeft: -2, Expiring: true},
			{Origin: "b.jks#alias", Subject: "CN=Zürich ünïcödé,O=Ex", NotAfter: now.Add(400 * 24 * time.Hour), DaysLeft: 400},
			{Origin: "c.pem", Subject: "CN=a much longer subject than the others,O=Example", NotAfter: now.Add(12000 * 24 * time.Hour), DaysLeft: 12000},
		},
	}
	for _, colour := range []bool{false, true} {
		env := &Env{StdoutTTY: colour, Getenv: func(string) string { return "" }}
		rows := [][]string{}
		for _, u := range rep.Unreadable {
			rows = append(rows, []string{"-", render.Colour(colour, render.Red, "unreadable"), u.Reason(), u.Source})
		}
		for _, ct := range rep.Certs {
			days := strconv.Itoa(ct.DaysLeft)
			if ct.Expiring {
				days = render.Colour(colour, render.Red, days)
			}
			rows = append(rows, []string{days, render.Date(ct.NotAfter), ct.Subject, ct.Origin})
		}
		var want, got bytes.Buffer
		if err := render.Table(&want, []string{"DAYS", "NOT AFTER", "SUBJECT", "SOURCE"}, rows); err != nil {
			t.Fatal(err)
		}
		env.Stdout = &got
		if err := printExpiry(env, rep); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("colour %v:\n got %q\nwant %q", colour, got.String(), want.String())
		}
	}
}
