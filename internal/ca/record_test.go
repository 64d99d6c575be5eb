package ca

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trustctl/trustctl/internal/testpki"
)

// signTo signs a fresh CSR into dir/name and returns the certificate.
func signTo(t *testing.T, c *CA, out string) *Issued {
	t.Helper()
	iss, err := c.Sign(csrFor(t, nil, "node.test"), SignOptions{Profile: "server", Now: now, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

// cutLastJournalLine drops the journal's last line, as a kill before it
// was written would have.
func cutLastJournalLine(t *testing.T, c *CA) {
	t.Helper()
	p := filepath.Join(c.Dir, JournalFile)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.LastIndexByte(data[:len(data)-1], '\n')
	if err := os.WriteFile(p, data[:i+1], 0o644); err != nil {
		t.Fatal(err)
	}
}

func setCounter(t *testing.T, c *CA, n *big.Int) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(c.Dir, SerialFile), []byte(hexSerial(n)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dotFiles lists the hidden files under dir: temporary, staged or lock
// files, none of which may outlive a command.
func dotFiles(t *testing.T, dirs ...string) []string {
	t.Helper()
	var out []string
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasPrefix(d.Name(), ".") && p != dir {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}

func mustCheck(t *testing.T, dir string) {
	t.Helper()
	rep, err := Check(dir, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("ca check fails: %+v", rep.Findings)
	}
}

func failedChecks(t *testing.T, dir string) []string {
	t.Helper()
	rep, err := Check(dir, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range rep.Findings {
		if !f.OK && !f.Skipped {
			out = append(out, f.Check)
		}
	}
	return out
}

// TestKilledSignIsSettled builds, by hand, what a kill leaves at each step
// of ca sign, and checks what the next command makes of it.
func TestKilledSignIsSettled(t *testing.T) {
	tests := []struct {
		name string
		// kill turns a finished sign into what a kill at some step left.
		kill      func(t *testing.T, c *CA, iss *Issued, out string)
		delivered bool
	}{
		{"after the pending line", func(t *testing.T, c *CA, iss *Issued, out string) {
			cutLastJournalLine(t, c)
			os.Remove(filepath.Join(c.Dir, iss.Record.File))
			os.Remove(out)
		}, false},
		{"while writing the copy", func(t *testing.T, c *CA, iss *Issued, out string) {
			cutLastJournalLine(t, c)
			copyPath := filepath.Join(c.Dir, iss.Record.File)
			os.Rename(copyPath, filepath.Join(c.Dir, IssuedDir, "."+filepath.Base(copyPath)+".tmp123"))
			os.Remove(out)
		}, false},
		{"while writing --out", func(t *testing.T, c *CA, iss *Issued, out string) {
			cutLastJournalLine(t, c)
			os.Rename(out, filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".tmp456"))
		}, false},
		{"half way through --out", func(t *testing.T, c *CA, iss *Issued, out string) {
			cutLastJournalLine(t, c)
			os.WriteFile(filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".tmp789"), iss.PEM[:100], 0o644)
			os.Remove(out)
		}, false},
		{"after --out", func(t *testing.T, c *CA, iss *Issued, out string) {
			cutLastJournalLine(t, c)
		}, true},
		{"after linking --out, before removing its temporary name", func(t *testing.T, c *CA, iss *Issued, out string) {
			cutLastJournalLine(t, c)
			if err := os.Link(out, filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".tmp-999999-123")); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"after --out, copy lost", func(t *testing.T, c *CA, iss *Issued, out string) {
			cutLastJournalLine(t, c)
			os.Remove(filepath.Join(c.Dir, iss.Record.File))
		}, true},
		{"before the counter", func(t *testing.T, c *CA, iss *Issued, out string) {}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCA(t, InitOptions{})
			outDir := t.TempDir()
			out := filepath.Join(outDir, "node.crt")
			iss := signTo(t, c, out)
			serial := iss.Cert.SerialNumber
			tt.kill(t, c, iss, out)
			setCounter(t, c, serial)

			st, err := c.Records(now)
			if err != nil {
				t.Fatal(err)
			}
			_, listed := st.Lookup(serial)
			if listed != tt.delivered {
				t.Errorf("listed = %v, want %v (delivered)", listed, tt.delivered)
			}
			if !tt.delivered && !slices.ContainsFunc(st.Unissued, func(n *big.Int) bool { return n.Cmp(serial) == 0 }) {
				t.Errorf("serial %v is not recorded as not issued: %v", serial, st.Unissued)
			}
			_, err = c.Revoke(serial, "superseded", now)
			if tt.delivered != (err == nil) {
				t.Errorf("revoke: %v (delivered %v)", err, tt.delivered)
			}
			if got := dotFiles(t, c.Dir, outDir); len(got) > 0 {
				t.Errorf("left behind: %v", got)
			}
			next := signTo(t, c, filepath.Join(outDir, "next.crt"))
			if next.Cert.SerialNumber.Cmp(serial) <= 0 {
				t.Errorf("next serial %v is not above %v", next.Cert.SerialNumber, serial)
			}
			mustCheck(t, c.Dir)
		})
	}
}

// TestTornPendingLineIsCut: a kill in the middle of the first append
// leaves part of a line and nothing else; the next command cuts it off.
func TestTornPendingLineIsCut(t *testing.T) {
	c := newCA(t, InitOptions{})
	signTo(t, c, "")
	p := filepath.Join(c.Dir, JournalFile)
	before, _ := os.ReadFile(p)
	if err := os.WriteFile(p, append(slices.Clone(before), `{"serial":"0B","subj`...), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := failedChecks(t, c.Dir); !slices.Equal(got, []string{"record"}) {
		t.Errorf("ca check before the next command fails %v, want [record]", got)
	}
	if _, err := c.Records(now); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(p); !bytes.Equal(after, before) {
		t.Errorf("the torn line was not cut off:\n%s", after)
	}
	mustCheck(t, c.Dir)
}

// failingWriter fails every write, as a closed standard output does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// TestFailedSignLeavesDirectory: a sign that cannot deliver takes back
// everything it wrote; one that fails on standard output (after the
// record) records its serial as not issued.
func TestFailedSignLeavesDirectory(t *testing.T) {
	c := newCA(t, InitOptions{})
	signTo(t, c, "")
	outDir := t.TempDir()
	// A directory where the certificate should go: the write fails after
	// the pending line and the copy.
	blocked := filepath.Join(outDir, "blocked.crt")
	if err := os.Mkdir(blocked, 0o755); err != nil {
		t.Fatal(err)
	}
	before := hashDir(t, c.Dir)
	_, err := c.Sign(csrFor(t, nil, "x.test"), SignOptions{Profile: "server", Now: now, Out: blocked, Force: true})
	if err == nil {
		t.Fatal("signing into a directory succeeded")
	}
	if hashDir(t, c.Dir) != before {
		t.Error("a failed sign changed the CA directory")
	}
	if got := dotFiles(t, c.Dir, outDir); len(got) > 0 {
		t.Errorf("left behind: %v", got)
	}

	_, err = c.Sign(csrFor(t, nil, "y.test"), SignOptions{Profile: "server", Now: now, Deliver: func(iss *Issued) error {
		_, err := failingWriter{}.Write(iss.PEM)
		return err
	}})
	if err == nil || !strings.Contains(err.Error(), "recorded as not issued") {
		t.Fatalf("sign to a broken output: %v", err)
	}
	st, err := c.Records(now)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Entries) != 1 || len(st.Unissued) != 1 {
		t.Errorf("%d issued, %d unissued; want 1 and 1", len(st.Entries), len(st.Unissued))
	}
	mustCheck(t, c.Dir)
}

// TestCorruptRecordIsAnError: a damaged counter or record line stops
// every command, with the file and the problem named, and nothing changes.
func TestCorruptRecordIsAnError(t *testing.T) {
	tests := []struct {
		name, file, content, want string
		append                    bool
	}{
		{"800-bit counter", SerialFile, strings.Repeat("AB", 100) + "\n", "200 hex digits", false},
		{"counter not hex", SerialFile, "next one\n", "not hex", false},
		{"counter zero", SerialFile, "00\n", "must be positive", false},
		{"counter negative", SerialFile, "-0A\n", "not hex", false},
		{"counter empty", SerialFile, "", "empty", false},
		{"garbage line", JournalFile, "garbage\n", "line 3: not valid JSON", true},
		{"line without serial", JournalFile, `{"subject":"CN=x"}` + "\n", "line 3: no serial", true},
		{"serial of 21 octets", JournalFile, `{"serial":"` + strings.Repeat("7F", 21) + `","ca":"x","sha256":"y","not_after":"2030-01-01T00:00:00Z","file":"f"}` + "\n", "line 3: serial", true},
		{"unknown state", JournalFile, `{"serial":"0A","ca":"x","sha256":"y","not_after":"2030-01-01T00:00:00Z","file":"f","state":"maybe"}` + "\n", `unknown state "maybe"`, true},
		{"index not JSON", IndexFile, "{records: 1}", "not valid JSON", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCA(t, InitOptions{})
			signTo(t, c, "")
			p := filepath.Join(c.Dir, tt.file)
			data := []byte(tt.content)
			if tt.append {
				old, _ := os.ReadFile(p)
				data = append(old, data...)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			before := hashDir(t, c.Dir)
			out := filepath.Join(t.TempDir(), "x.crt")
			_, err := c.Sign(csrFor(t, nil, "x.test"), SignOptions{Profile: "server", Now: now, Out: out})
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("sign: %v; want a corrupt %s with %q", err, p, tt.want)
			}
			if _, err := c.Records(now); !errors.Is(err, ErrCorrupt) {
				t.Errorf("records: %v", err)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a certificate was delivered")
			}
			if hashDir(t, c.Dir) != before {
				t.Error("the CA directory changed")
			}
			if got := failedChecks(t, c.Dir); len(got) != 1 {
				t.Errorf("ca check fails %v, want one check", got)
			}
		})
	}
}

// TestKilledInitIsFinishedOrUndone: ca init --force stages the new files,
// commits with ca.pending, then renames. Whatever a kill leaves, the next
// command finds a key that matches its certificate: the old pair before
// the commit, the new pair after it.
func TestKilledInitIsFinishedOrUndone(t *testing.T) {
	tests := []struct {
		name    string
		staged  []string // files left staged (.NAME.new)
		renamed []string // files already renamed into place
		commit  bool
		wantNew bool
	}{
		{"while staging", []string{KeyFile}, nil, false, false},
		{"staged, not committed", []string{KeyFile, CertFile, ConfigFile}, nil, false, false},
		{"committed", []string{KeyFile, CertFile, ConfigFile}, nil, true, true},
		{"key renamed", []string{CertFile, ConfigFile}, []string{KeyFile}, true, true},
		{"all renamed", nil, []string{KeyFile, CertFile, ConfigFile}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCA(t, InitOptions{})
			signTo(t, c, "")
			other := newCA(t, InitOptions{Subject: name("CN=New Root")})
			for _, f := range tt.staged {
				data, _ := os.ReadFile(filepath.Join(other.Dir, f))
				os.WriteFile(stagedPath(filepath.Join(c.Dir, f)), data, 0o600)
			}
			for _, f := range tt.renamed {
				data, _ := os.ReadFile(filepath.Join(other.Dir, f))
				os.WriteFile(filepath.Join(c.Dir, f), data, 0o600)
			}
			if tt.commit {
				os.WriteFile(filepath.Join(c.Dir, PendingFile), []byte(`{"replace":["ca.key","ca.crt","ca.json"],"remove":["ca.csr"]}`), 0o600)
			}
			o, err := Open(c.Dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := o.LoadKey(nil); err != nil {
				t.Fatalf("the key does not match the certificate: %v", err)
			}
			if got := o.Cert.Equal(other.Cert); got != tt.wantNew {
				t.Errorf("new CA in place = %v, want %v", got, tt.wantNew)
			}
			if got := dotFiles(t, c.Dir); len(got) > 0 {
				t.Errorf("left behind: %v", got)
			}
			if _, err := os.Stat(filepath.Join(c.Dir, PendingFile)); err == nil {
				t.Error("ca.pending is still there")
			}
			if st, _ := o.Records(now); len(st.Entries) != 1 {
				t.Errorf("the record lost its entry: %+v", st)
			}
			mustCheck(t, c.Dir)
		})
	}
}

// TestFailedCRLLeavesDirectory: a CRL that cannot be written spends no
// CRL number.
func TestFailedCRLLeavesDirectory(t *testing.T) {
	c := newCA(t, InitOptions{})
	signTo(t, c, "")
	if _, err := c.CRL(CRLOptions{Now: now}); err != nil {
		t.Fatal(err)
	}
	blocked := filepath.Join(t.TempDir(), "ca.crl")
	os.Mkdir(blocked, 0o755)
	before := hashDir(t, c.Dir)
	for _, o := range []CRLOptions{{Now: now, Out: blocked, Force: true}, {Now: now, Writer: failingWriter{}}} {
		if _, err := c.CRL(o); err == nil {
			t.Fatalf("CRL %+v succeeded", o)
		}
		if hashDir(t, c.Dir) != before {
			t.Errorf("a failed CRL (%+v) changed the CA directory", o)
		}
	}
	res, err := c.CRL(CRLOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.CRL.Number.Int64() != 2 {
		t.Errorf("CRL number %v after one good CRL and two failed ones, want 2", res.CRL.Number)
	}
}

// TestSecondRunChangesNothing: revoking and setting the minimum serial a
// second time report no change and leave the files byte-identical.
func TestSecondRunChangesNothing(t *testing.T) {
	c := newCA(t, InitOptions{})
	iss := signTo(t, c, "")
	r, err := c.Revoke(iss.Cert.SerialNumber, "keyCompromise", now)
	if err != nil || !r.Changed {
		t.Fatalf("revoke: %+v, %v", r, err)
	}
	ch, err := c.ApplyMinSerial(iss.Cert.SerialNumber, now)
	if err != nil || !ch.Changed {
		t.Fatalf("min serial: %+v, %v", ch, err)
	}
	before := hashDir(t, c.Dir)
	if r, err := c.Revoke(iss.Cert.SerialNumber, "superseded", now.Add(3600e9)); err != nil || r.Changed || r.Reason != "keyCompromise" {
		t.Errorf("second revoke: %+v, %v", r, err)
	}
	if ch, err := c.ApplyMinSerial(iss.Cert.SerialNumber, now.Add(3600e9)); err != nil || ch.Changed {
		t.Errorf("second min serial: %+v, %v", ch, err)
	}
	if hashDir(t, c.Dir) != before {
		t.Error("the second runs changed the directory")
	}
}

// TestMinSerialOnlyGoesUp: a minimum below the one set is refused and
// changes nothing, so what the higher one retired stays revoked for ca
// list, the CRL and the OCSP responder.
func TestMinSerialOnlyGoesUp(t *testing.T) {
	c := newCA(t, InitOptions{})
	first, second := signTo(t, c, ""), signTo(t, c, "")
	if _, err := c.ApplyMinSerial(second.Cert.SerialNumber, now); err != nil {
		t.Fatal(err)
	}
	before := hashDir(t, c.Dir)
	if _, err := c.ApplyMinSerial(first.Cert.SerialNumber, now); !errors.Is(err, ErrMinSerialDown) {
		t.Errorf("lowering the minimum: %v, want ErrMinSerialDown", err)
	}
	if hashDir(t, c.Dir) != before {
		t.Error("the refused minimum changed the directory")
	}
	st, err := c.Records(now)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := st.Lookup(first.Cert.SerialNumber); !ok || e.Status != StatusBelowMin {
		t.Errorf("the retired certificate: %+v; want it below the minimum", e)
	}
}

// TestMinSerialAboveCounterRaisesIt: what the CA signs after a minimum
// above its counter is not revoked at birth.
func TestMinSerialAboveCounterRaisesIt(t *testing.T) {
	c := newCA(t, InitOptions{})
	first := signTo(t, c, "")
	min := new(big.Int).Add(first.Cert.SerialNumber, big.NewInt(1000))
	ch, err := c.ApplyMinSerial(min, now)
	if err != nil || !ch.CounterRaised || ch.Below != 1 {
		t.Fatalf("min serial: %+v, %v", ch, err)
	}
	next := signTo(t, c, "")
	if next.Cert.SerialNumber.Cmp(min) != 0 {
		t.Errorf("next serial %v, want the minimum %v", next.Cert.SerialNumber, min)
	}
	st, _ := c.Records(now)
	if e, _ := st.Lookup(next.Cert.SerialNumber); e.Status != StatusValid {
		t.Errorf("the next certificate is %s", e.Status)
	}
}

// TestMinSerialCountsWhatListShows: the count a minimum reports is what
// Records then reports below it, a previous CA's certificates included.
func TestMinSerialCountsWhatListShows(t *testing.T) {
	c := newCA(t, InitOptions{})
	signTo(t, c, "")
	signTo(t, c, "")
	c, err := Init(c.Dir, InitOptions{Subject: name("CN=Again"), PathLen: -1, Force: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.LoadKey(nil); err != nil {
		t.Fatal(err)
	}
	third := signTo(t, c, "")
	ch, err := c.ApplyMinSerial(third.Cert.SerialNumber, now)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Records(now)
	if err != nil {
		t.Fatal(err)
	}
	below, previous := 0, 0
	for _, e := range st.Entries {
		if e.Status == StatusBelowMin {
			below++
			if !e.Current {
				previous++
			}
		}
	}
	if below != 2 || previous != 2 {
		t.Fatalf("Records shows %d below the minimum, %d of a previous CA; want 2 and 2", below, previous)
	}
	if ch.Below != below || ch.BelowPrevious != previous {
		t.Errorf("min serial reported %d below (%d of a previous CA), Records shows %d (%d)", ch.Below, ch.BelowPrevious, below, previous)
	}
}

// TestBounds: numbers of days, path lengths and serials outside what the
// contract and RFC 5280 allow are refused before anything is written.
func TestBounds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	for _, o := range []InitOptions{
		{Days: -5}, {Days: MaxDays(now) + 1}, {Days: 1 << 40},
		{PathLen: -5}, {PathLen: MaxPathLen + 1},
		{Config: Config{IssueDays: -1}}, {Config: Config{IssueDays: 1 << 40}},
		{Config: Config{IssueDays: 30, MaxDays: 20}}, {Config: Config{MaxDays: -1}},
	} {
		o.Subject, o.Now = name("CN=Bounds"), now
		if o.PathLen == 0 {
			o.PathLen = -1
		}
		if _, err := Init(dir, o); err == nil {
			t.Errorf("Init with %+v succeeded", o)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Fatalf("a refused Init (%+v) created the directory", o)
		}
	}
	c := newCA(t, InitOptions{})
	before := hashDir(t, c.Dir)
	for _, days := range []int{-1, MaxDays(now) + 1, 1<<63 - 1} {
		iss, err := c.Sign(csrFor(t, nil, "a.test"), SignOptions{Profile: "server", Now: now, Days: days})
		if !errors.Is(err, ErrValidity) {
			t.Errorf("sign for %d days: %v, %v", days, iss, err)
		}
	}
	if _, err := c.CRL(CRLOptions{Now: now, Days: 1 << 40}); !errors.Is(err, ErrValidity) {
		t.Errorf("CRL for 2^40 days: %v", err)
	}
	for _, s := range []string{"00", "0", strings.Repeat("FF", 20), strings.Repeat("01", 21), "zz", ""} {
		if n, err := ParseSerial(s); err == nil {
			t.Errorf("ParseSerial(%q) = %v", s, n)
		}
		if n, _ := new(big.Int).SetString(s, 16); n != nil {
			if _, err := c.ApplyMinSerial(n, now); err == nil {
				t.Errorf("min serial %s accepted", s)
			}
		}
	}
	if n, err := ParseSerial("7F:" + strings.Repeat("FF:", 18) + "FF"); err != nil || n.BitLen() != 159 {
		t.Errorf("the largest serial: %v, %v", n, err)
	}
	if hashDir(t, c.Dir) != before {
		t.Error("refused requests changed the CA directory")
	}
}

// TestSignWarnings: a descriptive CN without a SAN is signed as asked
// (IRIS-style instance names), with a warning; a CSR that asks for CA:TRUE
// under an end-entity profile is told that the profile wins.
func TestSignWarnings(t *testing.T) {
	c := newCA(t, InitOptions{})
	caReq := func() *x509.CertificateRequest {
		val, _ := asn1.Marshal(struct{ IsCA bool }{true})
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
			Subject:         name("CN=sneaky.test"),
			DNSNames:        []string{"sneaky.test"},
			ExtraExtensions: []pkix.Extension{{Id: oidBasicConstraints, Critical: true, Value: val}},
		}, testpki.ECKey(t))
		if err != nil {
			t.Fatal(err)
		}
		csr, _ := x509.ParseCertificateRequest(der)
		return csr
	}
	tests := []struct {
		name    string
		csr     *x509.CertificateRequest
		profile string
		want    []string
	}{
		{"descriptive CN, server-client", csrFor(t, nil, "IRIS Production Instance"), "server-client", []string{"CN=IRIS Production Instance is not a host name", "server-client"}},
		{"descriptive CN, server", csrFor(t, nil, "Payroll Service"), "server", []string{"not a host name"}},
		{"descriptive CN, client", csrFor(t, nil, "Payroll Service"), "client", nil},
		{"host name CN", csrFor(t, nil, "www.example.com"), "server", nil},
		{"CA:TRUE asked, server", caReq(), "server", []string{"asks for CA:TRUE", "server profile", "CA:FALSE"}},
		{"CA:TRUE asked, intermediate", caReq(), "intermediate", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, err := c.Sign(tt.csr, SignOptions{Profile: tt.profile, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if got := iss.Cert.Subject.String(); got != tt.csr.Subject.String() {
				t.Errorf("subject %q, want %q as asked", got, tt.csr.Subject)
			}
			all := strings.Join(iss.Warnings, "\n")
			if len(tt.want) == 0 && all != "" {
				t.Errorf("unexpected warnings: %s", all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("warnings %q lack %q", all, w)
				}
			}
			if tt.profile != "intermediate" && iss.Cert.IsCA {
				t.Error("an end-entity profile issued a CA certificate")
			}
		})
	}
}

// TestCheckFinds: each kind of damage fails its own check.
func TestCheckFinds(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, c *CA, iss *Issued)
		want   string
	}{
		{"another key", func(t *testing.T, c *CA, iss *Issued) {
			other := newCA(t, InitOptions{})
			data, _ := os.ReadFile(filepath.Join(other.Dir, KeyFile))
			os.WriteFile(filepath.Join(c.Dir, KeyFile), data, 0o600)
		}, "key"},
		{"copy missing", func(t *testing.T, c *CA, iss *Issued) {
			os.Remove(filepath.Join(c.Dir, iss.Record.File))
		}, "issued"},
		{"copy of another certificate", func(t *testing.T, c *CA, iss *Issued) {
			os.WriteFile(filepath.Join(c.Dir, iss.Record.File), c.CertPEM(), 0o644)
		}, "issued"},
		{"file in no record", func(t *testing.T, c *CA, iss *Issued) {
			os.WriteFile(filepath.Join(c.Dir, IssuedDir, "0A.pem"), iss.PEM, 0o644)
		}, "issued"},
		{"counter below a serial", func(t *testing.T, c *CA, iss *Issued) {
			setCounter(t, c, iss.Cert.SerialNumber)
		}, "counter"},
		{"temporary file", func(t *testing.T, c *CA, iss *Issued) {
			os.WriteFile(filepath.Join(c.Dir, ".index.json.tmp42"), nil, 0o644)
		}, "leftovers"},
		{"serial twice", func(t *testing.T, c *CA, iss *Issued) {
			p := filepath.Join(c.Dir, JournalFile)
			data, _ := os.ReadFile(p)
			line := strings.Replace(strings.SplitAfter(string(data), "\n")[1], `"ca":"`, `"ca":"00`, 1)
			os.WriteFile(p, append(data, line...), 0o644)
		}, "record"},
		{"settings", func(t *testing.T, c *CA, iss *Issued) {
			os.WriteFile(filepath.Join(c.Dir, ConfigFile), []byte(`{"issue_days": -3}`), 0o644)
		}, "settings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCA(t, InitOptions{})
			iss := signTo(t, c, "")
			mustCheck(t, c.Dir)
			tt.damage(t, c, iss)
			before := hashDir(t, c.Dir)
			if got := failedChecks(t, c.Dir); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("failed checks %v, want [%s]", got, tt.want)
			}
			if hashDir(t, c.Dir) != before {
				t.Error("ca check changed the directory")
			}
		})
	}
	if _, err := Check(t.TempDir(), nil, now); !errors.Is(err, ErrNotCA) {
		t.Errorf("check of an empty directory: %v", err)
	}
}

