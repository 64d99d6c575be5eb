// Package source reads whatever a user points trustctl at, deciding the
// format from the bytes and never from the file name: PEM bundles (any mix
// of certificates, keys, CSRs and CRLs, with text around them), DER
// certificates, CRLs, CSRs and keys, JKS and JCEKS stores, PKCS#12 files,
// and directories of these. It is the one place formats are detected.
//
// It does not write anything; stores opened for change go back to disk
// through internal/store and internal/safefile.
package source

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/pemfile"
	"github.com/trustctl/trustctl/internal/store"
)

// Kind is what [Sniff] recognised.
type Kind int

// The kinds of content trustctl reads.
const (
	Unknown Kind = iota
	PEM
	DERCert
	DERCRL
	DERCSR
	DERKey
	JKS
	JCEKS
	PKCS12
)

func (k Kind) String() string {
	return [...]string{"unknown", "PEM", "DER certificate", "DER CRL", "DER CSR", "DER private key", "JKS", "JCEKS", "PKCS#12"}[k]
}

// Sniff tells what data is from its content: magic numbers for JKS
// (FEEDFEED) and JCEKS (CECECECE), PEM markers, and the ASN.1 shape of DER
// (a PKCS#12 PFX is a SEQUENCE starting with INTEGER 3; certificates, CRLs,
// CSRs and keys are told apart by parsing).
func Sniff(data []byte) Kind {
	switch {
	case len(data) >= 4 && bytes.Equal(data[:4], []byte{0xfe, 0xed, 0xfe, 0xed}):
		return JKS
	case len(data) >= 4 && bytes.Equal(data[:4], []byte{0xce, 0xce, 0xce, 0xce}):
		return JCEKS
	case pemfile.LooksLikePEM(data):
		return PEM
	case len(data) < 2 || data[0] != 0x30:
		return Unknown
	}
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		Rest     asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(data, &pfx); err == nil && pfx.Version == 3 {
		return PKCS12
	}
	if c := certs.Parse(data); c.X509 != nil || c.Lenient != nil {
		return DERCert
	}
	if _, err := x509.ParseRevocationList(data); err == nil {
		return DERCRL
	}
	if _, err := x509.ParseCertificateRequest(data); err == nil {
		return DERCSR
	}
	if _, err := keys.Parse(data, nil); err == nil || errors.Is(err, keys.ErrNeedPassword) {
		return DERKey
	}
	return Unknown
}

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

func (s *Set) merge(o *Set) {
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

// LoadAll reads several sources into one set.
func LoadAll(paths []string, opts Options) (*Set, error) {
	all := &Set{}
	for _, p := range paths {
		s, err := Load(p, opts)
		if err != nil {
			return nil, err
		}
		all.merge(s)
	}
	return all, nil
}

// Load reads a file or a directory. In a directory, every regular file
// (and link to one) is read, in name order; hidden files, subdirectories
// and files that hold nothing trustctl reads are passed over with a note.
func Load(path string, opts Options) (*Set, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return Parse(data, path, opts)
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	set := &Set{}
	for _, n := range names {
		p := filepath.Join(path, n)
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		s, err := Parse(data, p, opts)
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) && fe.Err == nil {
				set.Notes = append(set.Notes, p+": passed over: not a certificate, key or store")
				continue
			}
			return nil, err
		}
		set.merge(s)
	}
	return set, nil
}

