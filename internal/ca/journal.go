package ca

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/trustctl/trustctl/internal/safefile"
)

// The journal (JournalFile) holds the records of what the CA signed since
// index.json was last written, one JSON object a line. Signing appends one
// line instead of rewriting the whole index, so it costs the same with ten
// records or a hundred thousand; the changes that need the whole index
// (revoke, min-serial, crl) write index.json with every record in it and
// then empty the journal. A reader takes index.json and adds the journal's
// records it does not hold yet, so a crash between those two steps only
// leaves records it already has.

// readIndex reads index.json and the records the journal adds to it.
func (c *CA) readIndex() (*index, error) {
	ix, err := readIndexFile(c.path(IndexFile))
	if err != nil {
		return nil, err
	}
	recs, err := readJournal(c.path(JournalFile))
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return ix, nil
	}
	have := make(map[string]bool, len(ix.Records))
	for _, r := range ix.Records {
		have[recordKey(r)] = true
	}
	for _, r := range recs {
		if k := recordKey(r); !have[k] {
			have[k] = true
			ix.Records = append(ix.Records, r)
		}
	}
	return ix, nil
}

func recordKey(r *Record) string { return r.CA + "/" + hexSerial(r.Serial.Int) }

// writeIndex writes the whole index, then empties the journal, whose
// records the index now holds.
func (c *CA) writeIndex(ix *index) error {
	if err := writeIndexFile(c.path(IndexFile), ix); err != nil {
		return err
	}
	f, err := os.OpenFile(c.path(JournalFile), os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.Size() == 0 {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	return f.Sync()
}

// readJournal returns the journal's records in order. A last line without
// its newline is what a crash in the middle of an append leaves: it is not
// a record, and the next append cuts it off.
func readJournal(path string) ([]*Record, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Record
	for n := 1; ; n++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return out, nil
		}
		line := data[:i]
		data = data[i+1:]
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		r := new(Record)
		if err := json.Unmarshal(line, r); err != nil || r.Serial.Int == nil {
			if err == nil {
				err = errors.New("no serial")
			}
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		out = append(out, r)
	}
}

// appendJournal adds one record to the journal and syncs it to disk.
func appendJournal(path string, r *Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	end := fi.Size()
	if end > 0 {
		var last [1]byte
		if _, err := f.ReadAt(last[:], end-1); err != nil {
			return err
		}
		if last[0] != '\n' {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			end = int64(bytes.LastIndexByte(data, '\n') + 1)
			if err := f.Truncate(end); err != nil {
				return err
			}
		}
	}
	if _, err := f.WriteAt(line, end); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if created {
		return safefile.SyncDir(filepath.Dir(path))
	}
	return nil
}
