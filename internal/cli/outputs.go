package cli

import "os"

// notAnInput refuses an output that is the same file as one of the
// command's inputs (by any name: a symbolic or hard link too): with
// --force it would replace what it is made from.
func notAnInput(flag, out string, inputs ...string) error {
	fo, err := os.Stat(out)
	if err != nil || out == "-" {
		return nil
	}
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		if fi, err := os.Stat(in); err == nil && os.SameFile(fo, fi) {
			return usageErrorf("%s %s is also an input (%s); write to another file", flag, out, in)
		}
	}
	return nil
}

// notStdoutDir refuses "-" where a directory is wanted: standard output
// is no directory, and a directory named "-" is a slip.
func notStdoutDir(what, dir string) error {
	if dir == "-" {
		return usageErrorf("%s -: a directory is needed here, not standard output", what)
	}
	return nil
}