// TestNoLockFile: commands leave no lock or temporary file behind.
func TestNoLockFile(t *testing.T) {
	c := newCA(t, InitOptions{})
	iss := signTo(t, c, "")
	c.Revoke(iss.Cert.SerialNumber, "superseded", now)
	c.CRL(CRLOptions{Now: now})
	Init(c.Dir, InitOptions{Subject: name("CN=Again"), PathLen: -1, Force: true, Now: now})
	if got := dotFiles(t, c.Dir); len(got) > 0 {
		t.Errorf("left behind: %v", got)
	}
}

func FuzzParseJournalLine(f *testing.F) {
	for _, s := range []string{
		`{"serial":"0A","ca":"AB","sha256":"CD","not_after":"2030-01-01T00:00:00Z","file":"issued/0A.pem"}`,
		`{"serial":"0A","ca":"AB","sha256":"CD","not_after":"2030-01-01T00:00:00Z","state":"void"}`,
		`{"crl_number":3}`, `{"crl_number":-3}`, `garbage`, `{}`, `{"serial":"00"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		jl, err := parseJournalLine(b)
		if err != nil {
			return
		}
		if jl.Record != nil {
			if err := CheckSerial(jl.Serial.Int); err != nil {
				t.Fatalf("accepted serial %v: %v", jl.Serial.Int, err)
			}
			return
		}
		if jl.CRLNumber <= 0 {
			t.Fatalf("accepted CRL number %d", jl.CRLNumber)
		}
	})
}

func FuzzCounter(f *testing.F) {
	for _, s := range []string{"0A00\n", "6B130EA00000", "", "00", "-1", strings.Repeat("F", 41), " 0a \n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseHexSerial(strings.TrimSpace(s))
		if err != nil {
			return
		}
		if CheckSerial(n) != nil {
			t.Fatalf("accepted %q as %v", s, n)
		}
		back, err := parseHexSerial(hexSerial(n))
		if err != nil || back.Cmp(n) != 0 {
			t.Fatalf("%q -> %v -> %v, %v", s, n, back, err)
		}
	})
}
