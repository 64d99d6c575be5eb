// Package ca is trustctl's small certificate authority, kept in one
// directory: it creates a CA (self-signed, or an intermediate whose parent
// signs its CSR, or adopted from an existing key and certificate), signs
// CSRs under fixed profiles with serials that strictly increase and are
// never reused, records everything it issues, revokes, sets a minimum
// accepted serial, writes CRLs, and checks a directory. It also answers
// status questions for the OCSP responder.
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
//	index.jsonl      the journal: what happened since index.json was last
//	                 written, one JSON object a line
//	issued/SERIAL.pem  each issued certificate
//
// The serial counter and the record survive `ca init --force`, so a
// re-created CA in the same directory never repeats a serial (Firefox
// refuses a certificate whose issuer name and serial it has seen before
// with another key: SEC_ERROR_REUSED_ISSUER_AND_SERIAL). The first serial
// of a new directory is derived from the clock (Unix seconds × 65536), so
// CAs re-created in new directories later in time start above earlier ones.
//
// # The order of writes
//
// Every command takes an exclusive lock on the directory itself (flock on
// the directory, so no lock file is left behind), then recovers what a
// killed predecessor left, then reads and checks the whole record: a
// serial counter or a record line that does not parse is an error naming
// the file (and line) and what is wrong, never a guess. Only then does it
// change anything. The record is index.json plus the journal; a reader
// takes index.json and applies the journal's lines in order (the last line
// about a serial wins; index.json, written later than any line it holds,
// wins over the journal).
//
// ca sign writes in this order, each step synced to disk before the next:
//
//  1. a journal line "pending": serial, fingerprint, where it goes. From
//     here on the serial is spent: the next serial is above every serial in
//     the record and above the counter, so it is never issued twice.
//  2. issued/SERIAL.pem, the CA's copy.
//  3. the --out file, written to a temporary file and renamed into place.
//  4. a journal line "issued".
//  5. the serial counter.
//
// A kill before step 1 leaves no trace of the certificate anywhere. A kill
// between 1 and 4 leaves a pending line, which the next command resolves:
// if the --out file holds that very certificate (same SHA-256) it was
// delivered, and is recorded as issued (listable, revocable, its copy
// restored, a temporary name still linked to the --out file removed);
// otherwise it was not, and is recorded "void": not issued, its
// serial still spent, its copy and any temporary file holding it removed.
// A kill after 4 leaves only the counter behind, which the next command
// moves above the record's serials. A certificate for standard output is
// written after step 4, so a kill can at worst record as issued a
// certificate nobody received (never the reverse). A command that fails
// (a full disk, an unwritable --out) before delivering removes its copy
// and cuts its pending line off the journal: the directory is left byte
// for byte as it was. Should the line "issued" not fit once the
// certificate is delivered, the certificate stays issued and the next
// command completes its record from the --out file.
//
// ca init (and its --force, --cert and adoption forms) replaces ca.key,
// ca.crt and ca.json as one step: each new file is written complete beside
// its target (.ca.key.new, ...), then ca.pending names the files to
// replace: writing ca.pending is the commit point. Renames follow, then
// ca.pending goes. The next command finishes the renames when it finds
// ca.pending, and removes staged .new files when it does not; a new key
// never stands beside the old certificate.
//
// ca revoke and ca min-serial write index.json whole (every record in it)
// and then empty the journal; a kill between the two leaves journal lines
// that index.json already holds, which readers pass over. ca crl spends its
// CRL number with a journal line before the CRL is written, and cuts that
// line off again if the CRL could not be written.
//
// Temporary files beside the CA's files, staged files without a commit,
// and a torn last journal line (a kill in the middle of an append) are
// removed by the next command: all of them are safe to drop, as the order
// above shows. [Check] reports them, and everything else that is wrong,
// without changing anything.
//
// Out of scope: hardware keys, ACME, name constraints, policy extensions,
// delta CRLs, and signing anything but CSRs.
package ca

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
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
	"github.com/trustctl/trustctl/internal/dn"
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
	// PendingFile names the files `ca init` is replacing (see the package
	// documentation); it exists only while that happens.
	PendingFile = "ca.pending"
)

