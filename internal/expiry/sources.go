package expiry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/probe"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

// job is one thing to read: a file, a CA directory, standard input or an
// endpoint. Most are files met in a walk, which need nothing but their
// path: the rest is kept apart, so that the plan of a tree of tens of
// thousands of files stays small.
type job struct {
	path  string    // as shown: the file, CA directory or "-"
	about *jobAbout // nil for a file met in a walk
}

type jobAbout struct {
	explicit bool // named on the command line (not found in a walk)
	ca       bool
	stdin    bool
	link     bool   // reached through a symbolic link
	real     string // the real path, for links and explicit files
	endpoint *probe.Target
}

// is says what the job is beyond its path.
func (j *job) is() jobAbout {
	if j.about == nil {
		return jobAbout{}
	}
	return *j.about
}

// result is what one job found.
type result struct {
	certs      []Cert
	unreadable []Unreadable
	notes      []string
	passedOver bool
}

// plan is the list of jobs, made by walking the sources in order.
type plan struct {
	jobs       []job
	unreadable []Unreadable
	notes      []string
	files      map[string]int  // real path of a link or named file -> its job
	dirs       map[string]bool // real paths of directories walked
}

// planSources turns the arguments into jobs, walking directories. Only a
// path that is neither a file, a directory nor an endpoint (a FIFO, a
// device, a socket) is an error.
func planSources(paths []string, endpoints []probe.Target) (*plan, error) {
	p := &plan{files: map[string]int{}, dirs: map[string]bool{}}
	for _, arg := range paths {
		if arg == "-" {
			p.jobs = append(p.jobs, job{path: "-", about: &jobAbout{explicit: true, stdin: true}})
			continue
		}
		fi, err := safefile.Stat(arg) // a dangling link, a loop, in words
		switch {
		case err != nil && errors.Is(err, fs.ErrNotExist) && looksLikeEndpoint(arg):
			t, terr := probe.ParseTarget(arg)
			if terr != nil {
				return nil, terr
			}
			p.jobs = append(p.jobs, job{path: arg, about: &jobAbout{explicit: true, endpoint: &t}})
		case err != nil:
			p.unreadable = append(p.unreadable, Unreadable{Source: arg, Err: err})
		case fi.IsDir() && isCADir(arg):
			p.jobs = append(p.jobs, job{path: arg, about: &jobAbout{explicit: true, ca: true}})
		case fi.IsDir():
			real, err := realPath(arg)
			if err != nil {
				p.unreadable = append(p.unreadable, Unreadable{Source: arg, Err: err})
				continue
			}
			if !p.dirs[real] {
				p.dirs[real] = true
				p.walk(arg, real, []string{real})
			}
		case fi.Mode().IsRegular():
			real, err := realPath(arg)
			if err != nil {
				p.unreadable = append(p.unreadable, Unreadable{Source: arg, Err: err})
				continue
			}
			p.addFile(arg, real, true, false)
		default:
			_, err := safefile.CheckInput(arg) // "a named pipe (FIFO), not a regular file"
			return nil, err
		}
	}
	p.dropCovered()
	for _, t := range endpoints {
		p.jobs = append(p.jobs, job{path: t.String(), about: &jobAbout{explicit: true, endpoint: &t}})
	}
	return p, nil
}

func realPath(path string) (string, error) {
	r, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	return filepath.Abs(r)
}

// walk adds the files under dir (whose real path is real) in name order,
// following symbolic links; ancestors are the real paths of the
// directories from the root down to dir, where a link back is a loop.
func (p *plan) walk(dir, real string, ancestors []string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		// ReadDir may return the entries it read before the error.
		p.unreadable = append(p.unreadable, Unreadable{Source: dir, Err: err})
	}
	if hasCAFiles(ents) && isCADir(dir) {
		p.jobs = append(p.jobs, job{path: dir, about: &jobAbout{ca: true}})
		return
	}
	for _, e := range ents {
		name := e.Name()
		if name == "" || name[0] == '.' {
			continue
		}
		path := filepath.Join(dir, name)
		switch t := e.Type(); {
		case t&fs.ModeSymlink != 0:
			target, err := realPath(path)
			if err != nil {
				p.notes = append(p.notes, path+": broken symbolic link, passed over")
				continue
			}
			fi, err := os.Stat(target)
			switch {
			case err != nil:
				p.unreadable = append(p.unreadable, Unreadable{Source: path, Err: err})
			case fi.IsDir():
				if isAncestor(target, ancestors) {
					p.notes = append(p.notes, fmt.Sprintf("%s: symbolic link loop (to %s, which is being walked), not entered", path, target))
					continue
				}
				if !p.dirs[target] {
					p.dirs[target] = true
					p.walk(path, target, append(ancestors, target))
				}
			case fi.Mode().IsRegular():
				p.addFile(path, target, false, true)
			}
		case t.IsDir():
			sub := filepath.Join(real, name)
			if !p.dirs[sub] {
				p.dirs[sub] = true
				p.walk(path, sub, append(ancestors, sub))
			}
		case t.IsRegular():
			p.addWalked(path, real, name)
		}
		// FIFOs, sockets and devices inside a tree are passed over, as
		// find -type f would.
	}
}

