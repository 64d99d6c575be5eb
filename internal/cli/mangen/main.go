// Command mangen writes trustctl's manual page, trustctl(1), in roff from
// the command definitions: every command with its usage line, its help
// text (examples and exit codes included) and its flags.
//
//	go run ./internal/cli/mangen > bin/trustctl.1   (make man)
//	man -l bin/trustctl.1
//
// urfave/cli's own App.ToMan leaves out each command's description, which
// holds the examples, and is not built into trustctl (the
// urfave_cli_no_docs tag); this writer needs neither.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/cli"
)

func main() {
	w := bufio.NewWriter(os.Stdout)
	writeMan(w, cli.ManualApp())
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "mangen:", err)
		os.Exit(1)
	}
}

// writeMan writes the page. It holds no date, so the same commands give
// the same page.
func writeMan(w io.Writer, app *ucli.App) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p(`.TH TRUSTCTL 1 "" "trustctl %s" "User Commands"`, esc(app.Version))
	p(".SH NAME")
	p(`trustctl \- %s`, esc(app.Usage))
	p(".SH SYNOPSIS")
	p(`.B trustctl`)
	p(`.I command`)
	p(`[\fIsubcommand\fR] [\fIoptions\fR] [\fIarguments\fR]`)
	p(".SH DESCRIPTION")
	p("trustctl does for trust stores, keystores and certificate chains what otherwise takes")
	p("keytool, openssl and a wiki page of copied commands. It reads every format from its")
	p("content (PEM, DER, JKS, JCEKS, PKCS#12, directories), never from the file name.")
	p(".PP")
	p("Passwords come from \\fB\\-\\-password\\fR, \\fB\\-\\-password\\-env\\fR \\fINAME\\fR or")
	p("\\fB\\-\\-password\\-file\\fR \\fIPATH\\fR, or a prompt on a terminal. \\fB\\-\\-json\\fR")
	p("prints one JSON document on standard output; errors go to standard error.")
	p("Commands that write say what they changed (\\fB\"changed\"\\fR in JSON).")
	p(".SH COMMANDS")
	for _, c := range app.VisibleCommands() {
		writeCommand(w, "trustctl", c)
	}
	p(".SH ENVIRONMENT")
	p(".TP\n.B JAVA_HOME\nthe JDK whose cacerts \\fB\\-\\-cacerts\\fR means (else the \\fBjava\\fR on PATH)")
	p(".TP\n.B NO_COLOR\nwhen set and not empty, no colour even on a terminal")
	p(".TP\n.B SOURCE_DATE_EPOCH\nthe date of new JKS entries, for reproducible stores")
	p(".SH EXIT STATUS")
	p(".TP\n.B 0\ndone; a check passed")
	p(".TP\n.B 1\na check failed: an invalid chain, an unmet expectation, something expiring, stores that differ")
	p(".TP\n.B 2\nbad usage or input that cannot be read; nothing was written")
	p(".SH SEE ALSO")
	p(`\fBkeytool\fR(1), \fBopenssl\fR(1)`)
}

func writeCommand(w io.Writer, parent string, c *ucli.Command) {
	if c.Hidden || c.Name == "help" {
		return
	}
	name := parent + " " + c.Name
	fmt.Fprintf(w, ".SS \"%s\"\n%s\n", esc(name), esc(c.Usage))
	if len(c.Subcommands) > 0 {
		for _, sub := range c.Subcommands {
			writeCommand(w, name, sub)
		}
		return
	}
	usage := c.UsageText
	if usage == "" {
		usage = strings.TrimSpace(name + " [options] " + c.ArgsUsage)
	}
	fmt.Fprintf(w, ".PP\n.nf\n%s\n.fi\n", esc(usage))
	if c.Description != "" {
		fmt.Fprintf(w, ".PP\n.nf\n%s\n.fi\n", esc(strings.TrimRight(c.Description, "\n")))
	}
	for _, f := range c.VisibleFlags() {
		names, usage, _ := strings.Cut(f.String(), "\t")
		fmt.Fprintf(w, ".TP\n.B %s\n%s\n", esc(names), esc(usage))
	}
}

// esc makes text safe for roff: backslashes and dashes are escaped, and a
// line starting with a period or an apostrophe is not read as a request.
func esc(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}
