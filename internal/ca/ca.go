// Package ca is trustctl's small certificate authority, kept in one
// directory: it creates a CA (self-signed, or an intermediate whose parent
// signs its CSR, or adopted from an existing key and certificate), signs
// CSRs under fixed profiles with serials that strictly increase and are
// never reused, records everything it issues, revokes, sets a minimum
// accepted serial, and writes CRLs. It also answers status questions for
// the OCSP responder in internal/ocsp.
//
// The directory layout:
//
//	ca.key           the CA's private key, PKCS#8 PEM, mode 0600
//	                 (ENCRYPTED PRIVATE KEY, PBES2/AES-256, with a password)
//	ca.crt           the CA certificate, PEM (absent between `init --csr-only`
//	                 and `init --cert`)
//	ca.csr           the CA's CSR, for a parent to sign (--csr-only)
//	ca.json          settings: validity of what it issues, cap, OCSP/CRL URLs
//	serial           the next serial number, hex, as openssl's serial file
//	index.json       every certificate issued (serial, subject, validity,
//	                 profile, fingerprint, revocation), the minimum accepted
//	                 serial and the last CRL number
//	index.jsonl      the records of what was signed since index.json was
//	                 last written, one JSON object a line (see journal.go)
//	issued/SERIAL.pem  each issued certificate
//	.serial.lock     the lock that serializes writers (flock)
//
// The serial counter and index survive `ca init --force`, so a re-created
// CA in the same directory never repeats a serial (Firefox refuses a
// certificate whose issuer name and serial it has seen before with another
// key: SEC_ERROR_REUSED_ISSUER_AND_SERIAL). The first serial of a new
// directory is derived from the clock (Unix seconds × 65536), so CAs
// re-created in new directories later in time start above earlier ones.
//
// Out of scope: hardware keys, ACME, name constraints, policy extensions,
// delta CRLs, and signing anything but CSRs.
package ca

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/safefile"
)

// File names inside a CA directory.
const (
	KeyFile     = "ca.key"
	CertFile    = "ca.crt"
	CSRFile     = "ca.csr"
	ConfigFile  = "ca.json"
	SerialFile  = "serial"
	IndexFile   = "index.json"
	JournalFile = "index.jsonl"
	IssuedDir   = "issued"
)

// Errors callers branch on.
var (
	// ErrExists: ca init on a directory that already holds a CA.
	ErrExists = errors.New("a CA already exists in this directory")
	// ErrNotCA: the directory holds no CA (no ca.key or no ca.crt).
	ErrNotCA = errors.New("not a CA directory")
	// ErrWrongPassword: the CA key's passphrase is wrong.
	ErrWrongPassword = keys.ErrWrongPassword
	// ErrKeyEncrypted: the key is encrypted and no password was offered.
	ErrKeyEncrypted = keys.ErrNeedPassword
	// ErrKeyMismatch: a certificate does not belong to the CA key.
	ErrKeyMismatch = errors.New("the certificate does not match the CA key")
	// ErrUnknownSerial: no certificate with that serial was issued here.
	ErrUnknownSerial = errors.New("no certificate with that serial was issued by this CA")
	// ErrBadCSR: the CSR's signature does not verify.
	ErrBadCSR = errors.New("the CSR's signature does not verify")
	// ErrValidity: a requested validity is beyond the cap.
	ErrValidity = errors.New("validity beyond the CA's cap")
	// ErrProfile: the CSR cannot be issued under the profile.
	ErrProfile = errors.New("the CSR does not fit the profile")
)

// Config holds the CA's settings, kept in ca.json.
type Config struct {
	// IssueDays is the default validity of what the CA signs.
	IssueDays int `json:"issue_days"`
	// MaxDays caps any validity the CA grants (0: only the CA's own expiry).
	MaxDays int `json:"max_days,omitempty"`
	// OCSPURL goes into the AIA extension of what the CA signs.
	OCSPURL string `json:"ocsp_url,omitempty"`
	// CRLURL goes into the CRL distribution points of what the CA signs.
	CRLURL string `json:"crl_url,omitempty"`
}