func isAncestor(dir string, ancestors []string) bool {
	for _, a := range ancestors {
		if a == dir {
			return true
		}
	}
	return false
}

// hashLink matches the names c_rehash and update-ca-certificates give the
// links of a certificate directory (subject hash, dot, number).
var hashLink = regexp.MustCompile(`^[0-9a-f]{8}\.r?[0-9]+$`)

// addFile plans to read a file once, however many links lead to it. The
// name shown is the plainest: the file itself rather than a link, and a
// link with a name rather than a hash link. Only files named on the
// command line and links are remembered by their real path (real); a
// file met in a walk is looked up, not stored, which keeps the plan of a
// large tree small. Links whose target is walked anyway are dropped by
// [plan.dropCovered].
func (p *plan) addFile(path, real string, explicit, link bool) {
	if i, ok := p.files[real]; ok {
		old := &p.jobs[i]
		if rank(path, explicit, link) < rank(old.path, old.about.explicit, old.about.link) {
			old.path, old.about.explicit, old.about.link = path, explicit, link
		}
		return
	}
	if explicit || link {
		p.files[real] = len(p.jobs)
	}
	p.jobs = append(p.jobs, job{path: path, about: &jobAbout{explicit: explicit, link: link, real: real}})
}

// addWalked plans a regular file met in a walk of the directory whose
// real path is dir.
func (p *plan) addWalked(path, dir, name string) {
	if len(p.files) > 0 {
		if i, ok := p.files[filepath.Join(dir, name)]; ok {
			if old := &p.jobs[i]; !old.about.explicit {
				old.path, old.about.link = path, false
			}
			return
		}
	}
	p.jobs = append(p.jobs, job{path: path})
}

// dropCovered removes the links to files that the walk reads under their
// own name.
func (p *plan) dropCovered() {
	kept := p.jobs[:0]
	for _, j := range p.jobs {
		if a := j.is(); a.link && p.dirs[filepath.Dir(a.real)] && filepath.Base(a.real)[0] != '.' {
			continue
		}
		kept = append(kept, j)
	}
	p.jobs = kept
}

func rank(path string, explicit, link bool) int {
	switch {
	case explicit:
		return 0
	case !link:
		return 1
	case !hashLink.MatchString(filepath.Base(path)):
		return 2
	}
	return 3
}

// hasCAFiles is a cheap look at a directory's entries before isCADir
// stats them.
func hasCAFiles(ents []fs.DirEntry) bool {
	for _, e := range ents {
		if e.Name() == ca.ConfigFile {
			return true
		}
	}
	return false
}

