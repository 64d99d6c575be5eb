package store

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/pemfile"
)

// decodePEM reads a PEM bundle as a store. Each certificate is a trusted
// entry, except those that belong to a private key in the same bundle: a
// key (unencrypted PKCS#8, PKCS#1 or SEC1) becomes a key entry with the
// certificate that matches it and the certificates that follow it as its
// chain. Aliases are derived from subjects, so the same bundle always reads
// with the same aliases. Text around blocks is ignored; other blocks (CSRs,
// CRLs) are kept in Other, as they are.
func decodePEM(data []byte, sec *secrets) (*Store, error) {
	blocks, err := pemfile.Decode(data)
	if err != nil {
		return nil, err
	}
	s := New(FormatPEM)
	var ders [][]byte
	type keyAt struct {
		pkcs8 []byte
		pub   any
	}
	var keys []keyAt
	for _, b := range blocks {
		switch b.Type {
		case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
			if len(b.Bytes) == 0 {
				return nil, fmt.Errorf("empty %s block at line %d", b.Type, b.Line)
			}
			ders = append(ders, b.Bytes)
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			p8, pub, err := parseKey(b, sec)
			if err != nil {
				return nil, fmt.Errorf("private key at line %d: %w", b.Line, err)
			}
			keys = append(keys, keyAt{pkcs8: p8, pub: pub})
		default:
			s.Other = append(s.Other, b.Block)
		}
	}
	cs := certs.ParseAll(ders)
	used := make([]bool, len(cs))
	type keyEntry struct {
		leaf  int
		chain []*certs.Cert
		pkcs8 []byte
	}
	var keyEntries []keyEntry
	for _, k := range keys {
		leaf := -1
		for i, c := range cs {
			if !used[i] && c.X509 != nil && publicKeyEqual(c.X509.PublicKey, k.pub) {
				leaf = i
				break
			}
		}
		if leaf < 0 {
			return nil, fmt.Errorf("a private key in the bundle has no matching certificate")
		}
		chain := []*certs.Cert{cs[leaf]}
		used[leaf] = true
		// The chain is the run of certificates after the leaf that
		// each issued the one before.
		for i := leaf + 1; i < len(cs); i++ {
			last := chain[len(chain)-1]
			if used[i] || last.SelfSigned() || !bytes.Equal(last.RawIssuer(), cs[i].RawSubject()) {
				break
			}
			chain = append(chain, cs[i])
			used[i] = true
		}
		keyEntries = append(keyEntries, keyEntry{leaf: leaf, chain: chain, pkcs8: k.pkcs8})
	}
	// Every entry's certificate is named at once, so that the aliases do
	// not depend on the order of the bundle.
	var named []*certs.Cert
	for _, k := range keyEntries {
		named = append(named, cs[k.leaf])
	}
	var trusted []*certs.Cert
	for i, c := range cs {
		if !used[i] {
			trusted = append(trusted, c)
		}
	}
	aliases := deriveAliases(append(named, trusted...), func(string) bool { return false })
	for i, k := range keyEntries {
		s.Entries = append(s.Entries, &Entry{Alias: aliases[i], Kind: PrivateKey, Certs: k.chain, Key: k.pkcs8, Created: EntryDate(cs[k.leaf], time.Time{})})
	}
	for i, c := range trusted {
		s.Entries = append(s.Entries, &Entry{Alias: aliases[len(named)+i], Kind: TrustedCert, Certs: []*certs.Cert{c}, Created: EntryDate(c, time.Time{})})
	}
	return s, nil
}

// parseKey turns a PEM private key block into PKCS#8 DER and its public
// key, decrypting it with the key password when it is encrypted.
func parseKey(b pemfile.Block, sec *secrets) ([]byte, any, error) {
	var pw func() ([]byte, error)
	if sec.KeyGiven || sec.Ask != nil {
		pw = func() ([]byte, error) {
			p, err := sec.key("")
			if err == nil && p == nil {
				err = keys.ErrNeedPassword
			}
			return p, err
		}
	}
	signer, err := keys.Parse(pemfile.EncodeBlock(b.Block), pw)
	if err != nil {
		return nil, nil, err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(signer)
	return p8, signer.Public(), err
}

func publicKeyEqual(a, b any) bool {
	type equaler interface{ Equal(x crypto.PublicKey) bool }
	if e, ok := a.(equaler); ok {
		return e.Equal(b)
	}
	return false
}

// encodePEM writes a store as a PEM bundle: for each entry a comment line
// with its alias and subject, then the key (PKCS#8) and its chain, or the
// trusted certificate; then the other blocks the bundle held.
func encodePEM(s *Store) ([]byte, error) {
	var b bytes.Buffer
	for _, e := range s.Entries {
		if e.Kind == PrivateKey && e.Key == nil {
			return nil, fmt.Errorf("entry %q: the key is still protected; give its key password to write it as PEM", e.Alias)
		}
		if e.Kind == SecretKey {
			return nil, fmt.Errorf("entry %q: a secret key cannot be written as PEM", e.Alias)
		}
		fmt.Fprintf(&b, "# %s: %s\n", e.Alias, oneLine(e.Cert().Subject()))
		if e.Kind == PrivateKey {
			b.Write(pemfile.Encode("PRIVATE KEY", e.Key))
		}
		for _, c := range e.Certs {
			b.Write(pemfile.Encode("CERTIFICATE", c.Raw))
		}
	}
	for _, o := range s.Other {
		if err := pem.Encode(&b, o); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

func oneLine(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte("\n"), []byte(" "))) }
