package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/store"
)

// KeyDoc is what key gen and key convert say they did (their --json
// document).
type KeyDoc struct {
	File      string `json:"file"`
	Input     string `json:"input,omitempty"`
	Key       string `json:"key"`
	Form      string `json:"form"`
	Encrypted bool   `json:"encrypted"`
	Changed   bool   `json:"changed"`
}

// KeyReport prints what key gen or key convert did: the JSON document, or
// one line (none when the key itself went to standard output).
func KeyReport(w io.Writer, r KeyDoc, asJSON bool) error {
	switch {
	case asJSON:
		return JSON(w, r)
	case r.File == "-":
		return nil
	case r.Changed:
		_, err := fmt.Fprintf(w, "wrote %s: %s private key, %s\n", r.File, r.Key, r.Form)
		return err
	}
	_, err := fmt.Fprintf(w, "%s unchanged: it already holds the %s private key, %s\n", r.File, r.Key, r.Form)
	return err
}

// KeyForm says how a key is written: "PKCS#8 PEM, encrypted".
func KeyForm(f keys.Format, der, encrypted bool) string {
	s := map[keys.Format]string{keys.PKCS8: "PKCS#8", keys.PKCS1: "PKCS#1", keys.SEC1: "SEC1"}[f]
	if der {
		s += " DER"
	} else {
		s += " PEM"
	}
	if encrypted {
		s += ", encrypted"
	}
	return s
}

// CSRDoc is what csr says it did (its --json document).
type CSRDoc struct {
	File      string `json:"file"`
	Subject   string `json:"subject"`
	SANs      string `json:"sans"`
	KeyFile   string `json:"key_file"`
	NewKey    bool   `json:"new_key"`
	Key       string `json:"key"`
	Signature string `json:"signature"`
	// SHA1 is the request's fingerprint, for the CA's operator to check
	// before signing.
	SHA1    string `json:"sha1"`
	Changed bool   `json:"changed"`
}

// CSRReport prints what csr did: the JSON document, or one line (none
// when the CSR itself went to standard output).
func CSRReport(w io.Writer, r CSRDoc, asJSON bool) error {
	if asJSON {
		return JSON(w, r)
	}
	if r.File == "-" {
		return nil
	}
	line := r.Subject
	if r.SANs != "" {
		line += ", SANs " + r.SANs
	}
	if !r.Changed {
		_, err := fmt.Fprintf(w, "%s unchanged: it already asks for %s (%s, %s)\nSHA-1 fingerprint of the request: %s\n", r.File, line, r.Key, r.Signature, r.SHA1)
		return err
	}
	_, err := fmt.Fprintf(w, "wrote %s: %s (%s, %s)\nSHA-1 fingerprint of the request: %s\n", r.File, line, r.Key, r.Signature, r.SHA1)
	return err
}

// KeyMatchDoc is the --json document of key match.
type KeyMatchDoc struct {
	Key         string `json:"key"`
	Cert        string `json:"cert"`
	Of          string `json:"of"` // "certificate" or "CSR"
	Subject     string `json:"subject"`
	KeyType     string `json:"key_type"`
	CertKeyType string `json:"cert_key_type"`
	Matches     bool   `json:"matches"`
}

// KeyMatch prints the outcome of key match: the JSON document whether or
// not the key matches, or a line when it does; what describes the
// certificate or CSR ("CN=db_user", "CSR CN=x").
func KeyMatch(w io.Writer, r KeyMatchDoc, what string, asJSON bool) error {
	if asJSON {
		return JSON(w, r)
	}
	if !r.Matches {
		return nil
	}
	_, err := fmt.Fprintf(w, "%s matches %s (%s)\n", r.Key, r.Cert, what)
	return err
}

// BuiltLink is one certificate of the chain keystore build wrote.
type BuiltLink struct {
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	SHA256  string `json:"sha256"`
}

// KeystoreBuildDoc is the --json document of keystore build.
type KeystoreBuildDoc struct {
	Keystore string      `json:"keystore"`
	Changed  bool        `json:"changed"`
	Type     string      `json:"type"`
	Alias    string      `json:"alias"`
	Chain    []BuiltLink `json:"chain"`
	Complete bool        `json:"complete"`
	Notes    []string    `json:"notes"`
}

// KeystoreBuilt prints what keystore build wrote to out: the store's
// format, the key entry e and its chain, whether built reached a
// self-signed root, and the notes on the issuers chosen.
func KeystoreBuilt(w io.Writer, out string, st *store.Store, e *store.Entry, built *chain.Built, changed, asJSON bool) error {
	doc := KeystoreBuildDoc{Keystore: out, Changed: changed, Type: StoreFormat(st), Alias: e.Alias, Complete: built.Complete, Notes: built.Notes}
	if doc.Notes == nil {
		doc.Notes = []string{}
	}
	for _, x := range e.Certs {
		doc.Chain = append(doc.Chain, BuiltLink{x.Subject(), x.Issuer(), x.SHA256Hex()})
	}
	if asJSON {
		return JSON(w, doc)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, key entry %q with a chain of %d%s\n", out, doc.Type, e.Alias, len(e.Certs), Unchanged(changed))
	for i, l := range doc.Chain {
		fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", i), l.Subject)
	}
	if !built.Complete {
		b.WriteString("note: the chain does not reach a self-signed root (--partial-chain)\n")
	}
	for _, n := range built.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
