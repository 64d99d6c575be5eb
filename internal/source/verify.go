package source

import (
	"crypto/x509"
	"errors"
	"fmt"
)

// VerifyFiles are the files a chain is verified from and against, as
// given to trustctl verify. Messages and notes name them by verify's
// flags (--roots, --intermediates, --crl).
type VerifyFiles struct {
	// Certs are the certificates to verify: the first certificate of
	// each file, the rest of the file counting as its intermediates.
	Certs []string
	// Intermediates and Roots are read leniently: a block that is not a
	// certificate is passed over with a note naming it.
	Intermediates []string
	Roots         []string
	// CRLs are files or directories of CRLs (PEM or DER).
	CRLs []string
	// CheckRoot is the validator's own reading of a certificate: a root
	// it refuses is passed over with a note, and the others still used.
	// Nil takes every root.
	CheckRoot func(der []byte) error
}

// VerifyInputs are [VerifyFiles] read, ready for the validator.
type VerifyInputs struct {
	Leaves           []*LeafFile
	IntermediatesDER [][]byte
	RootsDER         [][]byte
	// UnreadableRoots names the roots that could not be read: the notes
	// of the root sources and the certificates CheckRoot refused.
	UnreadableRoots []string
	CRLs            []*x509.RevocationList
	// Notes say what was passed over in the intermediates and roots, and
	// which stores were read without their password; they concern every
	// leaf.
	Notes []string
}

// LeafFile is one of [VerifyFiles].Certs read: its first certificate and
// the rest, or why it could not be read.
type LeafFile struct {
	Path  string
	DER   []byte
	Extra [][]byte
	// Notes name the stores of this file read without their password.
	Notes []string
	// Err is why the file could not be read (only when several Certs are
	// given: with one, it is LoadVerifyInputs's error).
	Err error
}

// InputError is an input of verify that cannot be read, named by the
// flag that gave it ("--roots", "--crl FILE").
type InputError struct {
	Flag string
	Err  error
}

func (e *InputError) Error() string { return e.Flag + ": " + e.Err.Error() }

func (e *InputError) Unwrap() error { return e.Err }

// LoadVerifyInputs reads the files of a verify run, in this order: the
// certificates, the intermediates, the roots, the CRLs. With one
// certificate, a file that cannot be read is an error; with several, it
// is a [LeafFile] with Err set, and the others are still read. A roots,
// intermediates or CRL source that cannot be read is an [*InputError]; a
// roots source that holds no certificate is a plain error naming it.
func LoadVerifyInputs(f VerifyFiles, opts Options) (*VerifyInputs, error) {
	in := &VerifyInputs{}
	var err error
	if in.Leaves, err = loadLeaves(f.Certs, opts); err != nil {
		return nil, err
	}
	pool := opts
	pool.Lenient = true
	for _, p := range f.Intermediates {
		s, err := Load(p, pool)
		if err != nil {
			return nil, &InputError{Flag: "--intermediates", Err: err}
		}
		in.IntermediatesDER = append(in.IntermediatesDER, s.rawCerts()...)
		in.Notes = append(in.Notes, prefixed("--intermediates", s.Notes)...)
		in.Notes = append(in.Notes, s.unverifiedStores()...)
	}
	for _, p := range f.Roots {
		s, err := Load(p, pool)
		if err != nil {
			return nil, &InputError{Flag: "--roots", Err: err}
		}
		if len(s.Certs) == 0 && len(s.Notes) == 0 {
			return nil, fmt.Errorf("--roots %s: no certificate found", p)
		}
		in.Notes = append(in.Notes, prefixed("--roots", s.Notes)...)
		in.UnreadableRoots = append(in.UnreadableRoots, s.Notes...)
		for _, c := range s.Certs {
			if f.CheckRoot != nil {
				if err := f.CheckRoot(c.Raw); err != nil {
					in.Notes = append(in.Notes, fmt.Sprintf("--roots %s: passed over %s, which cannot be read as a certificate (%v)", c.Origin, c.Subject(), err))
					in.UnreadableRoots = append(in.UnreadableRoots, c.Subject()+" in "+c.Origin)
					continue
				}
			}
			in.RootsDER = append(in.RootsDER, c.Raw)
		}
		in.Notes = append(in.Notes, s.unverifiedStores()...)
	}
	for _, p := range f.CRLs {
		got, err := loadCRLs(p, opts)
		if err != nil {
			return nil, &InputError{Flag: "--crl " + p, Err: err}
		}
		in.CRLs = append(in.CRLs, got...)
	}
	return in, nil
}

func loadLeaves(paths []string, opts Options) ([]*LeafFile, error) {
	out := make([]*LeafFile, 0, len(paths))
	for _, p := range paths {
		l := &LeafFile{Path: p}
		set, err := Load(p, opts)
		if err == nil && len(set.Certs) == 0 {
			err = fmt.Errorf("%s: no certificate found", p)
		}
		if err != nil {
			if len(paths) == 1 {
				return nil, err
			}
			l.Err = err
			out = append(out, l)
			continue
		}
		l.DER = set.Certs[0].Raw
		l.Extra = set.rawCerts()[1:]
		l.Notes = set.unverifiedStores()
		out = append(out, l)
	}
	return out, nil
}

// loadCRLs reads a CRL source (PEM or DER, a file or a directory).
func loadCRLs(p string, opts Options) ([]*x509.RevocationList, error) {
	s, err := Load(p, opts)
	if err != nil {
		return nil, err
	}
	if len(s.CRLs) == 0 {
		return nil, errors.New("no CRL found")
	}
	return s.CRLs, nil
}

func prefixed(flag string, notes []string) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = flag + " " + n
	}
	return out
}

func (s *Set) rawCerts() [][]byte {
	out := make([][]byte, len(s.Certs))
	for i, f := range s.Certs {
		out[i] = f.Raw
	}
	return out
}

// unverifiedStores names the stores read without their password.
func (s *Set) unverifiedStores() []string {
	var out []string
	for _, st := range s.Stores {
		if !st.Verified {
			out = append(out, st.Origin+": read without its password, so its integrity was not checked")
		}
	}
	return out
}
