package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/ocsp"
	"github.com/trustctl/trustctl/internal/testpki"
)

// TestOCSPRevoked: a revoked answer says when and why, who signed it,
// and that the responder gave no next update.
func TestOCSPRevoked(t *testing.T) {
	leaf := testpki.Root(t, "CN=www.example.com").Cert
	at := time.Date(2026, 3, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600))
	res := &ocsp.Result{Status: ocsp.Revoked, RevokedAt: at, Reason: "keyCompromise", ThisUpdate: at,
		Responder: "CN=Acme OCSP", Delegated: true, URL: "http://127.0.0.1:1/", Notes: []string{"no nextUpdate"}}
	var b bytes.Buffer
	if err := OCSP(&b, leaf, res); err != nil {
		t.Fatal(err)
	}
	want := `certificate:  CN=www.example.com (serial ` + certs.SerialHex(leaf.SerialNumber) + `)
status:       revoked
revoked at:   2026-03-01 11:30:00 UTC
reason:       keyCompromise
this update:  2026-03-01 11:30:00 UTC
next update:  none given
responder:    CN=Acme OCSP (delegated by the issuer)
url:          http://127.0.0.1:1/
nonce:        not echoed
note:         no nextUpdate
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	res.Notes = nil
	if err := OCSPJSON(&b, leaf, res); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"revoked_at": "2026-03-01T11:30:00Z"`, `"notes": []`, `"delegated": true`} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("JSON lacks %s:\n%s", s, b.String())
		}
	}
	if strings.Contains(b.String(), "next_update") {
		t.Errorf("JSON has a next_update the responder did not give:\n%s", b.String())
	}
}
