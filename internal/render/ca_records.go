package render

import (
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/certs"
)

// CACRLDoc is the JSON of ca crl.
type CACRLDoc struct {
	Changed    bool   `json:"changed"`
	Number     string `json:"crl_number"`
	Revoked    int    `json:"revoked"`
	ThisUpdate string `json:"this_update"`
	NextUpdate string `json:"next_update"`
	Out        string `json:"out,omitempty"`
	PEM        string `json:"pem,omitempty"`
}

// CACRLJSON writes the CRL ca crl wrote as JSON: with its PEM when out
// is "" (the CRL went nowhere else).
func CACRLJSON(w io.Writer, res *ca.CRLResult, out string) error {
	doc := CACRLDoc{Changed: true, Number: res.CRL.Number.String(), Revoked: len(res.CRL.RevokedCertificateEntries),
		ThisUpdate: res.CRL.ThisUpdate.UTC().Format(time.RFC3339), NextUpdate: res.CRL.NextUpdate.UTC().Format(time.RFC3339), Out: out}
	if out == "" {
		doc.PEM = string(res.Data)
	}
	return JSON(w, doc)
}

// CACRL says which CRL ca crl wrote to the file out.
func CACRL(w io.Writer, res *ca.CRLResult, out string) error {
	_, err := fmt.Fprintf(w, "wrote CRL number %s with %d revoked certificate(s) to %s, next update %s\n",
		res.CRL.Number.String(), len(res.CRL.RevokedCertificateEntries), out, res.CRL.NextUpdate.UTC().Format("2006-01-02 15:04 MST"))
	return err
}

// CARevokeDoc is the JSON of ca revoke.
type CARevokeDoc struct {
	Changed   bool   `json:"changed"`
	Serial    string `json:"serial"`
	Subject   string `json:"subject"`
	Reason    string `json:"reason"`
	RevokedAt string `json:"revoked_at"`
}

// CARevokeJSON writes what ca revoke did as JSON.
func CARevokeJSON(w io.Writer, r *ca.Revocation) error {
	return JSON(w, CARevokeDoc{Changed: r.Changed, Serial: certs.SerialHex(r.Serial.Int), Subject: r.Subject, Reason: r.Reason,
		RevokedAt: r.RevokedAt.UTC().Format(time.RFC3339)})
}

// CARevoke says what ca revoke did.
func CARevoke(w io.Writer, r *ca.Revocation) error {
	serial, when := certs.SerialHex(r.Serial.Int), r.RevokedAt.UTC().Format("2006-01-02 15:04:05 MST")
	var err error
	if !r.Changed {
		_, err = fmt.Fprintf(w, "serial %s (%s) was revoked already, reason %s, at %s: nothing changed\n", serial, r.Subject, r.Reason, when)
	} else {
		_, err = fmt.Fprintf(w, "revoked serial %s (%s), reason %s, at %s\n", serial, r.Subject, r.Reason, when)
	}
	return err
}

// CAMinSerialDoc is the JSON of ca min-serial.
type CAMinSerialDoc struct {
	Changed       bool   `json:"changed"`
	MinSerial     string `json:"min_serial"`
	Below         int    `json:"below"`
	BelowPrevious int    `json:"below_previous_ca"`
	CounterRaised bool   `json:"counter_raised"`
}

// CAMinSerialJSON writes what ca min-serial did, setting the minimum
// min, as JSON.
func CAMinSerialJSON(w io.Writer, ch *ca.MinSerialChange, min *big.Int) error {
	return JSON(w, CAMinSerialDoc{Changed: ch.Changed, MinSerial: certs.SerialHex(min), Below: ch.Below, BelowPrevious: ch.BelowPrevious, CounterRaised: ch.CounterRaised})
}

// CAMinSerial says what ca min-serial did, setting the minimum min.
func CAMinSerial(w io.Writer, ch *ca.MinSerialChange, min *big.Int) error {
	serial := certs.SerialHex(min)
	var b strings.Builder
	if !ch.Changed {
		fmt.Fprintf(&b, "the minimum serial is %s already: nothing changed\n", serial)
	} else {
		fmt.Fprintf(&b, "minimum serial set to %s: %d certificate(s) below it now count as revoked", serial, ch.Below)
		if ch.BelowPrevious > 0 {
			fmt.Fprintf(&b, " (%d of them signed by a previous CA: ca list shows them revoked; this CA's CRL and OCSP responder do not cover them)", ch.BelowPrevious)
		}
		b.WriteString("\n")
		if ch.CounterRaised {
			fmt.Fprintf(&b, "the serial counter moved up to %s\n", serial)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CACheckDoc is the JSON of ca check.
type CACheckDoc struct {
	OK bool `json:"ok"`
	*ca.Report
}

// CACheckJSON writes what ca check found as JSON.
func CACheckJSON(w io.Writer, rep *ca.Report) error {
	return JSON(w, CACheckDoc{rep.OK(), rep})
}

// CACheck draws what ca check found: a line per check with its verdict.
func CACheck(w io.Writer, rep *ca.Report) error {
	var b strings.Builder
	for _, f := range rep.Findings {
		verdict := "ok"
		switch {
		case f.Skipped:
			verdict = "skipped"
		case !f.OK:
			verdict = "FAILED"
		}
		fmt.Fprintf(&b, "%-12s %-8s %s\n", f.Check, verdict, f.Detail)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