// Errors callers branch on.
var (
	// ErrExists: ca init on a directory that already holds a CA.
	ErrExists = errors.New("a CA already exists in this directory")
	// ErrSettingsDiffer: completing a CA again with its certificate, with
	// settings other than those it has, without Force.
	ErrSettingsDiffer = errors.New("the CA is complete with that certificate already, with other settings")
	// ErrNotCA: the directory holds no CA (no ca.key or no ca.crt).
	ErrNotCA = errors.New("not a CA directory")
	// ErrKeyEncrypted: the key is encrypted and no password was offered.
	ErrKeyEncrypted = keys.ErrNeedPassword
	// ErrKeyMismatch: a certificate does not belong to the CA key.
	ErrKeyMismatch = errors.New("the certificate does not match the CA key")
	// ErrUnknownSerial: no certificate with that serial was issued here.
	ErrUnknownSerial = errors.New("no certificate with that serial was issued by this CA")
	// ErrBadCSR: the CSR's signature does not verify.
	ErrBadCSR = errors.New("the CSR's signature does not verify")
	// ErrValidity: a requested validity is beyond the cap or out of range.
	ErrValidity = errors.New("validity out of range")
	// ErrProfile: the CSR cannot be issued under the profile.
	ErrProfile = errors.New("the CSR does not fit the profile")
	// ErrCorrupt: a file of the CA directory does not read as it must.
	ErrCorrupt = errors.New("corrupt")
	// ErrOutExists: the output file exists and replacing it was not asked for.
	ErrOutExists = errors.New("exists")
	// ErrMinSerialDown: a minimum serial below the one set. What the
	// higher minimum retired was published as revoked, and revocation is
	// for good (RFC 5280 section 3.3).
	ErrMinSerialDown = errors.New("the minimum serial only goes up: what is below the current one was published as revoked, and stays revoked")
	// ErrBadSerial: a serial number outside RFC 5280's bounds.
	ErrBadSerial = errors.New("a serial number must be positive and at most 20 octets (RFC 5280 section 4.1.2.2)")
)

// corrupt names the file and what is wrong with it.
func corrupt(path, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", path, ErrCorrupt, fmt.Sprintf(format, args...))
}

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

func (cfg Config) check(now time.Time) error {
	switch {
	case cfg.IssueDays < 1 || cfg.IssueDays > MaxDays(now):
		return fmt.Errorf("%w: issue days %d (want 1 to %d)", ErrValidity, cfg.IssueDays, MaxDays(now))
	case cfg.MaxDays < 0 || cfg.MaxDays > MaxDays(now):
		return fmt.Errorf("%w: max days %d (want 0 to %d)", ErrValidity, cfg.MaxDays, MaxDays(now))
	case cfg.MaxDays > 0 && cfg.IssueDays > cfg.MaxDays:
		return fmt.Errorf("%w: issue days %d exceed max days %d", ErrValidity, cfg.IssueDays, cfg.MaxDays)
	}
	return nil
}

// States of a record. The zero value is an issued certificate, as in the
// records written before states existed.
const (
	StateIssued  = ""
	StatePending = "pending" // being delivered (only ever seen after a kill)
	StateVoid    = "void"    // signed, never delivered: not issued, serial spent
)

// Record is one certificate as the record keeps it.
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
	// State is StateIssued, StatePending or StateVoid.
	State string `json:"state,omitempty"`
	// Out is the absolute path the certificate was delivered to ("" for
	// standard output or a caller that keeps it); Chain says the CA
	// certificate followed it there.
	Out   string `json:"out,omitempty"`
	Chain bool   `json:"chain,omitempty"`
}

// check says what is missing from a record read from disk.
func (r *Record) check() error {
	switch {
	case r.Serial.Int == nil:
		return errors.New("no serial")
	case r.CA == "":
		return errors.New("no CA fingerprint")
	case r.SHA256 == "":
		return errors.New("no fingerprint")
	case r.NotAfter.IsZero():
		return errors.New("no notAfter")
	case r.File == "" && r.State != StateVoid:
		return errors.New("no file")
	case r.State != StateIssued && r.State != StatePending && r.State != StateVoid:
		return fmt.Errorf("unknown state %q", r.State)
	case r.RevokedAt != nil && r.Reason == "":
		return errors.New("revoked without a reason")
	}
	if _, ok := certs.ReasonCode(r.Reason); r.Reason != "" && !ok {
		return fmt.Errorf("unknown revocation reason %q", r.Reason)
	}
	return nil
}

// Serial is a serial number that reads and writes itself as hex in JSON.
// Reading refuses what RFC 5280 does: zero, negative, over 20 octets.
type Serial struct{ *big.Int }

// MarshalJSON writes the serial as upper-case hex without colons.
func (s Serial) MarshalJSON() ([]byte, error) { return json.Marshal(hexSerial(s.Int)) }

// UnmarshalJSON reads a hex serial.
func (s *Serial) UnmarshalJSON(b []byte) error {
	var h string
	if err := json.Unmarshal(b, &h); err != nil {
		return err
	}
	n, err := parseHexSerial(h)
	if err != nil {
		return fmt.Errorf("serial: %w", err)
	}
	s.Int = n
	return nil
}

// maxSerial is the largest serial RFC 5280 section 4.1.2.2 allows: a
// positive INTEGER of at most 20 octets in DER, whose first octet's top
// bit is the sign, so 159 bits.
var maxSerial = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 159), big.NewInt(1))

// CheckSerial returns [ErrBadSerial] for a serial outside RFC 5280's bounds.
func CheckSerial(n *big.Int) error {
	if n == nil || n.Sign() <= 0 || n.Cmp(maxSerial) > 0 {
		return ErrBadSerial
	}
	return nil
}

