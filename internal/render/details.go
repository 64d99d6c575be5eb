package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
)

// unknown is what a field that could not be read shows.
const unknown = "unknown"

// details writes "  Key:   value" rows with the keys aligned; empty
// values are left out.
type details struct {
	b      strings.Builder
	colour bool
}

func (d *details) row(k, v string) {
	if v != "" {
		fmt.Fprintf(&d.b, "  %-18s %s\n", k+":", v)
	}
}

func (d *details) list(k string, vs []string) { d.row(k, strings.Join(vs, ", ")) }

// OrUnknown is a field of certs.Details as people read it: "unknown" when
// it could not be read.
func OrUnknown(s *string) string {
	if s == nil {
		return unknown
	}
	return *s
}

// validity describes a validity period, with what remains of it coloured
// on a terminal: red once expired, yellow when expiring soon.
func (d *details) validity(nb, na *time.Time, now time.Time) string {
	date := func(t *time.Time) string {
		if t == nil {
			return unknown
		}
		return Date(*t)
	}
	s := date(nb) + " to " + date(na)
	if na != nil {
		s += " (" + ExpiryColour(d.colour, certs.ExpiryOf(*na, now), Days(*na, now)) + ")"
	}
	return s
}

// ExpiryColour colours s as an expiry stands, when on: red for expired,
// yellow for expiring soon.
func ExpiryColour(on bool, e certs.Expiry, s string) string {
	switch e {
	case certs.Expired:
		return Colour(on, Red, s)
	case certs.ExpiringSoon:
		return Colour(on, Yellow, s)
	}
	return s
}

// Certificate writes what show prints of one certificate under title.
// colour turns on ANSI colours (a terminal without NO_COLOR).
func Certificate(w io.Writer, title string, c certs.Details, now time.Time, colour bool) error {
	d := &details{colour: colour}
	d.b.WriteString(Colour(colour, Bold, title) + "\n")
	d.row("Subject", OrUnknown(c.Subject))
	d.row("Issuer", OrUnknown(c.Issuer))
	d.row("Serial", OrUnknown(c.Serial))
	if c.ParseError != "" {
		d.row("Note", "crypto/x509 refuses this certificate ("+c.ParseError+"); shown as read field by field")
	}
	d.list("Unreadable", c.Unreadable)
	if c.Version > 0 && c.Version < 3 {
		d.row("Version", fmt.Sprint(c.Version))
	}
	d.row("Valid", d.validity(c.NotBefore, c.NotAfter, now))
	d.row("Key", OrUnknown(c.Key))
	ca := unknown
	if c.IsCA != nil {
		ca = "no"
		if *c.IsCA {
			ca = "yes"
			if c.PathLen != nil {
				ca += fmt.Sprintf(", path length %d", *c.PathLen)
			}
		}
	}
	d.row("CA", ca)
	switch {
	case c.SelfSigned != nil && *c.SelfSigned:
		d.row("Self-signed", "yes")
	case c.SelfSigned == nil && c.Subject != nil && c.Issuer != nil && *c.Subject == *c.Issuer:
		d.row("Self-signed", "unknown (self-issued; its signature cannot be checked)")
	}
	d.list("DNS names", c.DNSNames)
	d.list("IP addresses", c.IPs)
	d.list("Emails", c.Emails)
	d.list("URIs", c.URIs)
	d.list("Key usage", c.KeyUsage)
	d.list("Ext key usage", c.ExtKeyUsage)
	d.row("Subject key ID", c.SKI)
	d.row("Authority key ID", c.AKI)
	d.list("OCSP", c.OCSP)
	d.list("CRL", c.CRLs)
	sig := c.Signature
	if c.InnerSignature != "" {
		sig += " (the signed part says " + c.InnerSignature + ")"
	}
	d.row("Signature", sig)
	d.row("SHA-1", c.SHA1)
	d.row("SHA-256", c.SHA256)
	_, err := io.WriteString(w, d.b.String())
	return err
}

// CSR writes what show prints of a certificate signing request.
func CSR(w io.Writer, title string, c certs.CSRDetails, colour bool) error {
	d := &details{colour: colour}
	d.b.WriteString(Colour(colour, Bold, title) + "\n")
	d.row("Subject", c.Subject)
	d.row("Key", c.Key)
	d.list("DNS names", c.DNSNames)
	d.list("IP addresses", c.IPs)
	d.list("Emails", c.Emails)
	d.list("URIs", c.URIs)
	for i, e := range c.RequestedExtension {
		k := ""
		if i == 0 {
			k = "Requested"
		}
		crit := ""
		if e.Critical {
			crit = " (critical)"
		}
		line := e.Name + crit + ": " + e.Value
		if k == "" {
			fmt.Fprintf(&d.b, "  %-18s %s\n", "", line)
		} else {
			d.row(k, line)
		}
	}
	valid := Colour(colour, Green, "valid")
	if !c.SignatureValid {
		valid = Colour(colour, Red, "does not verify with the request's key")
	}
	d.row("Signature", c.Signature+", "+valid)
	d.row("SHA-1", c.SHA1)
	d.row("SHA-256", c.SHA256)
	_, err := io.WriteString(w, d.b.String())
	return err
}

// CRL writes what show prints of a certificate revocation list.
func CRL(w io.Writer, title string, c certs.CRLDetails, now time.Time, colour bool) error {
	d := &details{colour: colour}
	d.b.WriteString(Colour(colour, Bold, title) + "\n")
	d.row("Issuer", c.Issuer)
	d.row("This update", c.ThisUpdate.Format("2006-01-02 15:04:05 MST"))
	next := "none given"
	if c.NextUpdate != nil {
		next = c.NextUpdate.Format("2006-01-02 15:04:05 MST")
		if c.NextUpdate.Before(now) {
			next += " (" + Colour(colour, Red, "stale since "+Date(*c.NextUpdate)) + ")"
		}
	}
	d.row("Next update", next)
	d.row("CRL number", orNone(c.Number))
	d.row("Authority key ID", c.AKI)
	d.row("Signature", c.Signature)
	d.row("SHA-256", c.SHA256)
	d.row("Revoked", fmt.Sprint(len(c.Revoked)))
	if len(c.Revoked) > 0 {
		rows := make([][]string, 0, len(c.Revoked))
		for _, r := range c.Revoked {
			rows = append(rows, []string{r.Serial, r.RevokedAt.Format("2006-01-02 15:04:05 MST"), r.Reason})
		}
		var t strings.Builder
		if err := Table(&t, []string{"SERIAL", "REVOKED", "REASON"}, rows); err != nil {
			return err
		}
		for _, line := range strings.SplitAfter(strings.TrimSuffix(t.String(), "\n"), "\n") {
			d.b.WriteString("    " + strings.TrimRight(line, " \n") + "\n")
		}
	}
	_, err := io.WriteString(w, d.b.String())
	return err
}

func orNone(s *string) string {
	if s == nil {
		return "none"
	}
	return *s
}
