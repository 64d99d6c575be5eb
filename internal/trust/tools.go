package trust

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Tools finds and runs the programs trustctl cannot do without: certutil
// for NSS databases, and the OS refresh tools. The zero value uses this
// host's PATH (then /usr/sbin and /sbin, where the refresh tools live)
// and os/exec; tests replace the functions.
type Tools struct {
	LookPath func(name string) (string, error)
	// Run runs prog with args and stdin, and returns its standard
	// output; an error carries the last line of its standard error,
	// where certutil and the refresh tools say what went wrong.
	Run func(ctx context.Context, prog string, args []string, stdin []byte) ([]byte, error)
}

// sbinDirs hold the refresh tools, which are not on a user's PATH.
var sbinDirs = []string{"/usr/local/sbin", "/usr/sbin", "/sbin"}

func (t Tools) lookPath(name string) (string, error) {
	if t.LookPath != nil {
		return t.LookPath(name)
	}
	p, err := exec.LookPath(name)
	if err == nil {
		return p, nil
	}
	for _, d := range sbinDirs {
		cand := filepath.Join(d, name)
		if fi, e := os.Stat(cand); e == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return cand, nil
		}
	}
	return "", err
}

func (t Tools) run(ctx context.Context, prog string, args []string, stdin []byte) ([]byte, error) {
	if t.Run != nil {
		return t.Run(ctx, prog, args, stdin)
	}
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		if msg := lastLine(errOut.String()); msg != "" {
			return out.Bytes(), errors.New(msg)
		}
		return out.Bytes(), err
	}
	return out.Bytes(), nil
}

// lastLine is the last non-empty line of a tool's message.
func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return ""
}
