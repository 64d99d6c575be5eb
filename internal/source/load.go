package source

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/trustctl/trustctl/internal/safefile"
)

// Stdin is the SOURCE that stands for standard input.
const Stdin = safefile.Stdin

// stdinName names standard input in messages and origins.
const stdinName = safefile.StdinName

// The bounds of a directory walk: far above any real directory of
// certificates (a distribution's /etc/ssl/certs holds a few hundred files
// and under a megabyte), low enough that a hostile tree cannot exhaust
// memory.
const (
	maxDirFiles = 100_000
	maxDirBytes = 1 << 30
)

// LoadAll reads several sources into one set. Standard input ("-") may be
// given once.
func LoadAll(paths []string, opts Options) (*Set, error) {
	sets, err := LoadEach(paths, opts)
	if err != nil {
		return nil, err
	}
	all := &Set{}
	for _, s := range sets {
		all.Merge(s)
	}
	return all, nil
}

// LoadEach reads several sources, one set for each path in the order
// given, for a caller that asks what each one holds (sync refuses a
// SOURCE that holds no CA certificate). Standard input ("-") may be given
// once.
func LoadEach(paths []string, opts Options) ([]*Set, error) {
	stdin := 0
	for _, p := range paths {
		if p == Stdin {
			stdin++
		}
	}
	if stdin > 1 {
		return nil, errors.New("standard input (-) given more than once")
	}
	sets := make([]*Set, 0, len(paths))
	for _, p := range paths {
		s, err := Load(p, opts)
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	return sets, nil
}

// Name is how messages call the source at path: "standard input" for
// "-", else the path as given.
func Name(path string) string {
	if path == Stdin {
		return stdinName
	}
	return path
}

// Load reads a file, a directory, or standard input ("-": opts.Stdin, or
// the process's own when that is nil). Anything else, a FIFO, a device or
// a socket, is refused before it is read, and so is a file or input over
// [safefile.MaxSize]. In a directory, every regular file (and link to one)
// is read, in name order; hidden files, subdirectories, special files and
// files that hold nothing trustctl reads are passed over with a note.
func Load(path string, opts Options) (*Set, error) {
	if path == Stdin {
		data, err := safefile.ReadStdin(opts.Stdin)
		if err != nil {
			return nil, err
		}
		return Parse(data, stdinName, opts)
	}
	fi, err := safefile.CheckInput(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		data, err := safefile.Read(path, safefile.MaxSize)
		if err != nil {
			return nil, err
		}
		return Parse(data, path, opts)
	}
	return loadDir(path, opts)
}

func loadDir(path string, opts Options) (*Set, error) {
	d, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	// Read the names in batches, so that a directory with millions of
	// entries is refused before they are all in memory.
	var names []string
	for {
		batch, err := d.Readdirnames(1024)
		for _, n := range batch {
			if !strings.HasPrefix(n, ".") {
				names = append(names, n)
			}
		}
		if len(names) > maxDirFiles {
			d.Close()
			return nil, fmt.Errorf("%s: more than %d files; point trustctl at the files themselves", path, maxDirFiles)
		}
		if err == io.EOF || len(batch) == 0 {
			break
		}
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	d.Close()
	sort.Strings(names)
	set := &Set{}
	var total int64
	for _, n := range names {
		p := filepath.Join(path, n)
		fi, err := safefile.Stat(p)
		if err != nil {
			// Fatal, as an unreadable file is: a link to nothing may be
			// the root the caller meant, and sync would drop it.
			return nil, err
		}
		if fi.IsDir() {
			set.Notes = append(set.Notes, p+": passed over: a directory (only the files directly in "+path+" are read)")
			continue
		}
		if !fi.Mode().IsRegular() {
			set.Notes = append(set.Notes, p+": passed over: not a regular file")
			continue
		}
		if total += fi.Size(); total > maxDirBytes {
			return nil, fmt.Errorf("%s: more than %d MiB of files; point trustctl at the files themselves", path, maxDirBytes>>20)
		}
		data, err := safefile.Read(p, safefile.MaxSize)
		if err != nil {
			return nil, err
		}
		s, err := Parse(data, p, opts)
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) && fe.Err == nil {
				set.Notes = append(set.Notes, p+": passed over: not a certificate, key or store")
				continue
			}
			return nil, err
		}
		set.Merge(s)
	}
	return set, nil
}