// ParseSerial reads a serial as openssl prints it: hex, with or without
// colons, in any case. It must be within RFC 5280's bounds.
func ParseSerial(s string) (*big.Int, error) {
	b := certs.ParseHex(s)
	if b == nil {
		return nil, fmt.Errorf("serial %q is not hex (write it as openssl prints it, e.g. 0A:1B:2C)", s)
	}
	n := new(big.Int).SetBytes(b)
	if err := CheckSerial(n); err != nil {
		return nil, fmt.Errorf("serial %s: %w", s, err)
	}
	return n, nil
}

// parseHexSerial reads the plain hex of the counter and the record.
func parseHexSerial(h string) (*big.Int, error) {
	if h == "" {
		return nil, errors.New("empty")
	}
	if len(h) > 42 {
		return nil, fmt.Errorf("%d hex digits: %w", len(h), ErrBadSerial)
	}
	n, ok := new(big.Int).SetString(h, 16)
	if !ok || strings.HasPrefix(h, "+") || strings.HasPrefix(h, "-") {
		return nil, fmt.Errorf("%q is not hex", h)
	}
	if err := CheckSerial(n); err != nil {
		return nil, fmt.Errorf("%s: %w", h, err)
	}
	return n, nil
}

func hexSerial(n *big.Int) string {
	h := strings.ToUpper(n.Text(16))
	if len(h)%2 == 1 {
		h = "0" + h
	}
	return h
}

// lastDay is the last instant a certificate's dates can name: X.509
// GeneralizedTime ends with year 9999 (RFC 5280 section 4.1.2.5).
var lastDay = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// MaxDays is the most days a validity starting at now may last and still
// end within year 9999.
func MaxDays(now time.Time) int {
	d := (lastDay.Unix() - now.Unix()) / 86400
	if d < 0 {
		return 0
	}
	return int(d)
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
	// Replaced is, after [Init] with Force, the certificate of the CA it
	// replaced (nil when there was none).
	Replaced *x509.Certificate
}

func (c *CA) path(name string) string { return filepath.Join(c.Dir, name) }

// Open reads a CA directory's certificate and settings (not its key),
// after finishing what a killed command left there.
func Open(dir string) (*CA, error) {
	c := &CA{Dir: dir}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		return nil, fmt.Errorf("%s: %w (%v)", dir, ErrNotCA, unwrapPath(err))
	}
	err := withLock(dir, func() error {
		if _, err := recoverDir(dir); err != nil {
			return err
		}
		return c.readCert()
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// readCert reads ca.crt and ca.json.
func (c *CA) readCert() error {
	data, err := readFile(c.path(CertFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, err2 := os.Stat(c.path(CSRFile)); err2 == nil {
				return fmt.Errorf("%s: %w: it waits for its signed certificate (ca init %s --cert SIGNED.pem)", c.Dir, ErrNotCA, c.Dir)
			}
			return fmt.Errorf("%s: %w (no %s)", c.Dir, ErrNotCA, CertFile)
		}
		return err
	}
	c.Cert, err = parseCertPEM(data)
	if err != nil {
		return corrupt(c.path(CertFile), "%v", err)
	}
	c.Config, err = c.readConfig()
	return err
}

// readConfig reads ca.json.
func (c *CA) readConfig() (Config, error) {
	var cfg Config
	data, err := readFile(c.path(ConfigFile))
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", c.Dir, err)
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, corrupt(c.path(ConfigFile), "%v", err)
	}
	return cfg, nil
}

// sameCert fails when ca.crt is no longer the certificate c was opened
// with: another command replaced the CA meanwhile.
func (c *CA) sameCert() error {
	data, err := readFile(c.path(CertFile))
	if err != nil {
		return err
	}
	cert, err := parseCertPEM(data)
	if err != nil {
		return corrupt(c.path(CertFile), "%v", err)
	}
	if !cert.Equal(c.Cert) {
		return fmt.Errorf("%s: the CA was replaced (ca init --force) while this command ran; run it again", c.Dir)
	}
	return nil
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
// checks it matches ca.crt. A wrong passphrase is [secret.ErrWrongPassword].
func (c *CA) LoadKey(password func() ([]byte, error)) error {
	data, err := readFile(c.path(KeyFile))
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

func checkCACert(cert *x509.Certificate) error {
	if !cert.BasicConstraintsValid || !cert.IsCA {
		return fmt.Errorf("%s is not a CA certificate (basicConstraints CA:TRUE missing)", dn.Subject(cert))
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return fmt.Errorf("%s may not sign certificates (keyUsage lacks keyCertSign)", dn.Subject(cert))
	}
	return nil
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

// unwrapPath drops the path a *fs.PathError repeats.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readFile reads a file of the CA directory as every input is read: a
// regular file of at most safefile.MaxSize bytes, never a FIFO or a
// device, which a directory handed to expiry may hold in its place.
func readFile(path string) ([]byte, error) { return safefile.Read(path, safefile.MaxSize) }