// Record is one issued certificate as the index keeps it.
type Record struct {
	Serial    Serial    `json:"serial"`
	Subject   string    `json:"subject"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	Profile   string    `json:"profile"`
	SHA256    string    `json:"sha256"`
	SHA1      string    `json:"sha1"`
	// CA is the SHA-256 fingerprint of the CA certificate that signed it:
	// after `init --force` older records belong to the previous CA.
	CA        string     `json:"ca"`
	File      string     `json:"file"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Reason    string     `json:"reason,omitempty"`
}

// Serial is a serial number that reads and writes itself as hex in JSON.
type Serial struct{ *big.Int }

// MarshalJSON writes the serial as upper-case hex without colons.
func (s Serial) MarshalJSON() ([]byte, error) { return json.Marshal(hexSerial(s.Int)) }

// UnmarshalJSON reads a hex serial.
func (s *Serial) UnmarshalJSON(b []byte) error {
	var h string
	if err := json.Unmarshal(b, &h); err != nil {
		return err
	}
	n, ok := new(big.Int).SetString(h, 16)
	if !ok || n.Sign() < 0 {
		return fmt.Errorf("bad serial %q", h)
	}
	s.Int = n
	return nil
}

func hexSerial(n *big.Int) string {
	h := strings.ToUpper(n.Text(16))
	if len(h)%2 == 1 {
		h = "0" + h
	}
	return h
}

// index is index.json.
type index struct {
	Records   []*Record  `json:"records"`
	MinSerial *Serial    `json:"min_serial,omitempty"`
	MinSetAt  *time.Time `json:"min_serial_set_at,omitempty"`
	CRLNumber int64      `json:"crl_number"`
}

// CA is an opened CA directory. Signer is nil until [CA.LoadKey].
type CA struct {
	Dir    string
	Cert   *x509.Certificate
	Signer crypto.Signer
	Config Config
}

func (c *CA) path(name string) string { return filepath.Join(c.Dir, name) }

// Open reads a CA directory's certificate and settings (not its key).
func Open(dir string) (*CA, error) {
	c := &CA{Dir: dir}
	data, err := os.ReadFile(c.path(CertFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, err2 := os.Stat(c.path(CSRFile)); err2 == nil {
				return nil, fmt.Errorf("%s: %w: it waits for its signed certificate (ca init %s --cert SIGNED.pem)", dir, ErrNotCA, dir)
			}
			return nil, fmt.Errorf("%s: %w (no %s)", dir, ErrNotCA, CertFile)
		}
		return nil, err
	}
	c.Cert, err = parseCertPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.path(CertFile), err)
	}
	cfg, err := os.ReadFile(c.path(ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if err := json.Unmarshal(cfg, &c.Config); err != nil {
		return nil, fmt.Errorf("%s: %w", c.path(ConfigFile), err)
	}
	return c, nil
}

func parseCertPEM(data []byte) (*x509.Certificate, error) {
	b, _ := pem.Decode(data)
	der := data
	if b != nil {
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("want a CERTIFICATE, found %s", b.Type)
		}
		der = b.Bytes
	}
	return x509.ParseCertificate(der)
}

// LoadKey reads ca.key (asking password only when it is encrypted) and
// checks it matches ca.crt.
func (c *CA) LoadKey(password func() ([]byte, error)) error {
	data, err := os.ReadFile(c.path(KeyFile))
	if err != nil {
		return fmt.Errorf("reading the CA key: %w", err)
	}
	k, err := keys.Parse(data, password)
	if err != nil {
		return fmt.Errorf("%s: %w", c.path(KeyFile), err)
	}
	if !keyMatches(k, c.Cert.PublicKey) {
		return fmt.Errorf("%s: %w", c.Dir, ErrKeyMismatch)
	}
	c.Signer = k
	return nil
}

