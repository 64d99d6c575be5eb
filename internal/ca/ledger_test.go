package ca

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func signN(t *testing.T, c *CA, n int) []*big.Int {
	t.Helper()
	var out []*big.Int
	for i := range n {
		iss, err := c.Sign(csrFor(t, nil, "j"+string(rune('a'+i))+".test"), SignOptions{Profile: "server", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, iss.Cert.SerialNumber)
	}
	return out
}

func journalLines(t *testing.T, c *CA) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(c.Dir, JournalFile))
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}

func indexFileRecords(t *testing.T, c *CA) int {
	t.Helper()
	ix, err := readIndexFile(filepath.Join(c.Dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	return len(ix.Records)
}

func statuses(t *testing.T, c *CA) map[string]Status {
	t.Helper()
	st, err := c.Records(now)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Status{}
	for _, e := range st.Entries {
		k := hexSerial(e.Serial.Int)
		if _, dup := out[k]; dup {
			t.Fatalf("serial %s listed twice", k)
		}
		out[k] = e.Status
	}
	return out
}

// TestJournalHoldsSignsUntilTheIndexIsWritten: signing appends two lines
// to the journal (pending, then issued); a revocation writes every record
// into index.json and empties the journal; the records read the same
// throughout.
func TestJournalHoldsSignsUntilTheIndexIsWritten(t *testing.T) {
	c := newCA(t, InitOptions{})
	serials := signN(t, c, 3)
	if got := journalLines(t, c); got != 6 {
		t.Errorf("journal has %d lines after 3 signs, want 6", got)
	}
	if got := indexFileRecords(t, c); got != 0 {
		t.Errorf("index.json has %d records after signing only, want 0", got)
	}
	if got := len(statuses(t, c)); got != 3 {
		t.Errorf("%d records, want 3", got)
	}
	if _, err := c.Revoke(serials[1], "keyCompromise", now); err != nil {
		t.Fatal(err)
	}
	if got := journalLines(t, c); got != 0 {
		t.Errorf("journal has %d lines after the index was written, want 0", got)
	}
	if got := indexFileRecords(t, c); got != 3 {
		t.Errorf("index.json has %d records, want 3", got)
	}
	signN(t, c, 1)
	st := statuses(t, c)
	if len(st) != 4 || st[hexSerial(serials[1])] != StatusRevoked || st[hexSerial(serials[0])] != StatusValid {
		t.Errorf("records after revoke and sign: %v", st)
	}
}

// TestJournalCrashBeforeEmptying: a crash after index.json was written
// but before the journal was emptied leaves records in both; each is read
// once, with the index's state (here, revoked).
func TestJournalCrashBeforeEmptying(t *testing.T) {
	c := newCA(t, InitOptions{})
	serials := signN(t, c, 2)
	journal := filepath.Join(c.Dir, JournalFile)
	before, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Revoke(serials[0], "superseded", now); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(journal, before, 0o644); err != nil {
		t.Fatal(err)
	}
	st := statuses(t, c)
	if len(st) != 2 || st[hexSerial(serials[0])] != StatusRevoked {
		t.Errorf("records after the crash: %v", st)
	}
}

// TestJournalTornLastLine: a crash in the middle of an append leaves a
// last line without its newline; the next command cuts it off.
func TestJournalTornLastLine(t *testing.T) {
	c := newCA(t, InitOptions{})
	signN(t, c, 2)
	journal := filepath.Join(c.Dir, JournalFile)
	f, err := os.OpenFile(journal, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"serial":"0A","subject":"CN=tor`)
	f.Close()
	if got := len(statuses(t, c)); got != 2 {
		t.Errorf("%d records with a torn last line, want 2", got)
	}
	signN(t, c, 1)
	if got := len(statuses(t, c)); got != 3 {
		t.Errorf("%d records after the next sign, want 3", got)
	}
	if data, _ := os.ReadFile(journal); strings.Contains(string(data), "CN=tor") {
		t.Errorf("the torn line is still in the journal:\n%s", data)
	}
}

// TestJournalDamagedLine: a damaged line that is not the last one is an
// error, not a silently shorter list.
func TestJournalDamagedLine(t *testing.T) {
	c := newCA(t, InitOptions{})
	signN(t, c, 1)
	journal := filepath.Join(c.Dir, JournalFile)
	data, _ := os.ReadFile(journal)
	if err := os.WriteFile(journal, append([]byte("not json\n"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Records(now); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("Records with a damaged journal: %v", err)
	}
}