// Parse reads one file's content; name is used in messages and origins.
func Parse(data []byte, name string, opts Options) (*Set, error) {
	set := &Set{}
	addParsed := func(c *certs.Cert, origin, alias string) {
		if c.X509 == nil {
			set.Notes = append(set.Notes, fmt.Sprintf("%s: a certificate crypto/x509 refuses (%v) is kept as it is", origin, c.ParseErr))
		}
		set.Certs = append(set.Certs, &Found{Cert: c, Origin: origin, Alias: alias})
	}
	add := func(der []byte, origin, alias string) { addParsed(certs.Parse(der), origin, alias) }
	keyPw := opts.KeyPassword
	switch k := Sniff(data); k {
	case PEM:
		blocks, err := pemfile.Decode(data)
		if err != nil {
			return nil, &FormatError{Path: name, Err: err}
		}
		var ders [][]byte
		for _, b := range blocks {
			switch b.Type {
			case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
				if len(b.Bytes) == 0 {
					return nil, &FormatError{Path: name, Err: fmt.Errorf("empty %s block at line %d", b.Type, b.Line)}
				}
				ders = append(ders, b.Bytes)
			case "X509 CRL":
				crl, err := x509.ParseRevocationList(b.Bytes)
				if err != nil {
					return nil, &FormatError{Path: name, Err: fmt.Errorf("CRL at line %d: %w", b.Line, err)}
				}
				set.CRLs = append(set.CRLs, crl)
			case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
				csr, err := x509.ParseCertificateRequest(b.Bytes)
				if err != nil {
					return nil, &FormatError{Path: name, Err: fmt.Errorf("CSR at line %d: %w", b.Line, err)}
				}
				set.CSRs = append(set.CSRs, csr)
			case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
				signer, err := keys.Parse(pemfile.EncodeBlock(b.Block), keyPw)
				if err != nil && keyPw == nil && errors.Is(err, keys.ErrNeedPassword) {
					// The caller does not want keys; an encrypted one
					// is passed over rather than asked for.
					set.Notes = append(set.Notes, fmt.Sprintf("%s: encrypted private key at line %d passed over", name, b.Line))
					continue
				}
				if err != nil {
					return nil, fmt.Errorf("%s: private key at line %d: %w", name, b.Line, err)
				}
				p8, err := x509.MarshalPKCS8PrivateKey(signer)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				set.Keys = append(set.Keys, &Key{Signer: signer, PKCS8: p8, Origin: name})
			}
		}
		for _, c := range certs.ParseAll(ders) {
			addParsed(c, name, "")
		}
	case DERCert:
		add(data, name, "")
	case DERCRL:
		crl, _ := x509.ParseRevocationList(data)
		set.CRLs = append(set.CRLs, crl)
	case DERCSR:
		csr, _ := x509.ParseCertificateRequest(data)
		set.CSRs = append(set.CSRs, csr)
	case DERKey:
		signer, err := keys.Parse(data, keyPw)
		if err != nil && keyPw == nil && errors.Is(err, keys.ErrNeedPassword) {
			set.Notes = append(set.Notes, name+": encrypted private key passed over")
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p8, err := x509.MarshalPKCS8PrivateKey(signer)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		set.Keys = append(set.Keys, &Key{Signer: signer, PKCS8: p8, Origin: name})
	case JKS, JCEKS, PKCS12:
		st, err := DecodeStore(data, k, opts)
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

// storeFormat maps a sniffed kind to a store format.
func storeFormat(k Kind) store.Format {
	switch k {
	case JKS:
		return store.FormatJKS
	case JCEKS:
		return store.FormatJCEKS
	case PKCS12:
		return store.FormatPKCS12
	case PEM:
		return store.FormatPEM
	}
	return store.FormatUnknown
}

// DecodeStore reads store bytes of a sniffed kind.
func DecodeStore(data []byte, k Kind, opts Options) (*store.Store, error) {
	f := storeFormat(k)
	if f == store.FormatUnknown {
		return nil, fmt.Errorf("a %s is not a store", k)
	}
	var keyPw func(string) []byte
	if opts.KeyPassword != nil {
		keyPw = func(string) []byte {
			pw, err := opts.KeyPassword()
			if err != nil {
				return nil
			}
			return pw
		}
	}
	return store.Decode(data, f, store.DecodeOptions{
		Password:     opts.Password,
		HavePassword: opts.HavePassword,
		KeyPassword:  keyPw,
		ParseKey: func(block []byte, typ string) ([]byte, any, error) {
			signer, err := keys.Parse(block, opts.KeyPassword)
			if err != nil {
				return nil, nil, err
			}
			p8, err := x509.MarshalPKCS8PrivateKey(signer)
			return p8, signer.Public(), err
		},
	})
}

// OpenOptions says how to open a store for change.
type OpenOptions struct {
	Options
	// Type is the format of a store that does not exist yet; Unknown
	// means "from the file name".
	Type store.Format
}

// ErrNotStore is returned by [OpenStore] for a file that exists but is not
// a JKS, JCEKS, PKCS#12 or PEM store.
var ErrNotStore = errors.New("not a keystore or truststore")

// OpenStore reads the store at path for change. A path that does not exist
// gives a new empty store (exists false) whose format comes from opts.Type
// or the file name.
func OpenStore(path string, opts OpenOptions) (st *store.Store, exists bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		f := opts.Type
		if f == store.FormatUnknown {
			f = store.FormatForName(path)
		}
		if f == store.FormatUnknown {
			return nil, false, fmt.Errorf("%s does not exist and its name does not say which type to create: use a .jks, .p12, .pfx or .pem name, or --type", path)
		}
		return store.New(f), false, nil
	}
	if err != nil {
		return nil, false, err
	}
	k := Sniff(data)
	switch k {
	case JKS, JCEKS, PKCS12, PEM:
	case DERCert:
		return nil, true, fmt.Errorf("%s is a DER certificate, %w", path, ErrNotStore)
	default:
		return nil, true, &FormatError{Path: path, Err: ErrNotStore}
	}
	st, err = DecodeStore(data, k, opts.Options)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", path, err)
	}
	return st, true, nil
}
