// Package safefile reads and writes files so that neither a hostile path
// nor a crash does harm.
//
// Reads of a path ([Read]) take regular files only, never a FIFO, a device
// or a socket (which could block for ever or never end); reads of a stream
// ([ReadAll], [ReadStdin]) read what standard input gives. All stop at a
// size limit. Writes ([Write]) never leave a half-written file: the data
// goes to a temporary file beside the target, which is synced, closed and
// renamed over it, and the directory is synced (on Unix; Windows has no
// such call). Writes go through a symlink to its target (unless told not
// to), keep the target's mode (and owner, where permitted), and can be
// serialized across processes with [Lock] (one file) or [LockDir] (a
// directory whose files are kept consistent with each other).
//
// Nothing is left behind: a temporary file is removed on every error, the
// lock file when the lock is released, both when the run is stopped by
// SIGINT or SIGTERM (see internal/interrupt), and the temporary files of a run that was killed
// (named after the target and the process that made them, see
// [TempTarget]) by the next write to the same target. It does not decide
// formats or contents.
package safefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/trustctl/trustctl/internal/interrupt"
)

// ErrExists is returned by [Write] with NoOverwrite when the target exists.
var ErrExists = errors.New("file exists")

// ErrNotRegular is wrapped by the errors of [Read] for a path that is not a
// regular file: a directory, a FIFO, a device, a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by the errors of [Read] and [ReadAll] for input
// over the limit.
var ErrTooLarge = errors.New("too large")

// ErrSymlink is returned by [Write] with NoFollow when the target is a
// symbolic link.
var ErrSymlink = errors.New("a symbolic link")

// MaxSize is the most trustctl reads from one file or from standard input:
// 256 MiB, far above any real store (a JDK cacerts is about 200 KiB, a
// store of 20,000 certificates about 30 MiB).
const MaxSize = 256 << 20

// Options says how [Write] treats the target.
type Options struct {
	// Perm is the mode of a file that does not exist yet. An existing
	// file keeps its own mode.
	Perm fs.FileMode
	// NoOverwrite refuses to replace an existing file (ErrExists), also
	// one that appears while the data is written: the file is put in
	// place with renameat2(RENAME_NOREPLACE) on Linux, and with a hard
	// link (then the temporary name removed) where that is missing.
	NoOverwrite bool
	// NoFollow refuses a target that is a symbolic link (ErrSymlink)
	// instead of writing to the file it points to: for files written into
	// a directory someone else may have planted links in. A link planted
	// after the check is replaced by the rename, never written through.
	NoFollow bool
	// Private marks data that holds a secret in the clear (an unencrypted
	// private key): a file it replaces loses the permissions it gave
	// others, so --force never leaves a key readable by everyone. Those of
	// the group are kept, for the service group that reads a key.
	Private bool
}

