package source

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// LoadAll reads several sources into one set.
func LoadAll(paths []string, opts Options) (*Set, error) {
	all := &Set{}
	for _, p := range paths {
		s, err := Load(p, opts)
		if err != nil {
			return nil, err
		}
		all.merge(s)
	}
	return all, nil
}

// Load reads a file or a directory. In a directory, every regular file
// (and link to one) is read, in name order; hidden files, subdirectories
// and files that hold nothing trustctl reads are passed over with a note.
func Load(path string, opts Options) (*Set, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return Parse(data, path, opts)
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	set := &Set{}
	for _, n := range names {
		p := filepath.Join(path, n)
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(p)
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
		set.merge(s)
	}
	return set, nil
}
