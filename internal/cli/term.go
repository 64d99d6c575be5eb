package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/trustctl/trustctl/internal/interrupt"
)

// Env is everything a command may touch outside its arguments. Tests
// replace it to run commands in-process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// StdinTTY and StdoutTTY say whether the streams are terminals: a
	// password prompt needs the first, colour and progress lines the second.
	StdinTTY  bool
	StdoutTTY bool
	StderrTTY bool
	// Width is the number of columns of the terminal stdout is on, 0 when
	// stdout is not a terminal: tables are then not fitted to a width.
	Width int
	// ReadPassword reads a line from the terminal without echo.
	ReadPassword func(prompt string) ([]byte, error)
	// Now is the clock for "days left" and default validation times.
	Now func() time.Time
	// Context bounds long-running work (probes); tests cancel it.
	Context context.Context

	// secretFiles holds what each password file held, read once per run:
	// a pipe (--password-file <(pass show x)) gives its content only once,
	// and a command may need a password twice.
	secretFiles map[string][]byte
}

// StdEnv is the environment of the real process.
func StdEnv() *Env {
	e := &Env{
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		Getenv:    os.Getenv,
		StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		StderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		Now:       time.Now,
		Context:   context.Background(),
	}
	if e.StdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			e.Width = w
		}
	}
	e.ReadPassword = func(prompt string) ([]byte, error) {
		fd := int(os.Stdin.Fd())
		fmt.Fprint(os.Stderr, prompt)
		defer fmt.Fprintln(os.Stderr)
		// Ctrl-C at the prompt must not leave the terminal without echo.
		if was, err := term.GetState(fd); err == nil {
			defer interrupt.Cleanup(func() {
				term.Restore(fd, was)
				fmt.Fprintln(os.Stderr)
			})()
		}
		return term.ReadPassword(fd)
	}
	return e
}

func (e *Env) fill() {
	e.secretFiles = map[string][]byte{}
	if e.Stdin == nil {
		e.Stdin = eofReader{}
	}
	if e.Stdout == nil {
		e.Stdout = io.Discard
	}
	if e.Stderr == nil {
		e.Stderr = io.Discard
	}
	if e.Getenv == nil {
		e.Getenv = func(string) string { return "" }
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Context == nil {
		e.Context = context.Background()
	}
	if e.ReadPassword == nil {
		e.ReadPassword = func(string) ([]byte, error) {
			line, err := bufio.NewReader(e.Stdin).ReadString('\n')
			if err != nil && line == "" {
				return nil, errors.New("no password on standard input")
			}
			return []byte(trimNewline(line)), nil
		}
	}
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

func trimNewline(s string) string {
	if n := len(s); n > 0 && s[n-1] == '\n' {
		s = s[:n-1]
		if n := len(s); n > 0 && s[n-1] == '\r' {
			s = s[:n-1]
		}
	}
	return s
}

// colour reports whether output may be coloured: only on a terminal, and
// never when NO_COLOR is set to anything but the empty string (no-color.org).
func (e *Env) colour() bool {
	return e.StdoutTTY && e.Getenv("NO_COLOR") == ""
}

// refuseBinaryToTerminal stops DER or PKCS#12 bytes from being written to a
// terminal, as age does.
func (e *Env) refuseBinaryToTerminal() error {
	if e.StdoutTTY {
		return usageErrorf("refusing to write binary output to the terminal; use --out FILE")
	}
	return nil
}
