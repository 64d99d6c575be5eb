package cli

import (
	"fmt"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/render"
)

func caListCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "list",
		Usage:     "list what the CA issued",
		ArgsUsage: "DIR",
		Description: `Lists every certificate the CA in DIR issued, oldest first: serial,
subject, profile, validity, status (valid, expired, revoked with its reason,
or revoked because it is below the minimum serial) and the SHA-1 and
SHA-256 fingerprints. Certificates signed by a previous CA of the
directory (before "ca init --force") are marked "(previous CA)". Serials
spent on certificates that were signed but never delivered (a command
killed or failed on the way) are named at the end; they are not issued.

EXIT CODES:
   0 listed; 2 not a CA directory`,
		Flags:  []ucli.Flag{jsonFlag},
		Action: runCAList,
	}
}

type caListEntry struct {
	Serial    string `json:"serial"`
	Subject   string `json:"subject"`
	Profile   string `json:"profile"`
	NotBefore string `json:"not_before"`
	NotAfter  string `json:"not_after"`
	DaysLeft  int    `json:"days_left"`
	Status    string `json:"status"`
	RevokedAt string `json:"revoked_at,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Current   bool   `json:"current_ca"`
	SHA1      string `json:"sha1"`
	SHA256    string `json:"sha256"`
	File      string `json:"file"`
}

type caListDoc struct {
	CA        string        `json:"ca"`
	CASHA256  string        `json:"ca_sha256"`
	MinSerial string        `json:"min_serial,omitempty"`
	Issued    []caListEntry `json:"issued"`
	Unissued  []string      `json:"unissued"`
}

func runCAList(c *ucli.Context) error {
	dir, err := caDirArg(c, 1, 1, "DIR")
	if err != nil {
		return err
	}
	a, err := openCA(c, dir, false)
	if err != nil {
		return err
	}
	env := envOf(c)
	now := env.Now()
	st, err := a.Records(now)
	if err != nil {
		return err
	}
	pc := certs.FromX509(a.Cert)
	doc := caListDoc{CA: pc.Subject(), CASHA256: pc.SHA256Hex(), Issued: []caListEntry{}, Unissued: []string{}}
	if st.MinSerial != nil {
		doc.MinSerial = certs.SerialHex(st.MinSerial)
	}
	for _, n := range st.Unissued {
		doc.Unissued = append(doc.Unissued, certs.SerialHex(n))
	}
	for _, e := range st.Entries {
		le := caListEntry{
			Serial:    certs.SerialHex(e.Serial.Int),
			Subject:   e.Subject,
			Profile:   e.Profile,
			NotBefore: e.NotBefore.UTC().Format(time.RFC3339),
			NotAfter:  e.NotAfter.UTC().Format(time.RFC3339),
			DaysLeft:  render.DaysLeft(e.NotAfter, now),
			Status:    string(e.Status),
			Reason:    e.Reason,
			Current:   e.Current,
			SHA1:      e.SHA1,
			SHA256:    e.SHA256,
			File:      e.File,
		}
		if e.RevokedAt != nil {
			le.RevokedAt = e.RevokedAt.UTC().Format(time.RFC3339)
		}
		doc.Issued = append(doc.Issued, le)
	}
	if c.Bool("json") {
		return render.JSON(env.Stdout, doc)
	}
	rows := [][]string{}
	for i, e := range doc.Issued {
		status := e.Status
		switch st.Entries[i].Status {
		case ca.StatusRevoked:
			status = "revoked (" + e.Reason + ")"
		case ca.StatusBelowMin:
			status = "revoked (below min serial)"
		}
		if !e.Current {
			status += " (previous CA)"
		}
		rows = append(rows, []string{e.Serial, e.Subject, e.Profile,
			render.Date(st.Entries[i].NotBefore), render.Date(st.Entries[i].NotAfter), status, e.SHA1, e.SHA256})
	}
	if len(rows) == 0 {
		fmt.Fprintf(env.Stdout, "the CA %s has issued nothing yet\n", doc.CA)
	} else if err := render.Table(env.Stdout, []string{"SERIAL", "SUBJECT", "PROFILE", "NOT BEFORE", "NOT AFTER", "STATUS", "SHA-1", "SHA-256"}, rows); err != nil {
		return err
	}
	if len(doc.Unissued) > 0 {
		fmt.Fprintf(env.Stdout, "not issued (signed, never delivered; the serials stay spent): %s\n", strings.Join(doc.Unissued, ", "))
	}
	return nil
}
