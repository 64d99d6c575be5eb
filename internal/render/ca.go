package render

import (
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/certs"
)

// CACertDoc describes a certificate in the JSON of the ca commands.
type CACertDoc struct {
	Serial    string `json:"serial"`
	Subject   string `json:"subject"`
	Issuer    string `json:"issuer"`
	NotBefore string `json:"not_before"`
	NotAfter  string `json:"not_after"`
	SHA1      string `json:"sha1"`
	SHA256    string `json:"sha256"`
}

// NewCACertDoc describes cert.
func NewCACertDoc(cert *x509.Certificate) *CACertDoc {
	pc := certs.FromX509(cert)
	return &CACertDoc{
		Serial:    certs.SerialHex(cert.SerialNumber),
		Subject:   pc.Subject(),
		Issuer:    pc.Issuer(),
		NotBefore: cert.NotBefore.UTC().Format(time.RFC3339),
		NotAfter:  cert.NotAfter.UTC().Format(time.RFC3339),
		SHA1:      pc.SHA1Hex(),
		SHA256:    pc.SHA256Hex(),
	}
}

// CAInitDoc is the JSON of ca init.
type CAInitDoc struct {
	Changed  bool       `json:"changed"`
	Action   string     `json:"action"` // created, replaced, completed, csr
	Dir      string     `json:"dir"`
	Replaced string     `json:"replaced,omitempty"`
	CSR      string     `json:"csr,omitempty"`
	CA       *CACertDoc `json:"ca,omitempty"`
	// Installed, SettingsChanged and Settings describe a completion
	// (action "completed"): whether the certificate was installed now,
	// which settings changed, and the settings in force.
	Installed       bool       `json:"installed,omitempty"`
	SettingsChanged []string   `json:"settings_changed,omitempty"`
	Settings        *ca.Config `json:"settings,omitempty"`
}

// CAInit draws what ca init did; keyPath is the CA key's file, named
// when only a CSR was made.
func CAInit(w io.Writer, doc CAInitDoc, keyPath string) error {
	var err error
	switch doc.Action {
	case "csr":
		_, err = fmt.Fprintf(w, "wrote %s and %s\nnext: have the parent sign it (trustctl ca sign PARENT %s --profile intermediate --out signed.crt),\n      then: trustctl ca init %s --cert signed.crt\n",
			keyPath, doc.CSR, doc.CSR, doc.Dir)
		return err
	case "completed":
		var b strings.Builder
		switch {
		case doc.Installed:
			fmt.Fprintf(&b, "completed CA %s in %s\nissuer   %s\nSHA-256  %s\n", doc.CA.Subject, doc.Dir, doc.CA.Issuer, doc.CA.SHA256)
		case len(doc.SettingsChanged) > 0:
			fmt.Fprintf(&b, "CA %s in %s is complete with that certificate already: changed %s in ca.json\n", doc.CA.Subject, doc.Dir, strings.Join(doc.SettingsChanged, ", "))
		default:
			fmt.Fprintf(&b, "CA %s in %s is complete with that certificate already: nothing changed\n", doc.CA.Subject, doc.Dir)
		}
		if doc.Settings != nil {
			b.WriteString(settingsLines(*doc.Settings))
		}
		_, err = io.WriteString(w, b.String())
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "created CA %s in %s\n", doc.CA.Subject, doc.Dir)
	if doc.Replaced != "" {
		fmt.Fprintf(&b, "replaced %s (its serial counter and records are kept)\n", doc.Replaced)
	}
	fmt.Fprintf(&b, "valid    %s to %s\nSHA-1    %s\nSHA-256  %s\n", DateOf(doc.CA.NotBefore), DateOf(doc.CA.NotAfter), doc.CA.SHA1, doc.CA.SHA256)
	_, err = io.WriteString(w, b.String())
	return err
}

// settingsLines draws the settings a CA applies to what it signs.
func settingsLines(cfg ca.Config) string {
	limit := "no cap but the CA's own expiry"
	if cfg.MaxDays > 0 {
		limit = fmt.Sprintf("at most %d days", cfg.MaxDays)
	}
	none := func(s string) string {
		if s == "" {
			return "none"
		}
		return s
	}
	return fmt.Sprintf("issues   for %d days, %s\nOCSP     %s\nCRL      %s\n", cfg.IssueDays, limit, none(cfg.OCSPURL), none(cfg.CRLURL))
}

