package ca

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/trustctl/trustctl/internal/safefile"
)

// ledger is the CA's record as read, checked, under the directory's lock:
// index.json, the journal's lines and the serial counter (see the package
// documentation for how they relate).
type ledger struct {
	dir     string
	ix      *index
	lines   []*journalLine
	size    int64 // bytes of the journal that are whole lines
	torn    int64 // bytes of a torn last line after them (cut by recovery)
	exists  bool  // whether the journal file exists
	counter *big.Int
	// recs caches records(); every change to ix or lines drops it.
	recs []*Record
}

// journalLine is one line of the journal: a record (a certificate's state)
// or a spent CRL number.
type journalLine struct {
	*Record
	CRLNumber int64 `json:"crl_number,omitempty"`
}

func (l *ledger) path(name string) string { return filepath.Join(l.dir, name) }

// lockDir takes the CA directory's lock (see safefile.LockDir: on Unix a
// lock on the directory itself, which leaves no file behind) and removes
// the lock file earlier versions used, litter now.
func lockDir(dir string) (unlock func(), err error) {
	unlock, err = safefile.LockDir(dir)
	if err != nil {
		return nil, err
	}
	if err := os.Remove(filepath.Join(dir, legacyLockFile)); err == nil {
		safefile.SyncDir(dir)
	}
	return unlock, nil
}

// withLock runs fn holding the directory's lock.
func withLock(dir string, fn func() error) error {
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// withLedger runs fn under the lock on the recovered, checked record.
func (c *CA) withLedger(fn func(*ledger) error) error {
	return withLock(c.Dir, func() error {
		l, err := recoverDir(c.Dir)
		if err != nil {
			return err
		}
		if l == nil {
			return fmt.Errorf("%s: %w", c.Dir, ErrNotCA)
		}
		return fn(l)
	})
}

// readLedger reads and checks the record and the counter of dir. A torn
// last journal line is noted, not an error; anything else that does not
// read is.
func readLedger(dir string) (*ledger, error) {
	l, err := readRecord(dir)
	if err != nil {
		return nil, err
	}
	if l.counter, err = readCounter(l.path(SerialFile)); err != nil {
		return nil, err
	}
	return l, nil
}

// readRecord reads index.json and the journal.
func readRecord(dir string) (*ledger, error) {
	l := &ledger{dir: dir}
	var err error
	if l.ix, err = readIndexFile(l.path(IndexFile)); err != nil {
		return nil, err
	}
	data, err := readFile(l.path(JournalFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		l.exists = true
		if l.lines, l.size, err = parseJournal(l.path(JournalFile), data); err != nil {
			return nil, err
		}
		l.torn = int64(len(data)) - l.size
	}
	return l, nil
}

func readIndexFile(path string) (*index, error) {
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, corrupt(path, "missing (every CA directory has one; restore it from a backup)")
	}
	if err != nil {
		return nil, err
	}
	var ix index
	if err := json.Unmarshal(data, &ix); err != nil {
		return nil, corrupt(path, "%s", jsonProblem(err))
	}
	if ix.CRLNumber < 0 {
		return nil, corrupt(path, "negative CRL number %d", ix.CRLNumber)
	}
	seen := make(map[string]bool, len(ix.Records))
	for i, r := range ix.Records {
		if r == nil {
			return nil, corrupt(path, "record %d is empty", i+1)
		}
		if err := r.check(); err != nil {
			return nil, corrupt(path, "record %d: %v", i+1, err)
		}
		if r.State == StatePending {
			return nil, corrupt(path, "record %d is pending, which only the journal holds", i+1)
		}
		k := recordKey(r)
		if seen[k] {
			return nil, corrupt(path, "serial %s is recorded twice", hexSerial(r.Serial.Int))
		}
		seen[k] = true
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

// parseJournal returns the journal's lines and the length of the whole
// lines. A last line without its newline is what a kill in the middle of
// an append leaves: not a line, and left out of that length.
func parseJournal(path string, data []byte) ([]*journalLine, int64, error) {
	var out []*journalLine
	off := 0
	for n := 1; off < len(data); n++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			break
		}
		line := data[off : off+i]
		off += i + 1
		jl, err := parseJournalLine(line)
		if err != nil {
			return nil, 0, corrupt(path, "line %d: %v", n, err)
		}
		out = append(out, jl)
	}
	return out, int64(off), nil
}

func parseJournalLine(line []byte) (*journalLine, error) {
	jl := new(journalLine)
	if err := json.Unmarshal(line, jl); err != nil {
		return nil, errors.New(jsonProblem(err) + ": " + quoteStart(line))
	}
	switch {
	case jl.Record == nil && jl.CRLNumber <= 0:
		return nil, errors.New("neither a certificate nor a CRL number: " + quoteStart(line))
	case jl.Record != nil && jl.CRLNumber != 0:
		return nil, errors.New("both a certificate and a CRL number")
	case jl.Record != nil:
		if err := jl.Record.check(); err != nil {
			return nil, err
		}
	}
	return jl, nil
}

// jsonProblem says in words what encoding/json found, without its
// decoder's vocabulary.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON (at byte %d)", se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q has the wrong type", te.Field)
		}
		return "not a JSON object"
	}
	return err.Error()
}

