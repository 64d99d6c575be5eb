package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit codes, as the command contract fixes them.
const (
	exitOK     = 0
	exitFailed = 1 // a check failed: invalid chain, unmet expectation, expiring, differing stores
	exitUsage  = 2 // bad usage or unreadable input; nothing was written
)

// checkFailedError marks a completed command whose check did not pass. Its
// message (if any) is printed like an error, and the exit code is 1.
type checkFailedError struct{ msg string }

func (e *checkFailedError) Error() string { return e.msg }

// checkFailed returns an error that makes trustctl exit 1. An empty message
// prints nothing more: the command has already reported the result.
func checkFailed(format string, args ...any) error {
	return &checkFailedError{msg: fmt.Sprintf(format, args...)}
}

// hintError adds one or more hint lines to an error.
type hintError struct {
	err   error
	hints []string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

// withHint attaches hints printed after the error line as "trustctl: hint: ...".
func withHint(err error, hints ...string) error {
	if err == nil {
		return nil
	}
	return &hintError{err: err, hints: hints}
}

// usageError is a problem with the command line itself.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitCode maps an error to the process exit code. It is the one place
// that decides: a failed check is 1, everything else is 2.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var cf *checkFailedError
	if errors.As(err, &cf) {
		return exitFailed
	}
	return exitUsage
}

// printError writes the error as one line (newlines folded), then its hints.
func printError(w io.Writer, err error) {
	var cf *checkFailedError
	if errors.As(err, &cf) && cf.msg == "" {
		return
	}
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
	fmt.Fprintf(w, "trustctl: error: %s\n", msg)
	var he *hintError
	for e := err; errors.As(e, &he); e = he.err {
		for _, h := range he.hints {
			fmt.Fprintf(w, "trustctl: hint: %s\n", h)
		}
	}
}

// reported words a failed write of a command's report when the command
// has already changed path: the change stands, and the message says so,
// so nobody takes the exit status for "nothing was written".
// A path of "-" (what was written went to standard output) adds nothing.
func reported(path string, changed bool, err error) error {
	if err == nil || !changed || path == "-" {
		return err
	}
	return fmt.Errorf("%s was written, but its report could not be: %w", path, err)
}

// warn prints one warning line per item on stderr.
func warn(w io.Writer, warnings ...string) {
	for _, s := range warnings {
		fmt.Fprintf(w, "trustctl: warning: %s\n", s)
	}
}
