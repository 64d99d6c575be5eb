package ca

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/trustctl/trustctl/internal/safefile"
)

// legacyLockFile is the lock file of earlier versions.
const legacyLockFile = ".serial.lock"

var bigOne = big.NewInt(1)

// ownFiles are the files of a CA directory that are written by replacing
// them (temporary file, rename): a temporary file of one of them that is
// there while the lock is held was left by a killed command.
var ownFiles = []string{KeyFile, CertFile, CSRFile, ConfigFile, SerialFile, IndexFile, PendingFile}

// stageable are the files `ca init` replaces as one step.
var stageable = []string{KeyFile, CertFile, CSRFile, ConfigFile}

// stagedPath is where `ca init` stages the new content of target.
func stagedPath(real string) string {
	return filepath.Join(filepath.Dir(real), "."+filepath.Base(real)+".new")
}

// isCADir reports whether dir holds a CA, complete or under way.
func isCADir(dir string) bool {
	for _, f := range []string{CertFile, KeyFile, CSRFile, PendingFile} {
		if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// recoverDir finishes or undoes what a killed command left in dir (the
// lock held), and returns the checked record; nil when dir holds no CA.
// Every step is one the package documentation shows to be safe, so it
// happens silently; what is not safe to decide is an error.
func recoverDir(dir string) (*ledger, error) {
	if err := finishReplace(dir); err != nil {
		return nil, err
	}
	if err := removeTemps(dir); err != nil {
		return nil, err
	}
	if !isCADir(dir) {
		return nil, nil
	}
	l, err := readLedger(dir)
	if err != nil {
		return nil, err
	}
	if l.torn > 0 {
		if err := truncateFile(l.path(JournalFile), l.size); err != nil {
			return nil, err
		}
		l.torn = 0
	}
	var caPEM []byte
	if data, err := readFile(l.path(CertFile)); err == nil {
		caPEM = data
	}
	for _, r := range l.records() {
		if r.State == StatePending {
			if err := l.settle(r, caPEM); err != nil {
				return nil, err
			}
		}
	}
	if m := l.maxSerial(); m != nil && m.Cmp(l.counter) >= 0 {
		// Only a courtesy to readers of the file: nextSerial already goes
		// above the record, so a full disk here is no reason to fail.
		next := new(big.Int).Add(m, bigOne)
		if writeCounter(l.path(SerialFile), next) == nil {
			l.counter = next
		}
	}
	return l, nil
}

// replaceTxn is ca.pending: the files `ca init` replaces (each staged
// beside its target) and those it removes.
type replaceTxn struct {
	Replace []string `json:"replace"`
	Remove  []string `json:"remove,omitempty"`
}

// finishReplace completes a committed replacement (ca.pending exists) or
// drops the staged files of one that was not committed.
func finishReplace(dir string) error {
	pendPath := filepath.Join(dir, PendingFile)
	data, err := readFile(pendPath)
	if errors.Is(err, fs.ErrNotExist) {
		for _, name := range stageable {
			real, err := safefile.Resolve(filepath.Join(dir, name))
			if err != nil {
				return err
			}
			if err := os.Remove(stagedPath(real)); err == nil {
				safefile.SyncDir(filepath.Dir(real))
			}
		}
		return nil
	}
	if err != nil {
		return err
	}
	var t replaceTxn
	if err := json.Unmarshal(data, &t); err != nil {
		return corrupt(pendPath, "%s", jsonProblem(err))
	}
	for _, name := range append(slices.Clone(t.Replace), t.Remove...) {
		if !slices.Contains(stageable, name) {
			return corrupt(pendPath, "names %q, which ca init does not write", name)
		}
	}
	return t.apply(dir)
}

// apply renames each staged file over its target, removes what goes, and
// then ca.pending. Doing it again after a kill is harmless: a staged file
// that is gone was renamed already.
func (t *replaceTxn) apply(dir string) error {
	for _, name := range t.Replace {
		real, err := safefile.Resolve(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		staged := stagedPath(real)
		if _, err := os.Lstat(staged); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := os.Rename(staged, real); err != nil {
			return fmt.Errorf("replacing %s: %w", real, unwrapPath(err))
		}
		if err := safefile.SyncDir(filepath.Dir(real)); err != nil {
			return err
		}
	}
	for _, name := range t.Remove {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := safefile.SyncDir(dir); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, PendingFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return safefile.SyncDir(dir)
}

// removeTemps removes the temporary files a killed write of the CA's own
// files left: beside each of them (through symlinks) and in issued/.
func removeTemps(dir string) error {
	var temps []string
	for _, name := range ownFiles {
		real, err := safefile.Resolve(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		base := filepath.Base(real)
		staged := filepath.Base(stagedPath(real))
		des, _ := os.ReadDir(filepath.Dir(real))
		for _, de := range des {
			if safefile.IsTempOf(de.Name(), base) || safefile.IsTempOf(de.Name(), staged) {
				temps = append(temps, filepath.Join(filepath.Dir(real), de.Name()))
			}
		}
	}
	des, _ := os.ReadDir(filepath.Join(dir, IssuedDir))
	for _, de := range des {
		if base, ok := safefile.TempTarget(de.Name()); ok && strings.HasSuffix(base, ".pem") {
			temps = append(temps, filepath.Join(dir, IssuedDir, de.Name()))
		}
	}
	slices.Sort(temps)
	temps = slices.Compact(temps)
	for _, p := range temps {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// settle decides a pending certificate: delivered if its --out file holds
// it, void otherwise (see the package documentation).
func (l *ledger) settle(r *Record, caPEM []byte) error {
	copyPath := l.path(r.File)
	delivered, outPEM, err := holds(r.Out, r.SHA256)
	if err != nil {
		return fmt.Errorf("%s: cannot tell whether serial %s reached %s: %w", l.dir, hexSerial(r.Serial.Int), r.Out, err)
	}
	// What --out was given: the certificate, and the CA's after it.
	outData := func(certPEM []byte) []byte {
		if r.Chain {
			return append(slices.Clone(certPEM), caPEM...)
		}
		return certPEM
	}
	done := *r
	if delivered {
		if ok, _, _ := holds(copyPath, r.SHA256); !ok {
			if err := safefile.Write(copyPath, outPEM, safefile.Options{Perm: 0o644}); err != nil {
				return err
			}
		}
		// Where --out was delivered by a link (file systems without an
		// exclusive rename), a kill before the temporary name it was
		// linked from is removed leaves that name. It goes before the
		// record is settled, which ends the retries.
		if err := removeOutTemps(r.Out, outData(outPEM)); err != nil {
			return err
		}
		done.State = StateIssued
		return l.appendLine(&journalLine{Record: &done})
	}
	if ok, certPEM, _ := holds(copyPath, r.SHA256); ok {
		if r.Out != "" {
			if err := removeOutTemps(r.Out, outData(certPEM)); err != nil {
				return err
			}
		}
		if err := os.Remove(copyPath); err != nil {
			return err
		}
		if err := safefile.SyncDir(filepath.Dir(copyPath)); err != nil {
			return err
		}
	}
	done.State, done.File = StateVoid, ""
	return l.appendLine(&journalLine{Record: &done})
}

// holds reports whether the file at path starts with the certificate of
// that SHA-256 fingerprint, and returns that certificate in PEM. A file
// that does not exist does not hold it.
func holds(path, sha string) (bool, []byte, error) {
	if path == "" {
		return false, nil, nil
	}
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "CERTIFICATE" {
		return false, nil, nil
	}
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil || fingerprint(cert.Raw) != sha {
		return false, nil, nil
	}
	return true, pem.EncodeToMemory(b), nil
}

// removeOutTemps removes the temporary files beside out that a killed
// delivery left: those whose content is the start of what was being
// written (want), so that nothing else is touched.
func removeOutTemps(out string, want []byte) error {
	real, err := safefile.Resolve(out)
	if err != nil {
		return nil
	}
	dir, base := filepath.Dir(real), filepath.Base(real)
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, de := range des {
		if !safefile.IsTempOf(de.Name(), base) || !de.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, de.Name())
		data, err := readFile(p)
		if err != nil || len(data) > len(want) || !bytes.HasPrefix(want, data) {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return safefile.SyncDir(dir)
}
