package source

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/pemfile"
	"github.com/trustctl/trustctl/internal/store"
)

// BlockError says what is wrong with one block of a PEM file (or with a
// DER file), in words: "the PRIVATE KEY block at line 3 is not a PKCS#8
// key". It never carries a decoder's internal state; Err keeps the cause
// for errors.Is and errors.As (keys.ErrWrongPassword, say).
type BlockError struct {
	Type    string // the PEM type, or "" for a DER file
	Line    int    // 1-based line of the BEGIN line; 0 for a DER file
	Problem string // what is wrong, to follow "the X block at line N"
	Err     error
}

func (e *BlockError) Error() string {
	if e.Line == 0 {
		return e.Problem
	}
	return fmt.Sprintf("the %s block at line %d %s", e.Type, e.Line, e.Problem)
}

func (e *BlockError) Unwrap() error { return e.Err }

// keyForms says what each PEM key type should hold.
var keyForms = map[string]string{
	"PRIVATE KEY":           "a PKCS#8 key",
	"ENCRYPTED PRIVATE KEY": "an encrypted PKCS#8 key",
	"RSA PRIVATE KEY":       "a PKCS#1 RSA key",
	"EC PRIVATE KEY":        "a SEC 1 EC key",
}

// keyProblem turns a keys error into the words that follow "the X block
// at line N" ("" for a DER file: then the words stand alone).
func keyProblem(typ string, err error) string {
	var ue *keys.UnsupportedError
	switch {
	case errors.Is(err, keys.ErrWrongPassword):
		return "cannot be decrypted: wrong key password"
	case errors.As(err, &ue):
		return "holds a key trustctl does not read (" + ue.Error() + ")"
	}
	var ce *keys.CorruptError
	if !errors.As(err, &ce) {
		return "cannot be read: " + plain(err)
	}
	if form, ok := keyForms[typ]; ok {
		return "is not " + form
	}
	return "is not a private key trustctl reads (PKCS#8, PKCS#1 or SEC 1)"
}

// plain is an error message without the "x509: " prefix of crypto/x509,
// or a plain "its encoding is malformed" for one that exposes a decoder's
// internals (encoding/asn1's "tags don't match (16 vs {class:1 ...}").
func plain(err error) string {
	msg := strings.TrimPrefix(err.Error(), "x509: ")
	if strings.Contains(msg, "asn1:") || strings.ContainsAny(msg, "{}") {
		return "its encoding is malformed"
	}
	return msg
}

