// Package expiry finds every certificate in files, stores, directory trees,
// CA directories and TLS endpoints, and reports when each one expires,
// soonest first. It is built for whole estates run from cron or a
// configuration tool: a source that cannot be read (a file without
// permission, a store the password does not open, an endpoint that does
// not answer) becomes a row of its own with the reason, and every other
// source is still reported.
//
// Directories are walked recursively, following symbolic links as
// `find -L` does: a file reached through several links is read once, a
// link back into a directory being walked is reported as a loop and not
// entered again, and a subdirectory that cannot be read is reported while
// the walk goes on. Hidden files and directories (a name starting with a
// dot) are passed over, as elsewhere in trustctl, and so are files that
// hold no certificate.
//
// Files are read and parsed on every CPU; only what the report needs of
// each certificate is kept, so a tree of tens of thousands of files costs
// little memory. Endpoints are dialled through [probe.Probe] (STARTTLS
// included), several at a time, each within its own timeout.
//
// It leaves out: printing (internal/cli does that), verification of what
// it finds (see internal/chain and trustctl verify), and CRLs.
package expiry

import (
	"cmp"
	"context"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/probe"
	"github.com/trustctl/trustctl/internal/store"
)

// Options say how to read the sources and what to decide.
type Options struct {
	// Password opens the stores among the sources (one for all). A JKS
	// store it does not open is read without it, unverified, with a note.
	Password     []byte
	HavePassword bool
	// Within marks certificates that expire before Now+Within as
	// expiring; HaveWithin false marks none.
	Within     time.Duration
	HaveWithin bool
	// Now is the time days are counted from; zero means time.Now().
	Now time.Time

	// Endpoint options: the name to send (empty: the host, or the name
	// given in a targets file), STARTTLS, the timeout of each endpoint
	// (zero: probe.DefaultTimeout), and how many are dialled at once
	// (below 1: [DefaultConcurrency]).
	ServerName  string
	StartTLS    string
	Timeout     time.Duration
	Concurrency int
	// Stdin is read for the source "-" (at most [MaxStdin] bytes).
	Stdin io.Reader
	// Detail keeps each certificate's [Detail], which a JSON document and
	// the metrics need; without it a report keeps little more than a
	// table's rows.
	Detail bool
	// Progress, when set, is called after each file or endpoint is done,
	// never twice at once, with the count done and the total (known once
	// the directories have been walked).
	Progress func(done, total int)
}

// DefaultConcurrency is how many endpoints are dialled at once when
// Options.Concurrency is not set.
const DefaultConcurrency = probe.DefaultConcurrency

// MaxFileSize bounds a file expiry reads: one met in a walk is passed
// over with a note, one named on the command line is a source that could
// not be read. It is a quarter of what other commands read from one file
// (safefile.MaxSize): a walk meets every large file of a tree, most of
// them no certificates at all, and reads several at once, so the lower
// bound keeps what a run over /etc or /var can hold in memory to a few
// times 64 MiB. A store of some 40,000 certificates is still under it.
const MaxFileSize = 64 << 20

// MaxStdin bounds what is read from standard input for the source "-".
const MaxStdin = 256 << 20

// Cert is one certificate found: only what a report needs, so that
// tens of thousands of them stay small.
type Cert struct {
	// Origin is where it was found as people read it: the file, the
	// store and alias (file#alias), or the endpoint HOST:PORT.
	Origin   string
	Subject  string
	NotAfter time.Time
	DaysLeft int
	// Expiring is set when Options.HaveWithin and the certificate
	// expires before Now+Within (or has expired).
	Expiring bool
	// source is the index of the job that found it: the certificates
	// are collected as the jobs finish, and sorted into the order of
	// the sources (within one expiry date) by it. It fits in the padding
	// after Expiring.
	source uint32
	// Detail is kept only with Options.Detail.
	*Detail
}

