package render

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/store"
)

// ListEntry is one entry as list --json writes it; not_after and
// days_left are null when the certificate's notAfter cannot be read.
type ListEntry struct {
	Alias       string       `json:"alias"`
	Kind        string       `json:"kind"`
	Subject     string       `json:"subject"`
	Issuer      string       `json:"issuer"`
	NotAfter    *string      `json:"not_after"`
	DaysLeft    *int         `json:"days_left"`
	Status      certs.Expiry `json:"status,omitempty"`
	SHA256      string       `json:"sha256"`
	ChainLength int          `json:"chain_length,omitempty"`
	Created     string       `json:"created,omitempty"`
}

// ListSummary counts a store's entries and those that need attention.
type ListSummary struct {
	Entries  int `json:"entries"`
	Expired  int `json:"expired"`
	Expiring int `json:"expiring"`
}

// ListDoc is the document list --json writes.
type ListDoc struct {
	Store   string      `json:"store"`
	Type    string      `json:"type"`
	Entries []ListEntry `json:"entries"`
	Summary ListSummary `json:"summary"`
}

// List writes the entries of st as a table fitted to width columns (a
// terminal's; 0 for none), expired and expiring entries marked (and
// coloured when colour is on), then a summary line.
func List(w io.Writer, st *store.Store, now time.Time, colour bool, width int) error {
	rows, sum := listRows(st, now, colour)
	// On a narrow terminal the subject gives way first (its CN comes
	// first and stays), then the fingerprint (--json and a pipe still give
	// it whole), then the alias; then all three again, down to what fits
	// an 80-column terminal.
	if err := FitTable(w, []string{"ALIAS", "KIND", "SUBJECT", "EXPIRES", "SHA-256"}, rows, width,
		Shrink{Col: 2, Min: 24}, Shrink{Col: 4, Min: 17}, Shrink{Col: 0, Min: 16},
		Shrink{Col: 2, Min: 12}, Shrink{Col: 0, Min: 12}, Shrink{Col: 4, Min: 11}); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, summaryLine(sum, colour))
	return err
}

// ListJSON writes the entries of st, read from path, as list --json does.
func ListJSON(w io.Writer, path string, st *store.Store, now time.Time) error {
	entries, sum := listEntries(st, now)
	return JSON(w, ListDoc{path, st.Format.String(), entries, sum})
}

// listEntries is what list --json says of each entry.
func listEntries(st *store.Store, now time.Time) ([]ListEntry, ListSummary) {
	entries := make([]ListEntry, 0, len(st.Entries))
	var sum ListSummary
	for _, e := range st.Entries {
		le := ListEntry{Alias: e.Alias, Kind: e.Kind.String()}
		if cert := e.Cert(); cert != nil {
			le.Subject = cert.Subject()
			le.Issuer = cert.Issuer()
			le.SHA256 = cert.SHA256Hex()
			le.Status = certs.ExpiryOf(cert.NotAfter(), now)
			if na := cert.NotAfter(); !na.IsZero() {
				s, n := RFC3339(na), certs.DaysLeft(na, now)
				le.NotAfter, le.DaysLeft = &s, &n
			}
		}
		if e.Kind == store.PrivateKey {
			le.ChainLength = len(e.Certs)
		}
		le.Created = RFC3339(e.Created)
		sum.count(le.Status)
		entries = append(entries, le)
	}
	sum.Entries = len(entries)
	return entries, sum
}

// listRows is the table's rows, made straight from the store with only
// what the table shows: the decoded store, by far the largest thing list
// holds, can then be freed while the table is drawn, with no second copy
// of every entry in between.
func listRows(st *store.Store, now time.Time, colour bool) ([][]string, ListSummary) {
	rows := make([][]string, 0, len(st.Entries))
	var sum ListSummary
	for _, e := range st.Entries {
		kind := e.Kind.String()
		if e.Kind == store.PrivateKey && len(e.Certs) > 0 {
			kind += " (chain " + strconv.Itoa(len(e.Certs)) + ")"
		}
		var subject, sha string
		var status certs.Expiry
		expires := "unknown"
		if cert := e.Cert(); cert != nil {
			subject, sha = cert.Subject(), cert.SHA256Hex()
			na := cert.NotAfter()
			status = certs.ExpiryOf(na, now)
			if !na.IsZero() {
				expires = DateOf(RFC3339(na))
			}
			switch status {
			case certs.Expired:
				expires += " expired"
			case certs.ExpiringSoon:
				expires += fmt.Sprintf(" in %dd", certs.DaysLeft(na, now))
			}
		}
		sum.count(status)
		rows = append(rows, []string{e.Alias, kind, subject, ExpiryColour(colour, status, expires), sha})
	}
	sum.Entries = len(rows)
	return rows, sum
}

func (s *ListSummary) count(status certs.Expiry) {
	switch status {
	case certs.Expired:
		s.Expired++
	case certs.ExpiringSoon:
		s.Expiring++
	}
}

// summaryLine is "142 entries: 2 expired, 1 expiring within 30 days".
func summaryLine(s ListSummary, colour bool) string {
	noun := "entries"
	if s.Entries == 1 {
		noun = "entry"
	}
	line := fmt.Sprintf("%d %s", s.Entries, noun)
	if s.Entries == 0 {
		return line
	}
	expired := fmt.Sprintf("%d expired", s.Expired)
	if s.Expired > 0 {
		expired = ExpiryColour(colour, certs.Expired, expired)
	}
	expiring := fmt.Sprintf("%d expiring within %d days", s.Expiring, int(certs.Soon.Hours()/24))
	if s.Expiring > 0 {
		expiring = ExpiryColour(colour, certs.ExpiringSoon, expiring)
	}
	return line + ": " + expired + ", " + expiring
}