// Resolve follows symlinks in path's final element (and the chain of
// links they point to) and returns the real file to replace. A path that
// does not exist is returned as it is.
func Resolve(path string) (string, error) {
	for i := 0; i < 40; i++ {
		fi, err := os.Lstat(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return path, nil
			}
			return "", pathError(path, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", pathError(path, err)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// Read returns the content of the regular file at path, following
// symlinks. A directory, FIFO, device or socket is refused before anything
// is read (ErrNotRegular), and so is a file over limit bytes (ErrTooLarge).
// Errors name path and say what is wrong without the system call.
func Read(path string, limit int64) ([]byte, error) {
	// A device is refused before it is opened: opening one can act (a
	// tape rewinds, a watchdog arms). The file is then opened without
	// blocking, so that a FIFO swapped in meanwhile cannot hang the open,
	// and what was opened is checked again before anything is read.
	pre, err := Stat(path)
	if err != nil {
		return nil, err // a missing file, a dangling link, in words
	}
	if err := regular(path, pre); err != nil {
		return nil, err
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, pathError(path, err)
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, tooLarge(path, limit)
	}
	data, err := readSized(f, fi.Size(), limit)
	if errors.Is(err, ErrTooLarge) {
		return nil, tooLarge(path, limit)
	}
	if err != nil {
		return nil, pathError(path, err)
	}
	return data, nil
}

// readSized reads f, of size bytes when it was opened, into one buffer of
// that size, as os.ReadFile does; a file that grows meanwhile is read on
// up to the limit.
func readSized(f io.Reader, size, limit int64) ([]byte, error) {
	data := make([]byte, 0, size+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if int64(len(data)) > limit {
			return nil, ErrTooLarge
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// ReadAll reads r to its end, failing with ErrTooLarge past limit bytes
// (standard input, which can be anything). A regular file (standard input
// redirected from one) is refused by its size before it is read; what
// else comes is read in pieces and joined once, so that memory stays near
// the size of the data rather than the doubling of a growing buffer.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	tooLarge := &worded{"more than " + size(limit), ErrTooLarge}
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
			return nil, tooLarge
		}
	}
	const piece = 1 << 20
	var pieces [][]byte
	var total int64
	for {
		buf := make([]byte, piece)
		n, err := io.ReadFull(r, buf)
		pieces = append(pieces, buf[:n])
		if total += int64(n); total > limit {
			return nil, tooLarge
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return bytes.Join(pieces, nil), nil
}

// ErrEmptyPipe is returned by [ReadFileOrPipe] for a named pipe that
// gave nothing: nobody writes to it, or its writer wrote nothing.
var ErrEmptyPipe = errors.New("a pipe with nothing written to it")

// ReadFileOrPipe is [Read] that also takes a named pipe, for a small file
// a shell may hand over as one (--password-file <(pass show store),
// /dev/stdin). The pipe is opened without waiting for a writer and read to
// its end, at most limit bytes: one with nothing written to it is
// [ErrEmptyPipe], never a wait. A device or a socket is still refused.
func ReadFileOrPipe(path string, limit int64) ([]byte, error) {
	fi, err := Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeNamedPipe == 0 {
		return Read(path, limit)
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	defer f.Close()
	data, err := ReadAll(f, limit)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	case len(data) == 0:
		return nil, fmt.Errorf("%s: %w", path, ErrEmptyPipe)
	}
	return data, nil
}

// Stdin is the path that stands for standard input where trustctl reads
// (a SOURCE, a store it only reads) and for standard output where it
// writes (--out -).
const Stdin = "-"

// StdinName names standard input in messages.
const StdinName = "standard input"

// ReadStdin reads standard input to its end, at most [MaxSize] bytes: r,
// or the process's own when r is nil. Errors name standard input.
func ReadStdin(r io.Reader) ([]byte, error) {
	if r == nil {
		r = os.Stdin
	}
	data, err := ReadAll(r, MaxSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", StdinName, err)
	}
	return data, nil
}

// Stat is os.Stat with errors that name the path and say what is wrong: a
// dangling symbolic link and a loop of links are told apart from a missing
// file.
func Stat(path string) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err == nil {
		return fi, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		if li, lerr := os.Lstat(path); lerr == nil && li.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			return nil, &worded{fmt.Sprintf("%s: a symbolic link to %s, which does not exist", path, target), fs.ErrNotExist}
		}
	}
	return nil, pathError(path, err)
}

// CheckInput refuses what trustctl does not read as an input path: a
// FIFO, a device, a socket (ErrNotRegular). Regular files and directories
// pass; errors are those of [Stat].
func CheckInput(path string) (fs.FileInfo, error) {
	fi, err := Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return fi, nil
	}
	return fi, regular(path, fi)
}

func regular(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("%s: %s, %w", path, kindOf(fi.Mode()), ErrNotRegular)
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "a special file"
}

func tooLarge(path string, limit int64) error {
	return &worded{fmt.Sprintf("%s: larger than %s, more than any certificate store holds", path, size(limit)), ErrTooLarge}
}

// worded is an error with a message of its own that still matches its
// cause with errors.Is.
type worded struct {
	msg   string
	cause error
}

func (e *worded) Error() string { return e.msg }
func (e *worded) Unwrap() error { return e.cause }

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// pathError words an error from the os package as "PATH: what is wrong",
// without the system call's name, keeping the cause for errors.Is.
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s: %w", path, err)
}

// Write replaces path with data atomically. On any error the target is
// left exactly as it was and the temporary file is removed. Temporary
// files that killed runs left beside the target are removed first.
func Write(path string, data []byte, opts Options) error {
	st, err := stage(path, data, opts)
	if err != nil {
		return err
	}
	release := interrupt.Hold()
	err = st.commit()
	release()
	if err != nil {
		st.discard()
		return err
	}
	return syncDir(filepath.Dir(st.real))
}

// staged is a file written to a temporary file beside its target, not yet
// renamed over it.
type staged struct {
	path, real, tmp string
	noOverwrite     bool
	forget          func() // ends the removal of tmp on a stop
}

// stage writes data to a temporary file beside the file path stands for
// (the target of a symlink unless opts.NoFollow), with the mode and owner
// the target has or opts.Perm, and syncs it. On error nothing is left.
func stage(path string, data []byte, opts Options) (st *staged, err error) {
	real := path
	if opts.NoFollow {
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s: %w; not written through", path, ErrSymlink)
		}
	} else if real, err = Resolve(path); err != nil {
		return nil, err
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o644
	}
	var uid, gid = -1, -1
	if fi, statErr := os.Stat(real); statErr == nil {
		if opts.NoOverwrite {
			return nil, fmt.Errorf("%s: %w", path, ErrExists)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: %s, %w", path, kindOf(fi.Mode()), ErrNotRegular)
		}
		if err := writable(real); err != nil {
			return nil, err
		}
		perm = fi.Mode().Perm()
		if opts.Private {
			perm &^= 0o007
		}
		uid, gid = owner(fi)
	} else if !errors.Is(statErr, fs.ErrNotExist) {
		return nil, pathError(path, statErr)
	}
	dir := filepath.Dir(real)
	RemoveStale(real)
	tmp, err := os.CreateTemp(dir, tempPrefix(real)+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w", dir, unwrapPath(err))
	}
	tmpName := tmp.Name()
	forget := interrupt.Cleanup(func() { os.Remove(tmpName) })
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
			forget()
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return nil, err
	}
	if uid >= 0 && (uid != os.Getuid() || gid != os.Getgid()) {
		// Keeping the owner needs privilege; an unprivileged writer
		// of its own file never gets here.
		_ = tmp.Chown(uid, gid)
	}
	if _, err = tmp.Write(data); err != nil {
		return nil, pathError(path, err)
	}
	if err = tmp.Sync(); err != nil {
		return nil, pathError(path, err)
	}
	if err = tmp.Close(); err != nil {
		return nil, pathError(path, err)
	}
	return &staged{path: path, real: real, tmp: tmpName, noOverwrite: opts.NoOverwrite, forget: forget}, nil
}

