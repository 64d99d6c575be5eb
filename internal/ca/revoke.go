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
	"io/fs"
	"math/big"
	"os"
	"strconv"
	"strings"
	"time"
)

// Reasons are the CRLReason names of RFC 5280 section 5.3.1 with their
// codes (7 is unused).
var Reasons = map[string]int{
	"unspecified":          0,
	"keyCompromise":        1,
	"cACompromise":         2,
	"affiliationChanged":   3,
	"superseded":           4,
	"cessationOfOperation": 5,
	"certificateHold":      6,
	"removeFromCRL":        8,
	"privilegeWithdrawn":   9,
	"aACompromise":         10,
}

// ParseReason reads a reason name in any case, with or without dashes
// (key-compromise, keyCompromise, KEYCOMPROMISE), or its number.
func ParseReason(s string) (string, error) {
	norm := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(s))
	for name, code := range Reasons {
		if strings.ToLower(name) == norm || fmt.Sprint(code) == norm {
			if name == "removeFromCRL" {
				break
			}
			return name, nil
		}
	}
	return "", fmt.Errorf("unknown revocation reason %q (want unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, privilegeWithdrawn or aACompromise)", s)
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

// State is a consistent snapshot of the index.
type State struct {
	Entries   []Entry
	MinSerial *big.Int // nil when none was set
	MinSetAt  time.Time
	CRLNumber int64
}

// Records returns what the CA issued, oldest first, with each status at now.
func (c *CA) Records(now time.Time) (*State, error) {
	ix, err := c.readIndex()
	if err != nil {
		return nil, err
	}
	return c.state(ix, now), nil
}

func (c *CA) state(ix *index, now time.Time) *State {
	st := &State{CRLNumber: ix.CRLNumber}
	if ix.MinSerial != nil {
		st.MinSerial = ix.MinSerial.Int
		if ix.MinSetAt != nil {
			st.MinSetAt = *ix.MinSetAt
		}
	}
	fp := fingerprint(c.Cert.Raw)
	for _, r := range ix.Records {
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

// Revoke marks serial revoked for reason (a name from [Reasons]). A serial
// the CA never issued is [ErrUnknownSerial]; revoking again keeps the first
// revocation. Only the index changes.
func (c *CA) Revoke(serial *big.Int, reason string, now time.Time) (*Record, error) {
	if _, ok := Reasons[reason]; !ok {
		return nil, fmt.Errorf("unknown revocation reason %q", reason)
	}
	ix, unlock, err := c.lockIndex()
	if err != nil {
		return nil, err
	}
	defer unlock()
	fp := fingerprint(c.Cert.Raw)
	for _, r := range ix.Records {
		if r.CA != fp || r.Serial.Cmp(serial) != 0 {
			continue
		}
		if r.RevokedAt != nil {
			return r, nil
		}
		t := now.UTC().Truncate(time.Second)
		r.RevokedAt, r.Reason = &t, reason
		return r, c.writeIndex(ix)
	}
	return nil, fmt.Errorf("serial %s: %w", hexSerial(serial), ErrUnknownSerial)
}

// SetMinSerial makes every serial below min count as revoked (reason
// superseded, at now): the cluster-CA pattern of retiring everything
// issued before a point without listing it.
func (c *CA) SetMinSerial(min *big.Int, now time.Time) error {
	if min.Sign() <= 0 {
		return fmt.Errorf("the minimum serial must be positive")
	}
	ix, unlock, err := c.lockIndex()
	if err != nil {
		return err
	}
	defer unlock()
	t := now.UTC().Truncate(time.Second)
	ix.MinSerial, ix.MinSetAt = &Serial{min}, &t
	return c.writeIndex(ix)
}

// CRLOptions says how to write a CRL.
type CRLOptions struct {
	Days int // until nextUpdate; default 7
	Now  time.Time
}

// CRL signs a CRL (DER) listing every revoked certificate of the current
// CA, including those below the minimum serial, with the next CRL number
// (RFC 5280 section 5.2.3; the number is kept in the index).
func (c *CA) CRL(o CRLOptions) ([]byte, error) {
	if c.Signer == nil {
		return nil, fmt.Errorf("the CA key is not loaded")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Days == 0 {
		o.Days = 7
	}
	ix, unlock, err := c.lockIndex()
	if err != nil {
		return nil, err
	}
	defer unlock()
	st := c.state(ix, o.Now)
	var entries []x509.RevocationListEntry
	for _, e := range st.Entries {
		if !e.Current {
			continue
		}
		switch e.Status {
		case StatusRevoked:
			entries = append(entries, x509.RevocationListEntry{SerialNumber: e.Serial.Int, RevocationTime: *e.RevokedAt, ReasonCode: Reasons[e.Reason]})
		case StatusBelowMin:
			entries = append(entries, x509.RevocationListEntry{SerialNumber: e.Serial.Int, RevocationTime: st.MinSetAt, ReasonCode: Reasons["superseded"]})
		}
	}
	ix.CRLNumber++
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    big.NewInt(ix.CRLNumber),
		ThisUpdate:                o.Now.UTC().Truncate(time.Second),
		NextUpdate:                o.Now.AddDate(0, 0, o.Days).UTC().Truncate(time.Second),
		RevokedCertificateEntries: entries,
	}, c.Cert, c.Signer)
	if err != nil {
		return nil, fmt.Errorf("signing the CRL: %w", err)
	}
	if err := c.writeIndex(ix); err != nil {
		return nil, err
	}
	return der, nil
}

// Certificate returns the PEM of an issued certificate.
func (c *CA) Certificate(r *Record) ([]byte, error) { return os.ReadFile(c.path(r.File)) }

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
	end := now.Add(validity)
	if end.After(c.Cert.NotAfter) {
		end = c.Cert.NotAfter
	}
	iss, err := c.Sign(csr, SignOptions{Profile: "ocsp", Now: now, extra: func(t *x509.Certificate) {
		t.NotAfter = end.UTC().Truncate(time.Second)
	}})
	if err != nil {
		return nil, nil, fmt.Errorf("issuing the responder certificate: %w", err)
	}
	return key, iss.Cert, nil
}
