package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/cli"
)

// TestManPageHasEveryCommand: each command people can run has its section,
// with its flags and its examples, and the page is roff groff reads
// without a warning.
func TestManPageHasEveryCommand(t *testing.T) {
	app := cli.ManualApp()
	var page bytes.Buffer
	writeMan(&page, app)
	out := page.String()

	var walk func(prefix string, cmds []*ucli.Command)
	n := 0
	walk = func(prefix string, cmds []*ucli.Command) {
		for _, c := range cmds {
			if c.Hidden || c.Name == "help" {
				continue
			}
			name := prefix + " " + c.Name
			if !strings.Contains(out, ".SS \""+esc(name)+"\"\n") {
				t.Errorf("no section for %q", name)
			}
			n++
			walk(name, c.Subcommands)
		}
	}
	walk("trustctl", app.Commands)
	if n < 30 {
		t.Errorf("only %d commands walked", n)
	}
	for _, want := range []string{
		`.B \-\-key\-password\-file PATH, \-\-password\-file PATH`, // key gen's either-name flags
		`trustctl csr \-\-new\-key rsa2048`,                        // an example
		".SH EXIT STATUS",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the page lacks %q", want)
		}
	}

	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("groff not installed: the page is not rendered")
	}
	cmd := exec.Command("groff", "-man", "-Tutf8", "-ww", "-z")
	cmd.Stdin = &page
	msgs, err := cmd.CombinedOutput()
	if err != nil || len(msgs) > 0 {
		t.Errorf("groff: %v\n%s", err, msgs)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		`a\b`:        `a\eb`,
		"--out":      `\-\-out`,
		".TH x\n'q":  "\\&.TH x\n\\&'q",
		"plain text": "plain text",
		"x\n.y\n z.": "x\n\\&.y\n z.",
	} {
		if got := esc(in); got != want {
			t.Errorf("esc(%q) = %q, want %q", in, got, want)
		}
	}
}
