package render

import (
	"bytes"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/expiry"
)

// TestExpiryTableIsTable: the table expiry writes a line at a time is the
// one Table draws from the same rows, coloured or not.
func TestExpiryTableIsTable(t *testing.T) {
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
		rows := [][]string{}
		for _, u := range rep.Unreadable {
			rows = append(rows, []string{"-", Colour(colour, Red, "unreadable"), u.Reason(), u.Source})
		}
		for _, ct := range rep.Certs {
			days := strconv.Itoa(ct.DaysLeft)
			if ct.Expiring {
				days = Colour(colour, Red, days)
			}
			rows = append(rows, []string{days, Date(ct.NotAfter), ct.Subject, ct.Origin})
		}
		var want, got bytes.Buffer
		if err := Table(&want, []string{"DAYS", "NOT AFTER", "SUBJECT", "SOURCE"}, rows); err != nil {
			t.Fatal(err)
		}
		if err := Expiry(&got, rep, colour); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("colour %v:\n got %q\nwant %q", colour, got.String(), want.String())
		}
	}
}

// TestExpiryEmpty: a report without certificates says so in words, and
// its JSON lists are empty, not null.
func TestExpiryEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := Expiry(&b, &expiry.Report{}, false); err != nil {
		t.Fatal(err)
	}
	if b.String() != "no certificates found\n" {
		t.Errorf("text: %q", b.String())
	}
	b.Reset()
	if err := ExpiryJSON(&b, &expiry.Report{}, ""); err != nil {
		t.Fatal(err)
	}
	want := `{
  "certificates": [],
  "unreadable": [],
  "expiring": 0,
  "files_read": 0,
  "endpoints": 0,
  "ok": true
}
`
	if b.String() != want {
		t.Errorf("JSON:\n%s", b.String())
	}
}
