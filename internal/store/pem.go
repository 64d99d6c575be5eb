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
// with the same aliases. Other blocks (CSRs, CRLs) are kept in Other, as
// they are, and the text around the blocks is kept to be written again
// (see [pemText]).
func decodePEM(data []byte, sec *secrets) (*Store, error) {
	blocks, err := pemfile.Decode(data)
	if err != nil {
		return nil, err
	}
	s := New(FormatPEM)
	text := newPEMText(blocks)
	s.text = text
	var ders [][]byte
	var certAt []int // the block each of ders came from
	type keyAt struct {
		pkcs8 []byte
		pub   any
		block int
	}
	var keys []keyAt
	for i, b := range blocks {
		switch b.Type {
		case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
			if len(b.Bytes) == 0 {
				return nil, fmt.Errorf("empty %s block at line %d", b.Type, b.Line)
			}
			ders = append(ders, b.Bytes)
			certAt = append(certAt, i)
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			p8, pub, err := parseKey(b, sec)
			if err != nil {
				return nil, fmt.Errorf("private key at line %d: %w", b.Line, err)
			}
			keys = append(keys, keyAt{pkcs8: p8, pub: pub, block: i})
		default:
			s.Other = append(s.Other, b.Block)
			text.other[b.Block] = text.lead(blocks, i)
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
		first := k.block
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
		text.keep(cs[leaf], blocks, min(first, certAt[leaf]))
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
			text.keep(c, blocks, certAt[i])
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

// encodePEM writes a store as a PEM bundle: the heading the bundle had;
// for each entry the text that stood before it, or a comment line with its
// alias and subject, then the key (PKCS#8) and its chain, or the trusted
// certificate; then the other blocks the bundle held and the text after
// its last block.
func encodePEM(s *Store) ([]byte, error) {
	var b bytes.Buffer
	t := s.text
	if t == nil {
		t = &pemText{}
	}
	b.Write(t.heading)
	for _, e := range s.Entries {
		if e.Kind == PrivateKey && e.Key == nil {
			return nil, fmt.Errorf("entry %q: the key is still protected; give its key password to write it as PEM", e.Alias)
		}
		if e.Kind == SecretKey {
			return nil, fmt.Errorf("entry %q: a secret key cannot be written as PEM", e.Alias)
		}
		caption := fmt.Appendf(nil, "# %s: %s\n", e.Alias, oneLine(e.Cert().Subject()))
		if before, ok := t.before[e.Cert().SHA256()]; ok && !ownCaption(before, e) {
			caption = before
		}
		b.Write(caption)
		if e.Kind == PrivateKey {
			b.Write(pemfile.Encode("PRIVATE KEY", e.Key))
		}
		for _, c := range e.Certs {
			b.Write(pemfile.Encode("CERTIFICATE", c.Raw))
		}
	}
	for _, o := range s.Other {
		b.Write(t.other[o])
		if err := pem.Encode(&b, o); err != nil {
			return nil, err
		}
	}
	b.Write(t.after)
	return b.Bytes(), nil
}

// pemText is the text a PEM bundle held outside its blocks: a heading (a
// licence, a description), the title before each certificate, the text
// after the last block. It is kept so that adding or removing an entry
// changes the bundle there and nowhere else. An entry's title goes with
// it; a new entry gets a comment line.
type pemText struct {
	heading []byte
	before  map[[32]byte][]byte   // by the SHA-256 of an entry's certificate
	other   map[*pem.Block][]byte // before each of Other
	after   []byte
}

// newPEMText takes the heading and the closing text of blocks. The
// heading is the first block's text up to its last blank line: what
// follows is that block's title.
func newPEMText(blocks []pemfile.Block) *pemText {
	t := &pemText{before: map[[32]byte][]byte{}, other: map[*pem.Block][]byte{}, after: blocks[len(blocks)-1].After}
	first := blocks[0].Before
	if i := lastBlankLine(first); i >= 0 {
		t.heading = first[:i]
	}
	return t
}

// lead is the text before blocks[i], less the heading.
func (t *pemText) lead(blocks []pemfile.Block, i int) []byte {
	if i == 0 {
		return blocks[0].Before[len(t.heading):]
	}
	return blocks[i].Before
}

// keep records the text before blocks[i] as the title of the entry whose
// certificate is c.
func (t *pemText) keep(c *certs.Cert, blocks []pemfile.Block, i int) {
	if _, ok := t.before[c.SHA256()]; !ok {
		t.before[c.SHA256()] = t.lead(blocks, i)
	}
}

// lastBlankLine returns the offset just after the last blank line of
// text, or -1 when it has none.
func lastBlankLine(text []byte) int {
	i := max(bytes.LastIndex(text, []byte("\n\n")), bytes.LastIndex(text, []byte("\n\r\n")))
	if i < 0 {
		return -1
	}
	return i + 1 + bytes.IndexByte(text[i+1:], '\n') + 1
}

// ownCaption reports whether before is the comment line encodePEM
// writes for e, perhaps with another alias: it is written anew, since
// aliases follow the bundle's subjects.
func ownCaption(before []byte, e *Entry) bool {
	line, ok := bytes.CutPrefix(before, []byte("# "))
	return ok && bytes.Count(line, []byte("\n")) == 1 && bytes.HasSuffix(line, []byte(": "+oneLine(e.Cert().Subject())+"\n"))
}

func oneLine(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte("\n"), []byte(" "))) }