// commit puts the staged file in its target's place; the caller syncs the
// directory, and holds off a stop ([interrupt.Hold]).
func (st *staged) commit() error {
	if !st.noOverwrite {
		if err := os.Rename(st.tmp, st.real); err != nil {
			return err
		}
		st.forget()
		return nil
	}
	// A plain rename would replace a target that appeared meanwhile.
	if err := renameNoReplace(st.tmp, st.real); err != nil {
		if errors.Is(err, fs.ErrExist) {
			err = fmt.Errorf("%s: %w", st.path, ErrExists)
		}
		return err
	}
	st.forget()
	return nil
}

// linkNoReplace gives oldpath the name newpath unless newpath exists
// (fs.ErrExist), then removes oldpath. A kill between the two steps
// leaves both names; the next write of newpath removes the temporary one
// ([RemoveStale]).
func linkNoReplace(oldpath, newpath string) error {
	if err := os.Link(oldpath, newpath); err != nil {
		return err
	}
	os.Remove(oldpath)
	return nil
}

// discard removes the temporary file of a file not committed.
func (st *staged) discard() {
	os.Remove(st.tmp)
	st.forget()
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// tempPrefix is the name of the temporary files of real up to the process
// ID: ".NAME.tmp-". The full name is ".NAME.tmp-PID-RANDOM".
func tempPrefix(real string) string { return "." + filepath.Base(real) + tempMark + "-" }

// tempMark follows the target's name in the name of its temporary files.
const tempMark = ".tmp"

// TempTarget reports whether name is the name of a temporary file that a
// write of a file makes beside it, and returns that file's name: base is
// "store.jks" for ".store.jks.tmp-PID-RANDOM" (and for ".store.jks.tmpRANDOM",
// the name earlier versions gave them). It looks at the name only.
func TempTarget(name string) (base string, ok bool) {
	rest, ok := strings.CutPrefix(name, ".")
	if !ok {
		return "", false
	}
	i := strings.LastIndex(rest, tempMark)
	if i <= 0 {
		return "", false
	}
	// What follows is the process ID and a random number, or (earlier)
	// only the random number: never a letter (".NAME.tmpl" is no temporary
	// file).
	if after := rest[i+len(tempMark):]; after != "" && after[0] != '-' && (after[0] < '0' || after[0] > '9') {
		return "", false
	}
	return rest[:i], true
}

// IsTempOf reports whether name is a temporary file of a write of the file
// named base (see [TempTarget]).
func IsTempOf(name, base string) bool {
	b, ok := TempTarget(name)
	return ok && b == base
}

// RemoveStale removes the temporary files of real that a run killed
// before it could rename or remove them: ".NAME.tmp-PID-*" whose process
// PID no longer runs. Files of a live process (a writer at work) are left
// alone, so this is safe without a lock. Errors are ignored: a file that
// cannot be removed is left for later.
func RemoveStale(real string) {
	dir := filepath.Dir(real)
	prefix := tempPrefix(real)
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, n := range names {
		rest, ok := strings.CutPrefix(n, prefix)
		if !ok {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		os.Remove(filepath.Join(dir, n))
	}
}

// SyncDir makes the entries of dir durable (a file created or renamed in
// it), where the file system supports it.
func SyncDir(dir string) error { return syncDir(dir) }

// Lock takes an exclusive advisory lock that serializes writers of path
// (the real file behind any symlink), waiting for it. The lock lives on a
// hidden file beside the target, ".NAME.lock", because the target itself
// is replaced by rename; the returned function releases the lock and
// removes that file. A lock file left by a killed run is taken over and
// removed by the next writer. Once the lock is held, the temporary files
// of killed writers of path are removed (see [RemoveStale]).
//
// Lock fails at once, before any work, when the directory cannot be
// written in. A file lock (rather than [LockDir]) is what works on every
// file system a store may live on, network ones included.
func Lock(path string) (unlock func(), err error) {
	real, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	unlock, err = lockAt(filepath.Join(filepath.Dir(real), "."+filepath.Base(real)+".lock"), path)
	if err != nil {
		return nil, err
	}
	RemoveStale(real)
	return unlock, nil
}

// lockAt takes the lock on the file lockPath, creating it, for what (a
// path, in messages); the returned function removes the file and lets go.
func lockAt(lockPath, what string) (unlock func(), err error) {
	dir := filepath.Dir(lockPath)
	for {
		f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("cannot write in %s: %w", dir, unwrapPath(err))
		}
		if err := lockFile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", what, err)
		}
		// The writer before us removes the lock file before it lets go;
		// holding a lock on a file no longer at lockPath serializes
		// nothing, so take the one that is there now.
		if held, err := f.Stat(); err == nil {
			if now, err := os.Stat(lockPath); err == nil && os.SameFile(held, now) {
				forget := interrupt.Cleanup(func() { os.Remove(lockPath) })
				return func() {
					release(f, lockPath)
					forget()
				}, nil
			}
		}
		unlockFile(f)
		f.Close()
	}
}