// CASignDoc is the JSON of ca sign.
type CASignDoc struct {
	Changed bool   `json:"changed"`
	Profile string `json:"profile"`
	*CACertDoc
	Out      string   `json:"out,omitempty"`
	File     string   `json:"file"`
	Capped   bool     `json:"capped"`
	Warnings []string `json:"warnings"`
	PEM      string   `json:"pem,omitempty"`
}

// CASignJSON writes what ca sign issued as JSON: with its PEM when out
// is "" (the certificate went nowhere else).
func CASignJSON(w io.Writer, iss *ca.Issued, profile, out string) error {
	doc := CASignDoc{Changed: true, Profile: profile, CACertDoc: NewCACertDoc(iss.Cert), Out: out,
		File: iss.Record.File, Capped: iss.Capped, Warnings: iss.Warnings}
	if out == "" {
		doc.PEM = string(iss.PEM)
	}
	if doc.Warnings == nil {
		doc.Warnings = []string{}
	}
	return JSON(w, doc)
}

// CASign draws what ca sign issued; out is the file written, "" for
// standard output.
func CASign(w io.Writer, iss *ca.Issued, profile, out string) error {
	d := NewCACertDoc(iss.Cert)
	var b strings.Builder
	fmt.Fprintf(&b, "issued serial %s to %s (%s), valid until %s\n", d.Serial, d.Subject, profile, iss.Cert.NotAfter.UTC().Format("2006-01-02 15:04 MST"))
	if iss.Capped {
		b.WriteString("note: validity shortened to end with the CA certificate\n")
	}
	if out != "" {
		fmt.Fprintf(&b, "wrote %s\n", out)
	}
	fmt.Fprintf(&b, "SHA-256 %s\n", d.SHA256)
	_, err := io.WriteString(w, b.String())
	return err
}

// CAListEntry is a certificate of ca list --json.
type CAListEntry struct {
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

// CAListDoc is the JSON of ca list.
type CAListDoc struct {
	CA        string        `json:"ca"`
	CASHA256  string        `json:"ca_sha256"`
	MinSerial string        `json:"min_serial,omitempty"`
	Issued    []CAListEntry `json:"issued"`
	Unissued  []string      `json:"unissued"`
}

func newCAListDoc(caCert *x509.Certificate, st *ca.State, now time.Time) CAListDoc {
	pc := certs.FromX509(caCert)
	doc := CAListDoc{CA: pc.Subject(), CASHA256: pc.SHA256Hex(), Issued: []CAListEntry{}, Unissued: []string{}}
	if st.MinSerial != nil {
		doc.MinSerial = certs.SerialHex(st.MinSerial)
	}
	for _, n := range st.Unissued {
		doc.Unissued = append(doc.Unissued, certs.SerialHex(n))
	}
	for _, e := range st.Entries {
		le := CAListEntry{
			Serial:    certs.SerialHex(e.Serial.Int),
			Subject:   e.Subject,
			Profile:   e.Profile,
			NotBefore: e.NotBefore.UTC().Format(time.RFC3339),
			NotAfter:  e.NotAfter.UTC().Format(time.RFC3339),
			DaysLeft:  DaysLeft(e.NotAfter, now),
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
	return doc
}

// CAListJSON writes the records of the CA with certificate caCert, each
// status at now, as JSON.
func CAListJSON(w io.Writer, caCert *x509.Certificate, st *ca.State, now time.Time) error {
	return JSON(w, newCAListDoc(caCert, st, now))
}

// CAList draws the records of the CA with certificate caCert, each
// status at now: a table oldest first, then the serials spent on
// certificates never delivered.
func CAList(w io.Writer, caCert *x509.Certificate, st *ca.State, now time.Time) error {
	doc := newCAListDoc(caCert, st, now)
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
			Date(st.Entries[i].NotBefore), Date(st.Entries[i].NotAfter), status, e.SHA1, e.SHA256})
	}
	if len(rows) == 0 {
		if _, err := fmt.Fprintf(w, "the CA %s has issued nothing yet\n", doc.CA); err != nil {
			return err
		}
	} else if err := Table(w, []string{"SERIAL", "SUBJECT", "PROFILE", "NOT BEFORE", "NOT AFTER", "STATUS", "SHA-1", "SHA-256"}, rows); err != nil {
		return err
	}
	if len(doc.Unissued) > 0 {
		_, err := fmt.Fprintf(w, "not issued (signed, never delivered; the serials stay spent): %s\n", strings.Join(doc.Unissued, ", "))
		return err
	}
	return nil
}