// InitOptions says how to create a CA. Exactly one of: generate (Key and
// Cert nil), adopt (Key and Cert set), or CSROnly.
type InitOptions struct {
	// Subject of the CA; order of ExtraNames is kept.
	Subject pkix.Name
	// KeyType for a generated key (default [DefaultKeyType]).
	KeyType string
	// Days of the CA certificate's validity (default 3650).
	Days int
	// PathLen is basicConstraints pathLenConstraint; -1 for none.
	PathLen int
	Config  Config
	// KeyPassword encrypts ca.key; nil writes it plain.
	KeyPassword []byte
	// CSROnly writes ca.key and ca.csr instead of a certificate.
	CSROnly bool
	// Key and Cert adopt an existing CA (checked to match).
	Key  crypto.Signer
	Cert *x509.Certificate
	// Force replaces an existing CA, keeping the serial counter and index.
	Force bool
	Now   time.Time
}

// Init creates a CA in dir. Nothing is written when a check fails.
func Init(dir string, o InitOptions) (*CA, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Days == 0 {
		o.Days = 3650
	}
	if o.Config.IssueDays == 0 {
		o.Config.IssueDays = 365
	}
	if o.Config.MaxDays > 0 && o.Config.IssueDays > o.Config.MaxDays {
		return nil, fmt.Errorf("issue days %d exceed max days %d", o.Config.IssueDays, o.Config.MaxDays)
	}
	if (o.Key == nil) != (o.Cert == nil) {
		return nil, errors.New("adopting a CA needs both its key and its certificate")
	}
	c := &CA{Dir: dir, Config: o.Config}
	if !o.Force {
		for _, f := range []string{KeyFile, CertFile, CSRFile} {
			if _, err := os.Stat(c.path(f)); err == nil {
				return nil, fmt.Errorf("%s: %w", dir, ErrExists)
			}
		}
	}
	var certPEM, csrPEM []byte
	key := o.Key
	switch {
	case o.Cert != nil:
		if !keyMatches(o.Key, o.Cert.PublicKey) {
			return nil, ErrKeyMismatch
		}
		if err := checkCACert(o.Cert); err != nil {
			return nil, err
		}
		c.Cert = o.Cert
		certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: o.Cert.Raw})
	default:
		kt := o.KeyType
		if kt == "" {
			kt = DefaultKeyType
		}
		var err error
		if key, err = keys.Generate(kt); err != nil {
			return nil, err
		}
		if o.CSROnly {
			der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: o.Subject}, key)
			if err != nil {
				return nil, fmt.Errorf("making the CA's CSR: %w", err)
			}
			csrPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
			break
		}
		ski, err := subjectKeyID(key.Public())
		if err != nil {
			return nil, err
		}
		sn := make([]byte, 16)
		rand.Read(sn)
		sn[0] &= 0x7f
		tmpl := &x509.Certificate{
			SerialNumber:          new(big.Int).SetBytes(sn),
			Subject:               o.Subject,
			NotBefore:             o.Now.Add(-5 * time.Minute).UTC(),
			NotAfter:              o.Now.AddDate(0, 0, o.Days).UTC(),
			IsCA:                  true,
			BasicConstraintsValid: true,
			MaxPathLen:            o.PathLen,
			MaxPathLenZero:        o.PathLen == 0,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			SubjectKeyId:          ski,
		}
		if o.PathLen < 0 {
			tmpl.MaxPathLen = -1
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			return nil, fmt.Errorf("making the CA certificate: %w", err)
		}
		c.Cert, _ = x509.ParseCertificate(der)
		certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	keyPEM, err := keys.MarshalPKCS8PEM(key, o.KeyPassword)
	if err != nil {
		return nil, err
	}
	cfg, _ := json.MarshalIndent(c.Config, "", "  ")

	// Checks are done: write. The key goes first, the certificate last, so
	// a directory with a ca.crt always has its key.
	if err := os.MkdirAll(filepath.Join(dir, IssuedDir), 0o700); err != nil {
		return nil, err
	}
	unlock, err := safefile.Lock(c.path(SerialFile))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := os.Stat(c.path(SerialFile)); errors.Is(err, fs.ErrNotExist) {
		first := new(big.Int).Lsh(big.NewInt(o.Now.Unix()), 16)
		if err := safefile.Write(c.path(SerialFile), []byte(hexSerial(first)+"\n"), safefile.Options{Perm: 0o644}); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(c.path(IndexFile)); errors.Is(err, fs.ErrNotExist) {
		if err := writeIndexFile(c.path(IndexFile), &index{Records: []*Record{}}); err != nil {
			return nil, err
		}
	}
	if err := safefile.Write(c.path(ConfigFile), append(cfg, '\n'), safefile.Options{Perm: 0o644}); err != nil {
		return nil, err
	}
	if err := safefile.Write(c.path(KeyFile), keyPEM, safefile.Options{Perm: 0o600}); err != nil {
		return nil, err
	}
	if o.CSROnly {
		os.Remove(c.path(CertFile))
		if err := safefile.Write(c.path(CSRFile), csrPEM, safefile.Options{Perm: 0o644}); err != nil {
			return nil, err
		}
		c.Signer = key
		return c, nil
	}
	if err := safefile.Write(c.path(CertFile), certPEM, safefile.Options{Perm: 0o644}); err != nil {
		return nil, err
	}
	os.Remove(c.path(CSRFile))
	c.Signer = key
	return c, nil
}