// isCADir reports whether dir is a trustctl CA directory.
func isCADir(dir string) bool {
	for _, f := range []string{ca.CertFile, ca.ConfigFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

func looksLikeEndpoint(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 65536
}

func (j job) run(ctx context.Context, opts Options) result {
	a := j.is()
	switch {
	case a.endpoint != nil:
		return runEndpoint(ctx, *a.endpoint, opts)
	case a.ca:
		return runCA(j.path, opts)
	case a.stdin:
		if opts.Stdin == nil {
			return result{unreadable: []Unreadable{{Source: "-", Err: errors.New("no standard input")}}}
		}
		data, err := io.ReadAll(io.LimitReader(opts.Stdin, MaxStdin+1))
		if err == nil && len(data) > MaxStdin {
			err = fmt.Errorf("more than %d MiB on standard input", MaxStdin>>20)
		}
		if err != nil {
			return result{unreadable: []Unreadable{{Source: "-", Err: err}}}
		}
		return parseFile(data, "-", opts)
	}
	data, err := safefile.Read(j.path, MaxFileSize)
	if errors.Is(err, safefile.ErrTooLarge) && !a.explicit {
		return result{notes: []string{fmt.Sprintf("%s: passed over: larger than %d MiB", j.path, MaxFileSize>>20)}}
	}
	if err != nil {
		return result{unreadable: []Unreadable{{Source: j.path, Err: err}}}
	}
	return parseFile(data, j.path, opts)
}

// parseFile reads one file's certificates. One password serves every
// store: a JKS store it does not open is still read without it,
// unverified, and said so.
func parseFile(data []byte, path string, opts Options) result {
	set, err := source.Parse(data, path, source.Options{Password: opts.Password, HavePassword: opts.HavePassword})
	var res result
	if err != nil && (errors.Is(err, store.ErrWrongPassword) || errors.As(err, new(*store.NeedPasswordError))) {
		if opts.HavePassword {
			if unverified, err2 := source.Parse(data, path, source.Options{}); err2 == nil {
				res.notes = append(res.notes, path+": the password given does not open it; read without one, its integrity not checked")
				set, err = unverified, nil
			}
		} else {
			err = errNeedPassword
		}
	}
	if err != nil {
		var fe *source.FormatError
		if errors.As(err, &fe) && fe.Err == nil {
			res.passedOver = true
			return res
		}
		res.unreadable = append(res.unreadable, Unreadable{Source: path, Err: err})
		return res
	}
	if len(set.Certs) == 0 {
		res.passedOver = true
		return res
	}
	seen := make(map[string]bool, len(set.Certs))
	for _, f := range set.Certs {
		key := f.Origin + "|" + string(f.Raw)
		if seen[key] {
			continue
		}
		seen[key] = true
		res.certs = append(res.certs, compact(f.Cert, f.Origin, path, f.Alias, opts.Detail))
	}
	return res
}

// runCA reads a CA directory: its certificate and what it issued that
// still needs renewing. A revoked certificate needs none, nor do those of
// a previous CA of the directory, nor the OCSP responder's delegated
// certificates, which renew themselves and whose keys die with the
// process.
func runCA(dir string, opts Options) result {
	var res result
	fail := func(err error) result {
		res.unreadable = append(res.unreadable, Unreadable{Source: dir, Err: err})
		return res
	}
	a, err := ca.Open(dir)
	if err != nil {
		return fail(err)
	}
	certPath := filepath.Join(dir, ca.CertFile)
	res.certs = append(res.certs, compact(certs.FromX509(a.Cert), certPath, certPath, "", opts.Detail))
	st, err := a.Records(opts.Now)
	if err != nil {
		return fail(err)
	}
	for _, e := range st.Entries {
		if e.Status == ca.StatusRevoked || e.Status == ca.StatusBelowMin || !e.Current || e.Profile == "ocsp" {
			continue
		}
		data, err := a.Certificate(e.Record)
		if err != nil {
			return fail(err)
		}
		p := filepath.Join(dir, e.File)
		set, err := source.Parse(data, p, source.Options{})
		if err != nil {
			return fail(err)
		}
		for _, f := range set.Certs {
			res.certs = append(res.certs, compact(f.Cert, f.Origin, p, "", opts.Detail))
		}
	}
	return res
}

// runEndpoint reads the chain a TLS server presents. Nothing is verified:
// an expired or untrusted certificate is exactly what expiry is for
// (trustctl probe does the checks).
func runEndpoint(ctx context.Context, t probe.Target, opts Options) result {
	r, err := probe.Probe(ctx, t, probe.Options{
		ServerName:      opts.ServerName,
		StartTLS:        opts.StartTLS,
		Timeout:         opts.Timeout,
		NoFallbackCheck: true,
		Now:             func() time.Time { return opts.Now },
	})
	name := t.String()
	if err == nil && len(r.Chain) == 0 {
		err = fmt.Errorf("no certificate presented: %v", r.HandshakeErr)
	}
	if err != nil {
		return result{unreadable: []Unreadable{{Source: name, Err: err}}}
	}
	var res result
	for _, c := range r.Chain {
		res.certs = append(res.certs, compact(c, name, name, "", opts.Detail))
	}
	return res
}
