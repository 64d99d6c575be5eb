package ca

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/dn"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/secret"
)

// Finding is one item of a [Report].
type Finding struct {
	// Check names what was looked at: certificate, key, settings,
	// counter, record, issued, leftovers.
	Check string `json:"check"`
	OK    bool   `json:"ok"`
	// Skipped is set when the check could not be made (an encrypted key
	// and no passphrase); it does not fail the report.
	Skipped bool   `json:"skipped,omitempty"`
	Detail  string `json:"detail"`
}

// Report is what [Check] found.
type Report struct {
	Dir      string    `json:"dir"`
	Findings []Finding `json:"checks"`
}

// OK reports whether every check passed or was skipped.
func (r *Report) OK() bool {
	for _, f := range r.Findings {
		if !f.OK && !f.Skipped {
			return false
		}
	}
	return true
}

func (r *Report) add(check string, ok bool, format string, args ...any) {
	r.Findings = append(r.Findings, Finding{Check: check, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

// Check examines a CA directory without changing it: the CA certificate,
// the key matches it (password is asked only for an encrypted key; nil
// skips that check then), the settings, the counter is above every serial
// in the record, the record reads and names no serial twice, every issued
// certificate is in issued/ as recorded, and nothing is left of a killed
// command. It fails only for a directory that holds no CA or cannot be
// read, or a wrong passphrase; everything else is a finding.
func Check(dir string, password func() ([]byte, error), now time.Time) (*Report, error) {
	if !isCADir(dir) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotCA)
	}
	rep := &Report{Dir: dir}
	err := withLock(dir, func() error {
		c := &CA{Dir: dir}
		rep.checkLeftovers(dir)
		certOK := rep.checkCert(c)
		if certOK {
			if err := rep.checkKey(c, password); err != nil {
				return err
			}
		}
		rep.checkSettings(c, now)
		rep.checkRecord(dir)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func (r *Report) checkLeftovers(dir string) {
	var found []string
	if _, err := os.Lstat(filepath.Join(dir, PendingFile)); err == nil {
		found = append(found, PendingFile+" (a replacement of the CA, committed)")
	}
	for _, name := range ownFiles {
		real, err := safefile.Resolve(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		if slices.Contains(stageable, name) {
			if _, err := os.Lstat(stagedPath(real)); err == nil {
				found = append(found, filepath.Base(stagedPath(real))+" (staged, not committed)")
			}
		}
		des, _ := os.ReadDir(filepath.Dir(real))
		for _, de := range des {
			if safefile.IsTempOf(de.Name(), filepath.Base(real)) || safefile.IsTempOf(de.Name(), filepath.Base(stagedPath(real))) {
				found = append(found, de.Name()+" (temporary)")
			}
		}
	}
	des, _ := os.ReadDir(filepath.Join(dir, IssuedDir))
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") {
			found = append(found, filepath.Join(IssuedDir, de.Name())+" (temporary)")
		}
	}
	if len(found) == 0 {
		r.add("leftovers", true, "nothing left of an interrupted command")
		return
	}
	sort.Strings(found)
	r.add("leftovers", false, "left by an interrupted command, which the next ca command finishes or removes: %s", strings.Join(found, ", "))
}

func (r *Report) checkCert(c *CA) bool {
	data, err := readFile(c.path(CertFile))
	if err != nil {
		r.add("certificate", false, "%s: %v", CertFile, unwrapPath(err))
		return false
	}
	if c.Cert, err = parseCertPEM(data); err != nil {
		r.add("certificate", false, "%s does not read as a certificate: %v", CertFile, err)
		return false
	}
	if err := checkCACert(c.Cert); err != nil {
		r.add("certificate", false, "%v", err)
		return false
	}
	r.add("certificate", true, "%s, valid until %s", dn.Subject(c.Cert), c.Cert.NotAfter.UTC().Format("2006-01-02"))
	return true
}

func (r *Report) checkKey(c *CA, password func() ([]byte, error)) error {
	data, err := readFile(c.path(KeyFile))
	if err != nil {
		r.add("key", false, "%s: %v", KeyFile, unwrapPath(err))
		return nil
	}
	key, err := keys.Parse(data, password)
	switch {
	case errors.Is(err, keys.ErrNeedPassword):
		r.Findings = append(r.Findings, Finding{Check: "key", Skipped: true, Detail: KeyFile + " is encrypted; give its passphrase to check that it matches " + CertFile})
		return nil
	case errors.Is(err, secret.ErrWrongPassword):
		return fmt.Errorf("%s: %w", c.path(KeyFile), err)
	case err != nil:
		r.add("key", false, "%s does not read as a key: %v", KeyFile, err)
		return nil
	}
	if !keyMatches(key, c.Cert.PublicKey) {
		detail := ""
		if _, err := os.Lstat(c.path(PendingFile)); err == nil {
			detail = " (a replacement of the CA is under way: the next ca command finishes it)"
		}
		r.add("key", false, "%s does not match %s%s", KeyFile, CertFile, detail)
		return nil
	}
	r.add("key", true, "%s matches %s", KeyFile, CertFile)
	return nil
}

func (r *Report) checkSettings(c *CA, now time.Time) {
	data, err := readFile(c.path(ConfigFile))
	if err != nil {
		r.add("settings", false, "%s: %v", ConfigFile, unwrapPath(err))
		return
	}
	var cfg Config
	if err := json.Unmarshal(data, &cfg); err != nil {
		r.add("settings", false, "%s: %s", ConfigFile, jsonProblem(err))
		return
	}
	if err := cfg.check(now); err != nil {
		r.add("settings", false, "%s: %v", ConfigFile, err)
		return
	}
	limit := "no cap but the CA's own expiry"
	if cfg.MaxDays > 0 {
		limit = fmt.Sprintf("at most %d days", cfg.MaxDays)
	}
	r.add("settings", true, "issues for %d days, %s", cfg.IssueDays, limit)
}

// checkRecord reads the record as a command would, without recovering.
func (r *Report) checkRecord(dir string) {
	counter, cerr := readCounter(filepath.Join(dir, SerialFile))
	if cerr != nil {
		r.add("counter", false, "%v", cerr)
	}
	l, err := readRecord(dir)
	if err != nil {
		if cerr == nil {
			r.add("counter", true, "next serial %s (not held against the record, which does not read)", hexSerial(counter))
		}
		r.add("record", false, "%v", err)
		return
	}
	recs := l.records()
	var max *big.Int
	serials := map[string]int{}
	var pending, twice []string
	issued, void := 0, 0
	for _, rec := range recs {
		h := hexSerial(rec.Serial.Int)
		serials[h]++
		if serials[h] == 2 {
			twice = append(twice, h)
		}
		if max == nil || rec.Serial.Cmp(max) > 0 {
			max = rec.Serial.Int
		}
		switch rec.State {
		case StatePending:
			pending = append(pending, h)
		case StateVoid:
			void++
		default:
			issued++
		}
	}
	switch {
	case cerr != nil:
	case max != nil && counter.Cmp(max) <= 0:
		r.add("counter", false, "%s holds %s, not above serial %s in the record (the next ca command moves it)", SerialFile, hexSerial(counter), hexSerial(max))
	default:
		r.add("counter", true, "next serial %s", hexSerial(counter))
	}
	var problems []string
	if l.torn > 0 {
		problems = append(problems, fmt.Sprintf("%s ends with a torn line of %d bytes (the next ca command cuts it off)", JournalFile, l.torn))
	}
	if len(pending) > 0 {
		problems = append(problems, "serial(s) "+strings.Join(pending, ", ")+" were being delivered when a command stopped (the next ca command settles them)")
	}
	if len(twice) > 0 {
		problems = append(problems, "serial(s) "+strings.Join(twice, ", ")+" recorded twice")
	}
	if len(problems) > 0 {
		r.add("record", false, "%s", strings.Join(problems, "; "))
	} else {
		r.add("record", true, "%d issued, %d signed but not delivered, CRL number %d", issued, void, l.crlNumber())
	}
	r.checkIssued(dir, recs)
}

// checkIssued holds issued/ against the record: one file per issued
// certificate, holding it, and no other.
func (r *Report) checkIssued(dir string, recs []*Record) {
	var problems []string
	named := map[string]bool{}
	for _, rec := range recs {
		if rec.State == StatePending {
			// Its copy may be there or not; the record settles it.
			named[filepath.Base(rec.File)] = true
		}
		if rec.State != StateIssued {
			continue
		}
		named[filepath.Base(rec.File)] = true
		ok, _, err := holds(filepath.Join(dir, rec.File), rec.SHA256)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", rec.File, err))
		case !ok:
			if _, err := os.Stat(filepath.Join(dir, rec.File)); errors.Is(err, fs.ErrNotExist) {
				problems = append(problems, fmt.Sprintf("serial %s: %s is missing", hexSerial(rec.Serial.Int), rec.File))
			} else {
				problems = append(problems, fmt.Sprintf("serial %s: %s holds another certificate", hexSerial(rec.Serial.Int), rec.File))
			}
		}
	}
	des, _ := os.ReadDir(filepath.Join(dir, IssuedDir))
	for _, de := range des {
		if !strings.HasPrefix(de.Name(), ".") && !named[de.Name()] {
			problems = append(problems, fmt.Sprintf("%s is in no record", filepath.Join(IssuedDir, de.Name())))
		}
	}
	if len(problems) > 0 {
		r.add("issued", false, "%s", strings.Join(problems, "; "))
		return
	}
	r.add("issued", true, "every issued certificate is in %s/", IssuedDir)
}