// Parse reads one file's content; name is used in messages and origins.
// A bad block is an error (a *FormatError holding a *BlockError), or with
// opts.Lenient a note naming it, the rest of the file still read.
func Parse(data []byte, name string, opts Options) (*Set, error) {
	set := &Set{}
	bad := func(e *BlockError) error {
		if opts.Lenient {
			set.Notes = append(set.Notes, name+": "+e.Error())
			return nil
		}
		return &FormatError{Path: name, Err: e}
	}
	switch k := Sniff(data); k {
	case PEM:
		blocks, err := pemfile.Decode(data)
		var te *pemfile.ErrTruncated
		switch {
		case errors.As(err, &te) && opts.Lenient:
			// The blocks before the damaged one are still read.
			set.Notes = append(set.Notes, fmt.Sprintf("%s: the %s block at line %d is damaged (bad base64 or no END line); what follows it is not read", name, te.Type, te.Line))
		case err != nil:
			return nil, &FormatError{Path: name, Err: err}
		}
		// The certificates are parsed first, all at once (on every CPU
		// for a large bundle); a block crypto/x509 refuses is then read
		// field by field, and one that is not even that is reported in
		// its turn below.
		var ders [][]byte
		for _, b := range blocks {
			if isCertBlock(b.Type) && len(b.Bytes) > 0 {
				ders = append(ders, b.Bytes)
			}
		}
		parsed := certs.ParseAll(ders)
		for _, b := range blocks {
			var err error
			// The certificate case is isCertBlock, the filter above: each
			// such block with bytes takes the next of parsed.
			switch t := b.Type; {
			case isCertBlock(t):
				if len(b.Bytes) == 0 {
					err = bad(&BlockError{Type: b.Type, Line: b.Line, Problem: "is empty"})
					break
				}
				c := parsed[0]
				parsed = parsed[1:]
				if !c.Readable() {
					err = bad(&BlockError{Type: b.Type, Line: b.Line, Problem: "is not a certificate"})
					break
				}
				set.Certs = append(set.Certs, &Found{Cert: c, Origin: name})
			case t == "X509 CRL":
				crl, perr := x509.ParseRevocationList(b.Bytes)
				if perr != nil {
					err = bad(&BlockError{Type: b.Type, Line: b.Line, Problem: "is not a CRL crypto/x509 reads (" + plain(perr) + ")", Err: perr})
				} else {
					set.CRLs = append(set.CRLs, crl)
				}
			case t == "CERTIFICATE REQUEST" || t == "NEW CERTIFICATE REQUEST":
				csr, perr := x509.ParseCertificateRequest(b.Bytes)
				if perr != nil {
					err = bad(&BlockError{Type: b.Type, Line: b.Line, Problem: "is not a certificate request crypto/x509 reads (" + plain(perr) + ")", Err: perr})
				} else {
					set.CSRs = append(set.CSRs, csr)
				}
			case t == "PRIVATE KEY" || t == "RSA PRIVATE KEY" || t == "EC PRIVATE KEY" || t == "ENCRYPTED PRIVATE KEY":
				err = addKey(set, pemfile.EncodeBlock(b.Block), name, b.Type, b.Line, opts, bad)
			}
			if err != nil {
				return nil, err
			}
		}
	case DERCert:
		set.Certs = append(set.Certs, &Found{Cert: certs.Parse(data), Origin: name})
	case DERCRL:
		crl, _ := x509.ParseRevocationList(data)
		set.CRLs = append(set.CRLs, crl)
	case DERCSR:
		csr, _ := x509.ParseCertificateRequest(data)
		set.CSRs = append(set.CSRs, csr)
	case DERKey:
		if err := addKey(set, data, name, "", 0, opts, bad); err != nil {
			return nil, err
		}
	case JKS, JCEKS, PKCS12:
		st, err := DecodeStore(data, k, opts)
		if errors.Is(err, store.ErrWrongPassword) && !opts.HavePassword {
			// Only the empty password was tried: none was given.
			return nil, &store.NeedPasswordError{Secret: store.StorePassword, Path: name}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		set.Stores = append(set.Stores, &StoreFound{Store: st, Origin: name})
		for _, e := range st.Entries {
			origin := name + "#" + e.Alias
			for _, c := range e.Certs {
				set.Certs = append(set.Certs, &Found{Cert: c, Origin: origin, Alias: e.Alias})
			}
			if e.Kind == store.PrivateKey && e.Key != nil {
				signer, err := keys.Parse(e.Key, nil)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", origin, err)
				}
				set.Keys = append(set.Keys, &Key{Signer: signer, PKCS8: e.Key, Origin: origin, Alias: e.Alias, Chain: e.Certs})
			}
		}
	default:
		return nil, &FormatError{Path: name}
	}
	return set, nil
}

func isCertBlock(typ string) bool {
	return typ == "CERTIFICATE" || typ == "TRUSTED CERTIFICATE" || typ == "X509 CERTIFICATE"
}

// addKey reads a private key (a PEM block of type typ at line, or a DER
// file when line is 0) into set. An encrypted key with no way to ask for
// its password is passed over with a note; a bad one goes to bad.
func addKey(set *Set, data []byte, name, typ string, line int, opts Options, bad func(*BlockError) error) error {
	signer, err := keys.Parse(data, opts.KeyPassword)
	if err != nil && opts.KeyPassword == nil && errors.Is(err, keys.ErrNeedPassword) {
		// The caller does not want keys; an encrypted one is passed over
		// rather than asked for.
		where := ""
		if line > 0 {
			where = fmt.Sprintf(" at line %d", line)
		}
		set.Notes = append(set.Notes, fmt.Sprintf("%s: encrypted private key%s passed over", name, where))
		return nil
	}
	if err != nil {
		problem := keyProblem(typ, err)
		if line == 0 {
			problem = "the private key " + problem
		}
		return bad(&BlockError{Type: typ, Line: line, Problem: problem, Err: err})
	}
	p8, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	set.Keys = append(set.Keys, &Key{Signer: signer, PKCS8: p8, Origin: name})
	return nil
}