// Detail is what a JSON document or the metrics say of a certificate
// beyond the table.
type Detail struct {
	// Path is the file (or endpoint) it was read from, Alias its store
	// entry ("" outside stores).
	Path, Alias string
	Issuer      string
	Serial      *big.Int
	NotBefore   time.Time
	SHA256      [32]byte
	// Names are the subject's and issuer's attributes the metrics label
	// series with.
	Names Names
}

// Names are the first C, ST, L, O, OU and CN of a certificate's subject
// and issuer, in that order.
type Names struct {
	Subject, Issuer [6]string
}

// Unreadable is a source, or part of one, that could not be read.
type Unreadable struct {
	Source string
	Err    error
}

// Reason says in words why the source could not be read.
func (u Unreadable) Reason() string {
	var (
		pe   *probe.Error
		path *fs.PathError
	)
	switch {
	case errors.Is(u.Err, store.ErrWrongPassword):
		return "the password given does not open this store"
	case errors.Is(u.Err, errNeedPassword):
		return "this store needs its password (pass --password)"
	case errors.As(u.Err, &pe):
		return pe.Op + ": " + pe.Err.Error()
	case errors.As(u.Err, &path) && path.Path == u.Source:
		return path.Err.Error()
	}
	// The source is shown beside the reason: not twice.
	return strings.TrimPrefix(u.Err.Error(), u.Source+": ")
}

var errNeedPassword = errors.New("needs a password")

// Report is the result of [Run].
type Report struct {
	// Certs are the certificates found, soonest expiry first.
	Certs []Cert
	// Unreadable lists what could not be read, in the order of the
	// sources.
	Unreadable []Unreadable
	// Notes say what was passed over or read with less checking.
	Notes []string
	// Expiring counts the certificates marked Expiring.
	Expiring int
	// Files, Endpoints and PassedOver count what was read: files read,
	// endpoints dialled, files without certificates.
	Files, Endpoints, PassedOver int
	Now                          time.Time
}

// Run reads every source: paths (files, directories, CA directories, "-"
// for standard input, or HOST:PORT when no such file exists) and
// endpoints (from a targets file). A source that cannot be read is in
// Report.Unreadable; the error is for bad input that makes the whole run
// meaningless (a path that is not a file, directory or endpoint, such as
// a FIFO or a device, given on the command line).
func Run(ctx context.Context, paths []string, endpoints []probe.Target, opts Options) (*Report, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Concurrency < 1 {
		opts.Concurrency = DefaultConcurrency
	}
	plan, err := planSources(paths, endpoints)
	if err != nil {
		return nil, err
	}
	rep := &Report{Now: opts.Now}
	jobs := plan.jobs
	total := len(jobs)
	// What the jobs find goes straight into the report as each finishes,
	// rather than into a result kept per job: a tree of tens of
	// thousands of files then costs little more than its certificates.
	// Unreadable sources and notes are few; they are put back into the
	// order of the sources at the end.
	var (
		mu     sync.Mutex
		done   int
		extras []extra
	)
	rep.Certs = make([]Cert, 0, total)
	finished := func(i int, r result) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range r.certs {
			c.source = uint32(i)
			rep.Certs = append(rep.Certs, c)
		}
		if r.passedOver {
			rep.PassedOver++
			if jobs[i].is().explicit {
				r.notes = append(r.notes, jobs[i].path+": passed over: no certificates")
			}
		}
		if len(r.unreadable) > 0 || len(r.notes) > 0 {
			extras = append(extras, extra{i, r.unreadable, r.notes})
		}
		done++
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	var dials []int
	for i := range jobs {
		switch a := jobs[i].is(); {
		case a.endpoint != nil:
			dials = append(dials, i)
			rep.Endpoints++
		case !a.ca:
			rep.Files++
		}
	}
	// Files are read and parsed on every CPU, each worker taking the next
	// file as it is free; endpoints are dialled opts.Concurrency at a time
	// (their time is spent waiting). All finish before Run returns.
	var (
		wg   sync.WaitGroup
		next atomic.Int64
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) {
					return
				}
				if jobs[i].about == nil || jobs[i].about.endpoint == nil {
					finished(i, jobs[i].run(ctx, opts))
				}
			}
		}()
	}
	sem := make(chan struct{}, opts.Concurrency)
	for _, i := range dials {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			finished(i, jobs[i].run(ctx, opts))
		}()
	}
	wg.Wait()

	slices.SortFunc(extras, func(a, b extra) int { return a.source - b.source })
	for _, e := range extras {
		rep.Unreadable = append(rep.Unreadable, e.unreadable...)
		rep.Notes = append(rep.Notes, e.notes...)
	}
	rep.Unreadable = append(plan.unreadable, rep.Unreadable...)
	rep.Notes = append(plan.notes, rep.Notes...)
	rep.decide(opts)
	return rep, nil
}