func quoteStart(b []byte) string {
	s := string(b)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// readCounter reads the serial counter: the next serial, in hex.
func readCounter(path string) (*big.Int, error) {
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, corrupt(path, "the serial counter is missing (write the next serial into it, in hex, above every serial the CA issued)")
	}
	if err != nil {
		return nil, err
	}
	s := strings.TrimSpace(string(data))
	n, err := parseHexSerial(s)
	if err != nil {
		return nil, corrupt(path, "the serial counter holds no valid serial (%v)", err)
	}
	return n, nil
}

func writeCounter(path string, n *big.Int) error {
	return safefile.Write(path, []byte(hexSerial(n)+"\n"), safefile.Options{Perm: 0o644})
}

func recordKey(r *Record) string { return r.CA + "/" + hexSerial(r.Serial.Int) }

// records returns every record, oldest first: index.json's, then those
// the journal adds, each in its last state.
func (l *ledger) records() []*Record {
	if l.recs != nil {
		return l.recs
	}
	out := make([]*Record, len(l.ix.Records), len(l.ix.Records)+len(l.lines))
	copy(out, l.ix.Records)
	pos := make(map[string]int, cap(out))
	inIndex := make(map[string]bool, len(out))
	for i, r := range out {
		pos[recordKey(r)] = i
		inIndex[recordKey(r)] = true
	}
	for _, jl := range l.lines {
		if jl.Record == nil {
			continue
		}
		k := recordKey(jl.Record)
		if inIndex[k] {
			// index.json was written after this line.
			continue
		}
		if i, ok := pos[k]; ok {
			out[i] = jl.Record
			continue
		}
		pos[k] = len(out)
		out = append(out, jl.Record)
	}
	l.recs = out
	return out
}

// crlNumber is the last CRL number spent.
func (l *ledger) crlNumber() int64 {
	n := l.ix.CRLNumber
	for _, jl := range l.lines {
		n = max(n, jl.CRLNumber)
	}
	return n
}

// maxSerial is the highest serial in the record (nil when empty).
func (l *ledger) maxSerial() *big.Int {
	var m *big.Int
	for _, r := range l.records() {
		if m == nil || r.Serial.Cmp(m) > 0 {
			m = r.Serial.Int
		}
	}
	return m
}

// nextSerial is the serial the next certificate gets: the counter, or
// above every serial in the record if the counter lags (a kill after the
// record and before the counter), and past any file in issued/.
func (l *ledger) nextSerial() (*big.Int, error) {
	n := new(big.Int).Set(l.counter)
	if m := l.maxSerial(); m != nil && m.Cmp(n) >= 0 {
		n.Add(m, big.NewInt(1))
	}
	for {
		if n.Cmp(maxSerial) > 0 {
			return nil, fmt.Errorf("%s: the serial counter is exhausted (RFC 5280 allows 20 octets)", l.path(SerialFile))
		}
		_, err := os.Lstat(l.path(fileName(n)))
		if errors.Is(err, fs.ErrNotExist) {
			return n, nil
		}
		if err != nil {
			return nil, err
		}
		n.Add(n, big.NewInt(1))
	}
}

// appendLine adds one line to the journal and syncs it. On failure the
// journal is cut back to what it was.
func (l *ledger) appendLine(jl *journalLine) error {
	b, err := json.Marshal(jl)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	path := l.path(JournalFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(b, l.size)
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Truncate(l.size)
		f.Close()
		if !l.exists {
			os.Remove(path)
		}
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	if err := f.Close(); err != nil {
		return err
	}
	if !l.exists {
		if err := safefile.SyncDir(l.dir); err != nil {
			return err
		}
		l.exists = true
	}
	l.size += int64(len(b))
	l.lines = append(l.lines, jl)
	l.recs = nil
	return nil
}

// mark is where the journal stands, for [ledger.rollback].
type mark struct {
	size   int64
	lines  int
	exists bool
}

func (l *ledger) mark() mark { return mark{l.size, len(l.lines), l.exists} }

// rollback cuts the journal back to m: the lines appended since are gone,
// and a journal that did not exist is removed. It needs no free space.
func (l *ledger) rollback(m mark) error {
	path := l.path(JournalFile)
	if !m.exists {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		l.size, l.lines, l.exists, l.recs = 0, l.lines[:0], false, nil
		return safefile.SyncDir(l.dir)
	}
	if err := truncateFile(path, m.size); err != nil {
		return err
	}
	l.size, l.lines, l.recs = m.size, l.lines[:m.lines], nil
	return nil
}

func truncateFile(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}

// writeIndex writes the whole record into index.json, then empties the
// journal, whose lines index.json now holds.
func (l *ledger) writeIndex() error {
	ix := *l.ix
	ix.Records = l.records()
	ix.CRLNumber = l.crlNumber()
	if err := writeIndexFile(l.path(IndexFile), &ix); err != nil {
		return err
	}
	l.ix, l.recs = &ix, nil
	if l.size == 0 {
		return nil
	}
	if err := truncateFile(l.path(JournalFile), 0); err != nil {
		return err
	}
	l.size, l.lines = 0, nil
	return nil
}
