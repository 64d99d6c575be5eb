package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/pemfile"
	"github.com/trustctl/trustctl/internal/safefile"
)

// ParseReason reads a revocation reason (RFC 5280 section 5.3.1) in any
// case, with or without dashes (key-compromise, keyCompromise,
// KEYCOMPROMISE), or its number, and returns its RFC 5280 name.
func ParseReason(s string) (string, error) {
	norm := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(s))
	for code := 0; code <= 10; code++ {
		name := certs.ReasonName(code)
		if _, ok := certs.ReasonCode(name); !ok || name == "removeFromCRL" {
			continue
		}
		if strings.ToLower(name) == norm || fmt.Sprint(code) == norm {
			return name, nil
		}
	}
	return "", fmt.Errorf("unknown revocation reason %q (want unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, privilegeWithdrawn or aACompromise)", s)
}

// reasonCode is the code of a reason name the record holds.
func reasonCode(name string) int {
	code, _ := certs.ReasonCode(name)
	return code
}

// Status of an issued certificate.
type Status string

// The statuses [CA.Records] reports.
const (
	StatusValid    Status = "valid"
	StatusExpired  Status = "expired"
	StatusRevoked  Status = "revoked"
	StatusBelowMin Status = "below-min-serial" // revoked by `ca min-serial`
)

// Entry is a record with its status at a given time.
type Entry struct {
	*Record
	Status Status
	// Current is false for certificates signed by a previous CA of the
	// directory (before `init --force`).
	Current bool
}

// State is a consistent snapshot of the record.
type State struct {
	// Entries are the certificates issued, oldest first.
	Entries   []Entry
	MinSerial *big.Int // nil when none was set
	MinSetAt  time.Time
	CRLNumber int64
	// Unissued are the serials spent on certificates that were signed
	// but never delivered (a command killed or failed on the way).
	Unissued []*big.Int
}

// Records returns what the CA issued, oldest first, with each status at now.
func (c *CA) Records(now time.Time) (*State, error) {
	var st *State
	err := c.withLedger(func(l *ledger) error {
		st = c.state(l, now)
		return nil
	})
	return st, err
}

func (c *CA) state(l *ledger, now time.Time) *State {
	st := &State{CRLNumber: l.crlNumber()}
	if l.ix.MinSerial != nil {
		st.MinSerial = l.ix.MinSerial.Int
		if l.ix.MinSetAt != nil {
			st.MinSetAt = *l.ix.MinSetAt
		}
	}
	fp := fingerprint(c.Cert.Raw)
	for _, r := range l.records() {
		if r.State != StateIssued {
			st.Unissued = append(st.Unissued, r.Serial.Int)
			continue
		}
		e := Entry{Record: r, Status: StatusValid, Current: r.CA == fp}
		switch {
		case r.RevokedAt != nil:
			e.Status = StatusRevoked
		case st.MinSerial != nil && r.Serial.Cmp(st.MinSerial) < 0:
			e.Status = StatusBelowMin
		case now.After(r.NotAfter):
			e.Status = StatusExpired
		}
		st.Entries = append(st.Entries, e)
	}
	return st
}

// Lookup finds the entry for serial among the current CA's records.
func (s *State) Lookup(serial *big.Int) (Entry, bool) {
	for _, e := range s.Entries {
		if e.Current && e.Serial.Cmp(serial) == 0 {
			return e, true
		}
	}
	return Entry{}, false
}

// Revocation is the outcome of [CA.Revoke].
type Revocation struct {
	*Record
	// Changed is false when the certificate was revoked already.
	Changed bool
}

