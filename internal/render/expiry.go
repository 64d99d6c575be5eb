package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/expiry"
)

// ExpiryCert is a certificate of expiry --json.
type ExpiryCert struct {
	Origin    string `json:"origin"`
	Subject   string `json:"subject"`
	Issuer    string `json:"issuer"`
	Serial    string `json:"serial"`
	NotBefore string `json:"not_before"`
	NotAfter  string `json:"not_after"`
	DaysLeft  int    `json:"days_left"`
	SHA256    string `json:"sha256"`
	Expiring  bool   `json:"expiring,omitempty"`
}

// ExpiryUnreadable is a source expiry --json could not read, and why.
type ExpiryUnreadable struct {
	Source string `json:"source"`
	Error  string `json:"error"`
}

// ExpiryDoc is the JSON of expiry.
type ExpiryDoc struct {
	Within       string             `json:"within,omitempty"`
	Certificates []ExpiryCert       `json:"certificates"`
	Unreadable   []ExpiryUnreadable `json:"unreadable"`
	Expiring     int                `json:"expiring"`
	Files        int                `json:"files_read"`
	Endpoints    int                `json:"endpoints"`
	Notes        []string           `json:"notes,omitempty"`
	OK           bool               `json:"ok"`
}

// ExpiryJSON writes the report of expiry as JSON; within is the --within
// flag as given ("" without one).
func ExpiryJSON(w io.Writer, rep *expiry.Report, within string) error {
	doc := ExpiryDoc{Within: within, Certificates: []ExpiryCert{}, Unreadable: []ExpiryUnreadable{}, Expiring: rep.Expiring,
		Files: rep.Files, Endpoints: rep.Endpoints, Notes: rep.Notes, OK: !rep.Failed()}
	for _, ct := range rep.Certs {
		doc.Certificates = append(doc.Certificates, ExpiryCert{
			Origin: ct.Origin, Subject: ct.Subject, Issuer: ct.Issuer, Serial: certs.SerialHex(ct.Serial),
			NotBefore: ct.NotBefore.UTC().Format(time.RFC3339), NotAfter: ct.NotAfter.UTC().Format(time.RFC3339),
			DaysLeft: ct.DaysLeft, SHA256: certs.Fingerprint(ct.SHA256[:]), Expiring: ct.Expiring,
		})
	}
	for _, u := range rep.Unreadable {
		doc.Unreadable = append(doc.Unreadable, ExpiryUnreadable{Source: u.Source, Error: u.Reason()})
	}
	return JSON(w, doc)
}

// Expiry draws the table of expiry: the sources that could not be read
// first (they need a look before anything else), then the certificates,
// soonest first. It is Table's table, written a line at a time from the
// report: a report of tens of thousands of certificates built first into
// rows of cells and then into one string would be held three times over.
func Expiry(w io.Writer, rep *expiry.Report, colour bool) error {
	if len(rep.Unreadable) == 0 && len(rep.Certs) == 0 {
		_, err := fmt.Fprintln(w, "no certificates found")
		return err
	}
	unreadable := Colour(colour, Red, "unreadable")
	// The widths of the padded columns: DAYS, NOT AFTER, SUBJECT.
	widths := [3]int{len("DAYS"), len("NOT AFTER"), len("SUBJECT")}
	if len(rep.Unreadable) > 0 {
		widths[1] = max(widths[1], VisibleLen(unreadable))
	}
	for _, u := range rep.Unreadable {
		widths[2] = max(widths[2], VisibleLen(u.Reason()))
	}
	var num []byte
	for _, ct := range rep.Certs {
		num = strconv.AppendInt(num[:0], int64(ct.DaysLeft), 10)
		widths[0] = max(widths[0], len(num))
		widths[1] = max(widths[1], len(Date(ct.NotAfter)))
		widths[2] = max(widths[2], VisibleLen(ct.Subject))
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	line := func(cells [4]string) {
		for i, c := range cells[:3] {
			bw.WriteString(c)
			for range widths[i] - VisibleLen(c) + 2 {
				bw.WriteByte(' ')
			}
		}
		bw.WriteString(cells[3])
		bw.WriteByte('\n')
	}
	line([4]string{"DAYS", "NOT AFTER", "SUBJECT", "SOURCE"})
	for _, u := range rep.Unreadable {
		line([4]string{"-", unreadable, u.Reason(), u.Source})
	}
	for _, ct := range rep.Certs {
		days := strconv.Itoa(ct.DaysLeft)
		if ct.Expiring {
			days = Colour(colour, Red, days)
		}
		line([4]string{days, Date(ct.NotAfter), ct.Subject, ct.Origin})
	}
	return bw.Flush()
}