// File is one file of a set [WriteFiles] writes.
type File struct {
	Path string
	Data []byte
	Perm fs.FileMode
	// Private is [Options.Private] for this file.
	Private bool
}

// WriteFiles writes a set of files as one, checking them all before it
// writes any: a file that already holds Data is left alone; one that
// holds something else is [ErrExists] with opts.NoOverwrite; with
// opts.NoFollow a symbolic link is [ErrSymlink]. Every file to write is
// then written to a temporary file beside it, and only once all of them
// are written and synced are they renamed into place: a failure while
// writing (a full disk, a directory that cannot be written in) removes the
// temporary files and leaves every target as it was. It returns the files
// it wrote.
//
// Only a rename can still fail after another succeeded (a file created
// meanwhile where opts.NoOverwrite forbids replacing one); it needs no
// room on the disk, the data being written already.
func WriteFiles(files []File, opts Options) (written []string, err error) {
	var todo []File
	for _, f := range files {
		if opts.NoFollow {
			if fi, err := os.Lstat(f.Path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
				return nil, fmt.Errorf("%s: %w; not written through", f.Path, ErrSymlink)
			}
		}
		old, err := Read(f.Path, int64(len(f.Data)))
		switch {
		case err == nil && bytes.Equal(old, f.Data):
			continue
		case err == nil || errors.Is(err, ErrTooLarge):
			if opts.NoOverwrite {
				return nil, fmt.Errorf("%s: %w", f.Path, ErrExists)
			}
		case !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
		todo = append(todo, f)
	}
	var set []*staged
	defer func() {
		for _, st := range set[len(written):] {
			st.discard()
		}
	}()
	for _, f := range todo {
		o := opts
		o.Perm, o.Private = f.Perm, f.Private
		st, err := stage(f.Path, f.Data, o)
		if err != nil {
			return nil, err
		}
		set = append(set, st)
	}
	dirs := map[string]bool{}
	// A stop waits for the whole set: all of its files are replaced or none.
	defer interrupt.Hold()()
	for _, st := range set {
		if err := st.commit(); err != nil {
			return written, err
		}
		written = append(written, st.path)
		dirs[filepath.Dir(st.real)] = true
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return written, err
		}
	}
	return written, nil
}

// MkdirAll creates dir and any parents it lacks (mode 0755), as
// os.MkdirAll does, for a command that makes a directory to write files
// in and must add nothing when it fails. undo removes the directories it
// created, deepest first, as long as they are empty; keep says they stay.
// Until one of the two is called, a SIGINT or SIGTERM that stops the
// process undoes them too, so a command stopped before its files are
// written leaves no empty directories behind.
func MkdirAll(dir string) (undo, keep func(), err error) {
	var made []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		made = append(made, d)
	}
	remove := func() {
		for _, d := range made {
			if os.Remove(d) != nil {
				return
			}
		}
	}
	keep = interrupt.Cleanup(remove)
	undo = func() {
		remove()
		keep()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		undo()
		return nil, nil, pathError(dir, err)
	}
	return undo, keep, nil
}

// Name makes a file name from s (an alias) that cannot leave the directory
// it is joined to: no path separators, no leading dots, nothing but
// letters, digits, '-', '_' and '.', at most 100 bytes.
func Name(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	n := strings.TrimLeft(b.String(), ".")
	if n == "" {
		n = "cert"
	}
	if len(n) > 100 {
		n = n[:100]
	}
	return n
}