// CSR returns the pending CSR of a --csr-only CA.
func CSR(dir string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, CSRFile)) }

// Complete installs the certificate a parent signed for a --csr-only CA.
// The certificate must match ca.key and be a CA certificate.
func Complete(dir string, certDER []byte, password func() ([]byte, error)) (*CA, error) {
	c := &CA{Dir: dir}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, fmt.Errorf("reading the signed certificate: %w", err)
	}
	keyData, err := os.ReadFile(c.path(KeyFile))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotCA)
	}
	key, err := keys.Parse(keyData, password)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.path(KeyFile), err)
	}
	if !keyMatches(key, cert.PublicKey) {
		return nil, ErrKeyMismatch
	}
	if err := checkCACert(cert); err != nil {
		return nil, err
	}
	if _, err := os.Stat(c.path(CertFile)); err == nil {
		return nil, fmt.Errorf("%s: %w", dir, ErrExists)
	}
	cfg, err := os.ReadFile(c.path(ConfigFile))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(cfg, &c.Config); err != nil {
		return nil, err
	}
	unlock, err := safefile.Lock(c.path(SerialFile))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := safefile.Write(c.path(CertFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), safefile.Options{Perm: 0o644, NoOverwrite: true}); err != nil {
		return nil, err
	}
	os.Remove(c.path(CSRFile))
	c.Cert, c.Signer = cert, key
	return c, nil
}

func checkCACert(cert *x509.Certificate) error {
	if !cert.BasicConstraintsValid || !cert.IsCA {
		return fmt.Errorf("%s is not a CA certificate (basicConstraints CA:TRUE missing)", cert.Subject)
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return fmt.Errorf("%s may not sign certificates (keyUsage lacks keyCertSign)", cert.Subject)
	}
	return nil
}

// lockIndex takes the CA directory's writers' lock and reads the index
// under it. Every change to the serial counter or the records happens
// between the two; call unlock when done.
func (c *CA) lockIndex() (ix *index, unlock func(), err error) {
	unlock, err = safefile.Lock(c.path(SerialFile))
	if err != nil {
		return nil, nil, err
	}
	ix, err = c.readIndex()
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return ix, unlock, nil
}

func readIndexFile(path string) (*index, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ix index
	if err := json.Unmarshal(data, &ix); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &ix, nil
}

func writeIndexFile(path string, ix *index) error {
	data, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return err
	}
	return safefile.Write(path, append(data, '\n'), safefile.Options{Perm: 0o644})
}

func readSerial(path string) (*big.Int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	n, ok := new(big.Int).SetString(strings.TrimSpace(string(data)), 16)
	if !ok || n.Sign() <= 0 {
		return nil, fmt.Errorf("%s: bad serial counter", path)
	}
	return n, nil
}

func fingerprint(der []byte) string {
	s := sha256.Sum256(der)
	return certs.Fingerprint(s[:])
}

// fileName is the issued/ name of a serial.
func fileName(n *big.Int) string { return filepath.Join(IssuedDir, hexSerial(n)+".pem") }

// CertPEM is the CA certificate in PEM.
func (c *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}
