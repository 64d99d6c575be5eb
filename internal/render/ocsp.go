package render

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/dn"
	"github.com/trustctl/trustctl/internal/ocsp"
)

// OCSPDoc is the JSON of ocsp check.
type OCSPDoc struct {
	Subject     string   `json:"subject"`
	Serial      string   `json:"serial"`
	Status      string   `json:"status"`
	RevokedAt   string   `json:"revoked_at,omitempty"`
	Reason      string   `json:"reason,omitempty"`
	ThisUpdate  string   `json:"this_update"`
	NextUpdate  string   `json:"next_update,omitempty"`
	ProducedAt  string   `json:"produced_at"`
	Responder   string   `json:"responder"`
	Delegated   bool     `json:"delegated"`
	URL         string   `json:"url"`
	NonceEchoed bool     `json:"nonce_echoed"`
	Notes       []string `json:"notes"`
}

// OCSPTime is a time of an OCSP answer as ocsp check prints it.
func OCSPTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// OCSP draws the answer ocsp check got about cert.
func OCSP(w io.Writer, cert *x509.Certificate, res *ocsp.Result) error {
	var err error
	line := func(k, v string) {
		if err == nil {
			_, err = fmt.Fprintf(w, "%-13s %s\n", k+":", v)
		}
	}
	line("certificate", fmt.Sprintf("%s (serial %s)", dn.Subject(cert), certs.SerialHex(cert.SerialNumber)))
	line("status", string(res.Status))
	if res.Status == ocsp.Revoked {
		line("revoked at", OCSPTime(res.RevokedAt))
		line("reason", res.Reason)
	}
	line("this update", OCSPTime(res.ThisUpdate))
	if res.NextUpdate.IsZero() {
		line("next update", "none given")
	} else {
		line("next update", OCSPTime(res.NextUpdate))
	}
	who := res.Responder + " (the issuer)"
	if res.Delegated {
		who = res.Responder + " (delegated by the issuer)"
	}
	line("responder", who)
	line("url", res.URL)
	if res.NonceEchoed {
		line("nonce", "echoed")
	} else {
		line("nonce", "not echoed")
	}
	for _, n := range res.Notes {
		line("note", n)
	}
	return err
}

// OCSPJSON writes the answer ocsp check got about cert as JSON (with
// HTML characters escaped, as it always has been).
func OCSPJSON(w io.Writer, cert *x509.Certificate, res *ocsp.Result) error {
	d := OCSPDoc{
		Subject:     dn.Subject(cert),
		Serial:      certs.SerialHex(cert.SerialNumber),
		Status:      string(res.Status),
		RevokedAt:   RFC3339(res.RevokedAt),
		Reason:      res.Reason,
		ThisUpdate:  RFC3339(res.ThisUpdate),
		NextUpdate:  RFC3339(res.NextUpdate),
		ProducedAt:  RFC3339(res.ProducedAt),
		Responder:   res.Responder,
		Delegated:   res.Delegated,
		URL:         res.URL,
		NonceEchoed: res.NonceEchoed,
		Notes:       res.Notes,
	}
	if d.Notes == nil {
		d.Notes = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
