package cli

import (
	"errors"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/store"
)

func exportCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "export",
		Usage:     "export certificates from a store as PEM or DER",
		ArgsUsage: "STORE [ALIAS...]",
		Description: `Writes the certificates of the named entries (all entries when no ALIAS
is given; a key entry gives its chain) to one PEM bundle (--out FILE), or
one file per certificate in a directory (--out-dir DIR, named after the
alias, never outside DIR whatever the alias holds, never through a
symbolic link in DIR). --der writes DER, which needs one certificate per
file: with --out, exactly one certificate. Without --out or --out-dir, or
with --out -, PEM goes to standard output (DER too, but not to a
terminal). A file that exists with other content is not overwritten
without --force; one that already holds what would be written is left as
it is. STORE "-" reads the store from standard input (its password from
--password* only).

EXAMPLES:
   # The root and intermediate as separate .cer files, for a web portal
   trustctl export truststore.p12 acme-root acme-intermediate --out-dir ca-certs --der --password-env PW
   trustctl export --cacerts --out jdk-roots.pem

EXIT CODES:
   0 written (or already there); 2 unreadable store, unknown alias, or a
   file that cannot be written`,
		Flags: append(storeFlags(true),
			&ucli.StringFlag{Name: "out", Usage: "write one bundle to `FILE` (- for standard output)"},
			&ucli.StringFlag{Name: "out-dir", Usage: "write one file per certificate into `DIR`"},
			&ucli.BoolFlag{Name: "der", Usage: "write DER instead of PEM"},
			forceFlag, jsonFlag),
		Action: runExport,
	}
}

func runExport(c *ucli.Context) error {
	out, dir := c.String("out"), c.String("out-dir")
	if err := notStdoutDir("--out-dir", dir); err != nil {
		return err
	}
	toStdout := dir == "" && (out == "" || out == "-")
	switch {
	case c.IsSet("out") && c.IsSet("out-dir"):
		return usageErrorf("give --out FILE or --out-dir DIR, not both")
	case toStdout && c.Bool("json"):
		return usageErrorf("--json describes files written; with the certificates on standard output there are none: give --out FILE or --out-dir DIR")
	}
	path, aliases, err := storeArg(c, "STORE [ALIAS...]")
	if err != nil {
		return err
	}
	st, err := readStore(c, path)
	if err != nil {
		return err
	}
	certs, err := st.Certificates(aliases...)
	if err != nil {
		return err
	}
	der := c.Bool("der")
	if der && len(certs) != 1 && dir == "" {
		return usageErrorf("--der writes one certificate per file, but %d were selected: use --out-dir", len(certs))
	}
	env := envOf(c)
	if toStdout {
		if der {
			if err := env.refuseBinaryToTerminal(); err != nil {
				return err
			}
		}
		_, err := env.Stdout.Write(store.EncodeCerts(certs, der))
		return err
	}
	var files []safefile.File
	opts := safefile.Options{NoOverwrite: !c.Bool("force")}
	undo := func() {}
	if dir != "" {
		var keep func()
		if undo, keep, err = safefile.MkdirAll(dir); err != nil {
			return err
		}
		defer keep()
		files = store.ExportFiles(dir, certs, der)
		opts.NoFollow = true
	} else {
		files = []safefile.File{{Path: out, Data: store.EncodeCerts(certs, der), Perm: 0o644}}
	}
	flag := "--out"
	if dir != "" {
		flag = "--out-dir"
	}
	for _, f := range files {
		if err := notAnInput(flag, f.Path, path); err != nil {
			undo()
			return err
		}
	}
	written, err := safefile.WriteFiles(files, opts)
	if err != nil {
		undo()
		return writeFilesError(err)
	}
	return printWritten(c, path, files, written)
}

// writeFilesError hints at --force when a file holds something else.
func writeFilesError(err error) error {
	if errors.Is(err, safefile.ErrExists) {
		return withHint(err, "pass --force to overwrite files that hold something else")
	}
	return err
}

// printWritten reports which files a command wrote and which already held
// what it would have written.
func printWritten(c *ucli.Context, from string, files []safefile.File, written []string) error {
	env := envOf(c)
	var err error
	if c.Bool("json") {
		err = render.WrittenJSON(env.Stdout, from, files, written)
	} else {
		err = render.Written(env.Stdout, files, written)
	}
	return reported(strings.Join(written, ", "), len(written) > 0, err)
}
