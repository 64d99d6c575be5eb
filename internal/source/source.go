// Package source reads whatever a user points trustctl at, deciding the
// format from the bytes and never from the file name: PEM bundles (any mix
// of certificates, keys, CSRs and CRLs, with text around them), DER
// certificates, CRLs, CSRs and keys, JKS and JCEKS stores, PKCS#12 files,
// and directories of these. It is the one place formats are detected.
//
// Every path is read through internal/safefile: regular files, directories
// and standard input ("-") only, each bounded in size. It does not write
// anything; a store opened for change is internal/store's business.
package source

import (
	"crypto"
	"crypto/x509"
	"errors"
	"io"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/store"
)

// Options carries the passwords a source may need.
type Options struct {
	// Password opens a store source. Without one (HavePassword false) a
	// JKS store is read without checking its integrity, and a PKCS#12
	// store is tried as password-less and with the empty password.
	Password     []byte
	HavePassword bool
	// KeyPassword is asked, once, for the first encrypted private key (and
	// for JKS key entries whose password is not the store password). Nil
	// makes an encrypted key an error.
	KeyPassword func() ([]byte, error)
	// Stdin is what the source "-" reads; nil is the process's standard
	// input.
	Stdin io.Reader
	// Lenient makes a bad block of a PEM file a note in Set.Notes, naming
	// its line and what is wrong, and reads the rest; without it the
	// first bad block is an error (*BlockError). show reads leniently;
	// commands that write must not.
	Lenient bool
}

// Found is a certificate and where it came from.
type Found struct {
	*certs.Cert
	Origin string // the file, or file#alias for a store entry
	Alias  string
}

// Key is a private key and where it came from.
type Key struct {
	Signer crypto.Signer
	PKCS8  []byte
	Origin string
	Alias  string
	// Chain is a store key entry's chain, leaf first.
	Chain []*certs.Cert
}

// Set is everything read from one or more sources, in the order found.
type Set struct {
	Certs []*Found
	Keys  []*Key
	CSRs  []*x509.CertificateRequest
	CRLs  []*x509.RevocationList
	// Stores are the stores read (JKS, JCEKS, PKCS#12), with their origin.
	Stores []*StoreFound
	// Notes says what was passed over (files in a directory that hold
	// nothing trustctl reads, certificates crypto/x509 refused).
	Notes []string
}

// StoreFound is a store read as a source.
type StoreFound struct {
	*store.Store
	Origin string
}

// X509 returns the certificates crypto/x509 parsed, in order.
func (s *Set) X509() []*x509.Certificate {
	out := make([]*x509.Certificate, 0, len(s.Certs))
	for _, f := range s.Certs {
		if f.X509 != nil {
			out = append(out, f.X509)
		}
	}
	return out
}

// Unique returns the certificates with duplicates (same DER) removed,
// first occurrence kept.
func (s *Set) Unique() []*Found {
	seen := make(map[[32]byte]bool, len(s.Certs))
	var out []*Found
	for _, f := range s.Certs {
		sum := f.SHA256()
		if !seen[sum] {
			seen[sum] = true
			out = append(out, f)
		}
	}
	return out
}

// CertList returns the certificates as certs.Cert values.
func (s *Set) CertList() []*certs.Cert {
	out := make([]*certs.Cert, len(s.Certs))
	for i, f := range s.Certs {
		out[i] = f.Cert
	}
	return out
}

// ErrNoMatchingCert is returned by [Set.CertFor] when no certificate
// belongs to the key.
var ErrNoMatchingCert = errors.New("no certificate belongs to the private key")

// CertFor returns the certificate crypto/x509 parsed whose public key is
// the key's (the leaf of a bundle that also holds its chain, wherever it
// sits in the bundle), and the other certificates, in order.
func (s *Set) CertFor(key crypto.Signer) (*x509.Certificate, []*x509.Certificate, error) {
	var leaf *x509.Certificate
	var rest []*x509.Certificate
	for _, c := range s.X509() {
		if leaf == nil && keys.Matches(key, c.PublicKey) {
			leaf = c
			continue
		}
		rest = append(rest, c)
	}
	if leaf == nil {
		return nil, nil, ErrNoMatchingCert
	}
	return leaf, rest, nil
}

// Merge appends everything o holds to s, in order.
func (s *Set) Merge(o *Set) {
	s.Certs = append(s.Certs, o.Certs...)
	s.Keys = append(s.Keys, o.Keys...)
	s.CSRs = append(s.CSRs, o.CSRs...)
	s.CRLs = append(s.CRLs, o.CRLs...)
	s.Stores = append(s.Stores, o.Stores...)
	s.Notes = append(s.Notes, o.Notes...)
}

// FormatError says that a file is not in any format trustctl reads, or is
// damaged.
type FormatError struct {
	Path string
	Err  error
}

func (e *FormatError) Error() string {
	if e.Err == nil {
		return e.Path + ": not a certificate, key, CSR, CRL, PEM bundle, JKS, JCEKS or PKCS#12 file"
	}
	return e.Path + ": " + e.Err.Error()
}

func (e *FormatError) Unwrap() error { return e.Err }