// Revoke marks serial revoked for reason (an RFC 5280 name, as
// [ParseReason] returns). A serial
// the CA never issued is [ErrUnknownSerial]; revoking again keeps the first
// revocation and changes nothing. Only the record changes.
func (c *CA) Revoke(serial *big.Int, reason string, now time.Time) (*Revocation, error) {
	if _, ok := certs.ReasonCode(reason); !ok {
		return nil, fmt.Errorf("unknown revocation reason %q", reason)
	}
	var out *Revocation
	err := c.withLedger(func(l *ledger) error {
		fp := fingerprint(c.Cert.Raw)
		for _, r := range l.records() {
			if r.CA != fp || r.Serial.Cmp(serial) != 0 {
				continue
			}
			if r.State != StateIssued {
				return fmt.Errorf("serial %s: %w (it was signed but never delivered)", hexSerial(serial), ErrUnknownSerial)
			}
			if r.RevokedAt != nil {
				out = &Revocation{Record: r}
				return nil
			}
			t := now.UTC().Truncate(time.Second)
			r.RevokedAt, r.Reason = &t, reason
			out = &Revocation{Record: r, Changed: true}
			return l.writeIndex()
		}
		return fmt.Errorf("serial %s: %w", hexSerial(serial), ErrUnknownSerial)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MinSerialChange is the outcome of [CA.ApplyMinSerial].
type MinSerialChange struct {
	// Changed is false when the minimum was that serial already.
	Changed bool
	// Below counts the certificates of the record below the minimum that
	// were not revoked otherwise: those [CA.Records] reports as
	// [StatusBelowMin], including a previous CA's (before `init --force`).
	Below int
	// BelowPrevious counts those of Below that a previous CA signed; this
	// CA's CRL and OCSP responder do not speak for them.
	BelowPrevious int
	// CounterRaised is set when the serial counter moved up to the
	// minimum, so that what the CA signs next is not revoked at birth.
	CounterRaised bool
}

// SetMinSerial is [CA.ApplyMinSerial] for callers that need no report.
func (c *CA) SetMinSerial(min *big.Int, now time.Time) error {
	_, err := c.ApplyMinSerial(min, now)
	return err
}

// ApplyMinSerial makes every serial below min count as revoked (reason
// superseded, at now): the cluster-CA pattern of retiring everything
// issued before a point without listing it. Setting the same minimum
// again changes nothing. A minimum above the serial counter moves the
// counter up to it.
func (c *CA) ApplyMinSerial(min *big.Int, now time.Time) (*MinSerialChange, error) {
	if err := CheckSerial(min); err != nil {
		return nil, fmt.Errorf("minimum serial: %w", err)
	}
	ch := &MinSerialChange{}
	err := c.withLedger(func(l *ledger) error {
		if cur := l.ix.MinSerial; cur != nil && min.Cmp(cur.Int) < 0 {
			return fmt.Errorf("%s is below the minimum serial %s: %w", certs.SerialHex(min), certs.SerialHex(cur.Int), ErrMinSerialDown)
		}
		// Counted as [CA.state] gives the status: issued, not revoked
		// otherwise, below the minimum, whichever CA signed it.
		fp := fingerprint(c.Cert.Raw)
		for _, r := range l.records() {
			if r.State == StateIssued && r.RevokedAt == nil && r.Serial.Cmp(min) < 0 {
				ch.Below++
				if r.CA != fp {
					ch.BelowPrevious++
				}
			}
		}
		if l.ix.MinSerial != nil && l.ix.MinSerial.Cmp(min) == 0 {
			return nil
		}
		// The counter first: a kill before the index leaves only serials
		// skipped, never one issued below the minimum.
		old := l.counter
		if min.Cmp(old) > 0 {
			if err := writeCounter(l.path(SerialFile), min); err != nil {
				return err
			}
			ch.CounterRaised = true
		}
		ix := *l.ix
		t := now.UTC().Truncate(time.Second)
		ix.MinSerial, ix.MinSetAt = &Serial{min}, &t
		l.ix, l.recs = &ix, nil
		if err := l.writeIndex(); err != nil {
			if ch.CounterRaised {
				writeCounter(l.path(SerialFile), old)
			}
			return err
		}
		ch.Changed = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ch, nil
}

// CRLOptions says how to write a CRL.
type CRLOptions struct {
	Days int // until nextUpdate; default 7
	Now  time.Time
	// Out is the file the CRL goes to, replaced atomically. An existing
	// file that is not a CRL is replaced only with Force ([ErrOutExists]).
	// With no Out, Writer receives it.
	Out    string
	Force  bool
	Writer io.Writer
	// DER writes DER instead of PEM.
	DER bool
}

// CRLResult is a CRL that was written.
type CRLResult struct {
	CRL *x509.RevocationList
	// Data is what was written: PEM, or DER.
	Data []byte
}

// CRL signs and writes a CRL listing every revoked certificate of the
// current CA, including those below the minimum serial, with the next CRL
// number (RFC 5280 section 5.2.3). The number is spent in the journal
// before the CRL is written, and given back if writing it fails: a failed
// CRL leaves the directory as it was.
func (c *CA) CRL(o CRLOptions) (*CRLResult, error) {
	if c.Signer == nil {
		return nil, fmt.Errorf("the CA key is not loaded")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Days == 0 {
		o.Days = 7
	}
	if o.Days < 0 || o.Days > MaxDays(o.Now) {
		return nil, fmt.Errorf("%w: next update in %d days (want 1 to %d)", ErrValidity, o.Days, MaxDays(o.Now))
	}
	if o.Out != "" {
		if err := c.checkNotOwn(o.Out); err != nil {
			return nil, err
		}
	}
	if o.Out != "" && !o.Force {
		if data, err := readFile(o.Out); err == nil && !isCRL(data) {
			// A CRL is public and replaced on every run; overwriting it is
			// the point, but only a CRL.
			return nil, fmt.Errorf("%s %w and is not a CRL", o.Out, ErrOutExists)
		}
	}
	var res *CRLResult
	err := c.withLedger(func(l *ledger) error {
		if err := c.sameCert(); err != nil {
			return err
		}
		st := c.state(l, o.Now)
		var entries []x509.RevocationListEntry
		for _, e := range st.Entries {
			if !e.Current {
				continue
			}
			switch e.Status {
			case StatusRevoked:
				entries = append(entries, x509.RevocationListEntry{SerialNumber: e.Serial.Int, RevocationTime: *e.RevokedAt, ReasonCode: reasonCode(e.Reason)})
			case StatusBelowMin:
				entries = append(entries, x509.RevocationListEntry{SerialNumber: e.Serial.Int, RevocationTime: st.MinSetAt, ReasonCode: reasonCode("superseded")})
			}
		}
		number := l.crlNumber() + 1
		der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
			Number:                    big.NewInt(number),
			ThisUpdate:                o.Now.UTC().Truncate(time.Second),
			NextUpdate:                o.Now.AddDate(0, 0, o.Days).UTC().Truncate(time.Second),
			RevokedCertificateEntries: entries,
		}, c.Cert, c.Signer)
		if err != nil {
			return fmt.Errorf("signing the CRL: %w", err)
		}
		crl, err := x509.ParseRevocationList(der)
		if err != nil {
			return err
		}
		data := der
		if !o.DER {
			data = pemfile.Encode("X509 CRL", der)
		}
		m := l.mark()
		if err := l.appendLine(&journalLine{CRLNumber: number}); err != nil {
			return err
		}
		if o.Out != "" {
			err = safefile.Write(o.Out, data, safefile.Options{Perm: 0o644})
		} else if o.Writer != nil {
			_, err = o.Writer.Write(data)
		}
		if err != nil {
			if rerr := l.rollback(m); rerr != nil {
				return fmt.Errorf("%w (and CRL number %d stays spent: %v)", err, number, rerr)
			}
			return err
		}
		res = &CRLResult{CRL: crl, Data: data}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func isCRL(data []byte) bool {
	if pemfile.LooksLikePEM(data) {
		blocks, err := pemfile.Decode(data)
		return err == nil && len(blocks) > 0 && blocks[0].Type == "X509 CRL"
	}
	_, err := x509.ParseRevocationList(data)
	return err == nil
}

// Certificate returns the PEM of an issued certificate.
func (c *CA) Certificate(r *Record) ([]byte, error) {
	if !filepath.IsLocal(r.File) {
		return nil, fmt.Errorf("%s: the record of serial %s names %q, outside the CA directory", c.path(IndexFile), r.Serial, r.File)
	}
	return readFile(c.path(r.File))
}

// ResponderVersion identifies the current contents of the index and its
// journal (inode, size, modification time of each): cheap to check on every
// OCSP request to notice revocations and new certificates. Every write of
// the index replaces it by rename, so its inode changes even within one
// mtime tick; the journal only grows between index writes, which empty it.
func (c *CA) ResponderVersion() (string, error) {
	b := make([]byte, 0, 96)
	for _, name := range []string{IndexFile, JournalFile} {
		fi, err := os.Stat(c.path(name))
		if name == JournalFile && errors.Is(err, fs.ErrNotExist) {
			b = append(b, "/-"...)
			continue
		}
		if err != nil {
			return "", err
		}
		b = append(b, '/')
		b = strconv.AppendUint(b, inode(fi), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, fi.Size(), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, fi.ModTime().UnixNano(), 10)
	}
	return string(b), nil
}

// IssueResponder issues a delegated OCSP responder certificate (RFC 6960
// section 4.2.2.2) for a fresh P-256 key that lives only in memory: the
// CA key then signs once per validity period, not once per response. The
// certificate is recorded like anything else the CA issues.
func (c *CA) IssueResponder(now time.Time, validity time.Duration) (crypto.Signer, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "OCSP responder for " + c.Cert.Subject.CommonName},
	}, key)
	if err != nil {
		return nil, nil, err
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, nil, err
	}
	// Valid for validity (within --max-days), ending with the CA at the
	// latest.
	iss, err := c.Sign(csr, SignOptions{Profile: "ocsp", Now: now, lifetime: validity})
	if err != nil {
		return nil, nil, fmt.Errorf("issuing the responder certificate: %w", err)
	}
	return key, iss.Cert, nil
}
