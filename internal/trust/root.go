package trust

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// maxLinks is how many symlinks one lookup follows before it gives up, as
// Linux does (MAXSYMLINKS, 40).
const maxLinks = 40

// ErrLoop is returned (wrapped) for a path whose symlinks lead round in a
// circle, or through more than 40 links.
var ErrLoop = errors.New("too many levels of symbolic links")

// Root is the file system of the machine trustctl looks at: this machine,
// or a directory seen as if it were "/" (a sysroot: a container image's
// root file system, or a test's fake machine).
//
// Paths "of the machine" are absolute paths as a process inside the root
// sees them (/etc/ssl/certs/java/cacerts); [Root.Host] turns them into
// paths of this host. [Root.Real] resolves symlinks the way chroot(2) or
// openat2(RESOLVE_IN_ROOT) would: an absolute link target starts again at
// the root and ".." never climbs above it, so nothing a sysroot holds can
// lead a lookup, or a write, out of it.
type Root struct {
	dir string // absolute, symlink-free; "/" for this machine
}

// NewRoot returns the root for dir: "" or "/" is this machine; any other
// directory must exist and becomes the sysroot (symlinks in dir itself
// are resolved on this host, once).
func NewRoot(dir string) (Root, error) {
	if dir == "" || dir == string(filepath.Separator) {
		return Root{dir: string(filepath.Separator)}, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Root{}, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return Root{}, err
	}
	fi, err := os.Stat(real)
	if err != nil {
		return Root{}, err
	}
	if !fi.IsDir() {
		return Root{}, fmt.Errorf("%s is not a directory", dir)
	}
	return Root{dir: real}, nil
}

// IsHost reports whether the root is this machine's own "/".
func (r Root) IsHost() bool { return r.dir == "" || r.dir == string(filepath.Separator) }

// Dir is the host directory the root is at ("/" for this machine).
func (r Root) Dir() string {
	if r.dir == "" {
		return string(filepath.Separator)
	}
	return r.dir
}

// Host returns where the machine path name is on this host. name is
// cleaned as an absolute path first, so ".." cannot climb out of the
// root; symlinks are not resolved: give it a path from [Root.Real] to
// reach the file a path names.
func (r Root) Host(name string) string {
	clean := filepath.FromSlash(path.Clean("/" + filepath.ToSlash(name)))
	if r.IsHost() {
		return clean
	}
	return filepath.Join(r.dir, clean)
}

// Inside reports whether the host path is the root or under it.
func (r Root) Inside(host string) bool {
	if r.IsHost() {
		return true
	}
	rel, err := filepath.Rel(r.dir, host)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Real returns the machine path name with every symlink resolved inside
// the root. A relative name is taken from "/". When a component does not
// exist, the rest of name is kept as given and cleaned: such a path names
// nothing yet, and may be created. A ".." after a missing component is
// refused with an error wrapping [fs.ErrNotExist], as the kernel refuses
// it, because cleaning it away could land on a symlink that was never
// resolved; a path that goes on below a file fails with ENOTDIR.
func (r Root) Real(name string) (string, error) {
	todo := split(name)
	var done []string
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case ".":
			continue
		case "..":
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		next := append(done[:len(done):len(done)], c)
		host := r.Host(join(next))
		fi, err := os.Lstat(host)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return missing(name, next, todo)
			}
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if !fi.IsDir() && len(todo) > 0 {
				return "", fmt.Errorf("%s: %w", name, syscall.ENOTDIR)
			}
			done = next
			continue
		}
		if links++; links > maxLinks {
			return "", fmt.Errorf("%s: %w", name, ErrLoop)
		}
		target, err := os.Readlink(host)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(filepath.ToSlash(target), "/") || filepath.IsAbs(target) {
			done = nil
		}
		todo = append(split(target), todo...)
	}
	return join(done), nil
}

// missing finishes [Root.Real] once a component is missing: the rest is
// kept, without "." components, and must not climb with "..".
func missing(name string, done, rest []string) (string, error) {
	for _, c := range rest {
		switch c {
		case ".":
		case "..":
			return "", fmt.Errorf("%s: %w", name, fs.ErrNotExist)
		default:
			done = append(done, c)
		}
	}
	return join(done), nil
}

// split breaks a path into its components, dropping empty ones. A
// trailing slash becomes a final ".", which (as for the kernel) requires
// what precedes it to be a directory.
func split(p string) []string {
	var out []string
	p = filepath.ToSlash(p)
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	if len(out) > 0 && strings.HasSuffix(p, "/") {
		out = append(out, ".")
	}
	return out
}

// join makes a machine path (always with "/") from components.
func join(parts []string) string { return "/" + strings.Join(parts, "/") }