// extra is what a job found beside certificates.
type extra struct {
	source     int
	unreadable []Unreadable
	notes      []string
}

// decide sorts the certificates soonest first, in the order of their
// sources within one date, counts days and marks those inside the window.
func (r *Report) decide(opts Options) {
	// Stable: the certificates of one source were added together, in
	// their order.
	slices.SortStableFunc(r.Certs, func(a, b Cert) int {
		if c := a.NotAfter.Compare(b.NotAfter); c != 0 {
			return c
		}
		return cmp.Compare(a.source, b.source)
	})
	limit := opts.Now.Add(opts.Within)
	for i := range r.Certs {
		c := &r.Certs[i]
		c.DaysLeft = daysLeft(c.NotAfter, opts.Now)
		if opts.HaveWithin && !c.NotAfter.After(limit) {
			c.Expiring = true
			r.Expiring++
		}
	}
}

// daysLeft is the number of whole days from now until t, rounded down
// (negative once t has passed), as everywhere in trustctl.
func daysLeft(t, now time.Time) int {
	d := t.Sub(now)
	days := int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		days--
	}
	return days
}

// Failed reports whether the run should exit 1: something expires inside
// the window, or a source could not be read.
func (r *Report) Failed() bool { return r.Expiring > 0 || len(r.Unreadable) > 0 }

// Summary says in one line why the run failed ("" when it did not).
func (r *Report) Summary(within string) string {
	var parts []string
	if r.Expiring > 0 {
		parts = append(parts, fmt.Sprintf("%d certificate(s) expire within %s", r.Expiring, within))
	}
	if n := len(r.Unreadable); n == 1 {
		parts = append(parts, fmt.Sprintf("%s could not be read: %s", r.Unreadable[0].Source, r.Unreadable[0].Reason()))
	} else if n > 1 {
		parts = append(parts, fmt.Sprintf("%d sources could not be read", n))
	}
	if len(parts) == 0 {
		return ""
	}
	s := parts[0]
	for _, p := range parts[1:] {
		s += "; " + p
	}
	return s
}

// compact keeps of a parsed certificate what the report needs.
func compact(c *certs.Cert, origin, path, alias string, detail bool) Cert {
	out := Cert{Origin: origin, Subject: c.Subject(), NotAfter: c.NotAfter()}
	if !detail {
		return out
	}
	d := &Detail{Path: path, Alias: alias, Issuer: c.Issuer(), Serial: c.Serial(), NotBefore: c.NotBefore(), SHA256: c.SHA256()}
	d.Names.Subject = attrs(c.SubjectName())
	switch {
	case c.X509 != nil:
		d.Names.Issuer = attrs(c.X509.Issuer)
	default:
		var rdns pkix.RDNSequence
		var n pkix.Name
		if _, err := asn1.Unmarshal(c.RawIssuer(), &rdns); err == nil {
			n.FillFromRDNSequence(&rdns)
		}
		d.Names.Issuer = attrs(n)
	}
	out.Detail = d
	return out
}

func attrs(n pkix.Name) [6]string {
	first := func(s []string) string {
		if len(s) == 0 {
			return ""
		}
		return s[0]
	}
	return [6]string{first(n.Country), first(n.Province), first(n.Locality), first(n.Organization), first(n.OrganizationalUnit), n.CommonName}
}
