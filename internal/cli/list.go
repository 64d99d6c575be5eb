package cli

import (
	"fmt"
	"strconv"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/store"
)

func listCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "list",
		Usage:     "list the entries of a store",
		ArgsUsage: "STORE",
		Description: `One line per entry: alias, entry kind, subject, expiry and SHA-256
fingerprint, in alias order, then a count of the entries, of those
expired and of those expiring within 30 days. Expired and expiring entries
are marked (and coloured on a terminal, unless NO_COLOR is set); on a
terminal the lines fit its width, the subject and then the fingerprint
cut short (--json, or a pipe, gives them whole). STORE is a JKS, JCEKS,
PKCS#12 or PEM file, recognised from its content.

A JKS store can be listed without its password; its integrity is then not
checked, and trustctl says so. A password-less PKCS#12 store (the JDK 18+
cacerts form) needs none.

EXAMPLES:
   trustctl list --cacerts
   trustctl list gateway-truststore.p12 --password-env TRUSTSTORE_PASSWORD
   trustctl list keystore.jks --json

EXIT CODES:
   0 listed; 2 the store cannot be read (wrong password, damaged, absent)`,
		Flags:  append(storeFlags(true), jsonFlag),
		Action: runList,
	}
}

func runList(c *ucli.Context) error {
	path, rest, err := storeArg(c, "STORE")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("usage: trustctl list STORE (one store; got %d more arguments)", len(rest))
	}
	st, err := readStore(c, path)
	if err != nil {
		return err
	}
	st.Sort()
	return writeList(envOf(c), path, st, c.Bool("json"))
}

// listEntry is one entry as list --json writes it; not_after and
// days_left are null when the certificate's notAfter cannot be read.
type listEntry struct {
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

// listSummary counts the entries and those that need attention.
type listSummary struct {
	Entries  int `json:"entries"`
	Expired  int `json:"expired"`
	Expiring int `json:"expiring"`
}

// writeList writes the entries of st: a table fitted to the terminal (the
// subject cut first, then the fingerprint), expired and expiring entries
// marked (and coloured on a terminal), and a summary line; or one JSON
// document.
func writeList(env *Env, path string, st *store.Store, asJSON bool) error {
	now := env.Now()
	if asJSON {
		entries, sum := listEntries(st, now)
		return render.JSON(env.Stdout, struct {
			Store   string      `json:"store"`
			Type    string      `json:"type"`
			Entries []listEntry `json:"entries"`
			Summary listSummary `json:"summary"`
		}{path, st.Format.String(), entries, sum})
	}
	rows, sum := listRows(st, now, env.colour())
	// On a narrow terminal the subject gives way first (its CN comes
	// first and stays), then the fingerprint (--json and a pipe still give
	// it whole), then the alias; then all three again, down to what fits
	// an 80-column terminal.
	if err := render.FitTable(env.Stdout, []string{"ALIAS", "KIND", "SUBJECT", "EXPIRES", "SHA-256"}, rows, env.Width,
		render.Shrink{Col: 2, Min: 24}, render.Shrink{Col: 4, Min: 17}, render.Shrink{Col: 0, Min: 16},
		render.Shrink{Col: 2, Min: 12}, render.Shrink{Col: 0, Min: 12}, render.Shrink{Col: 4, Min: 11}); err != nil {
		return err
	}
	_, err := fmt.Fprintln(env.Stdout, summaryLine(sum, env.colour()))
	return err
}

// listEntries is what list --json says of each entry.
func listEntries(st *store.Store, now time.Time) ([]listEntry, listSummary) {
	entries := make([]listEntry, 0, len(st.Entries))
	var sum listSummary
	for _, e := range st.Entries {
		le := listEntry{Alias: e.Alias, Kind: e.Kind.String()}
		if cert := e.Cert(); cert != nil {
			le.Subject = cert.Subject()
			le.Issuer = cert.Issuer()
			le.SHA256 = cert.SHA256Hex()
			le.Status = certs.ExpiryOf(cert.NotAfter(), now)
			if na := cert.NotAfter(); !na.IsZero() {
				s, n := render.RFC3339(na), certs.DaysLeft(na, now)
				le.NotAfter, le.DaysLeft = &s, &n
			}
		}
		if e.Kind == store.PrivateKey {
			le.ChainLength = len(e.Certs)
		}
		le.Created = render.RFC3339(e.Created)
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
func listRows(st *store.Store, now time.Time, colour bool) ([][]string, listSummary) {
	rows := make([][]string, 0, len(st.Entries))
	var sum listSummary
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
				expires = render.DateOf(render.RFC3339(na))
			}
			switch status {
			case certs.Expired:
				expires += " expired"
			case certs.ExpiringSoon:
				expires += fmt.Sprintf(" in %dd", certs.DaysLeft(na, now))
			}
		}
		sum.count(status)
		rows = append(rows, []string{e.Alias, kind, subject, render.ExpiryColour(colour, status, expires), sha})
	}
	sum.Entries = len(rows)
	return rows, sum
}

func (s *listSummary) count(status certs.Expiry) {
	switch status {
	case certs.Expired:
		s.Expired++
	case certs.ExpiringSoon:
		s.Expiring++
	}
}

// summaryLine is "142 entries: 2 expired, 1 expiring within 30 days".
func summaryLine(s listSummary, colour bool) string {
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
		expired = render.ExpiryColour(colour, certs.Expired, expired)
	}
	expiring := fmt.Sprintf("%d expiring within %d days", s.Expiring, int(certs.Soon.Hours()/24))
	if s.Expiring > 0 {
		expiring = render.ExpiryColour(colour, certs.ExpiringSoon, expiring)
	}
	return line + ": " + expired + ", " + expiring
}
