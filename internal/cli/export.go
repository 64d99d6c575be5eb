package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/pemfile"
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
alias, never outside DIR whatever the alias holds). --der writes DER, which
needs one certificate per file: with --out, exactly one certificate.
Without --out or --out-dir, PEM goes to standard output.

EXAMPLES:
   # The root and intermediate as separate .cer files, for a web portal
   trustctl export truststore.p12 acme-root acme-intermediate --out-dir ca-certs --der --password-env PW
   trustctl export --cacerts --out jdk-roots.pem

EXIT CODES:
   0 written; 2 unreadable store, unknown alias, or a file that cannot be written`,
		Flags: append(storeFlags(true),
			&ucli.StringFlag{Name: "out", Usage: "write one bundle to `FILE`"},
			&ucli.StringFlag{Name: "out-dir", Usage: "write one file per certificate into `DIR`"},
			&ucli.BoolFlag{Name: "der", Usage: "write DER instead of PEM"},
			forceFlag),
		Action: runExport,
	}
}

type exported struct {
	alias string
	cert  *certs.Cert
}

func runExport(c *ucli.Context) error {
	if c.IsSet("out") && c.IsSet("out-dir") {
		return usageErrorf("give --out FILE or --out-dir DIR, not both")
	}
	path, aliases, err := storeArg(c, "STORE [ALIAS...]")
	if err != nil {
		return err
	}
	st, err := readStore(c, path)
	if err != nil {
		return err
	}
	st.Sort()
	var out []exported
	add := func(e *store.Entry) {
		for i, cert := range e.Certs {
			a := e.Alias
			if i > 0 {
				a = fmt.Sprintf("%s-%d", e.Alias, i)
			}
			out = append(out, exported{alias: a, cert: cert})
		}
	}
	if len(aliases) == 0 {
		for _, e := range st.Entries {
			add(e)
		}
	} else {
		for _, a := range aliases {
			e := st.Get(a)
			if e == nil {
				return &store.AliasError{Alias: a}
			}
			add(e)
		}
	}
	env := envOf(c)
	der := c.Bool("der")
	switch {
	case c.IsSet("out-dir"):
		return exportDir(c.String("out-dir"), out, der, c.Bool("force"))
	case c.IsSet("out"):
		if der && len(out) != 1 {
			return usageErrorf("--der writes one certificate per file, but %d were selected: use --out-dir", len(out))
		}
		return safefile.Write(c.String("out"), encodeExport(out, der), safefile.Options{Perm: 0o644, NoOverwrite: !c.Bool("force")})
	default:
		if der {
			if err := env.refuseBinaryToTerminal(); err != nil {
				return err
			}
			if len(out) != 1 {
				return usageErrorf("--der writes one certificate, but %d were selected: use --out-dir", len(out))
			}
		}
		_, err := env.Stdout.Write(encodeExport(out, der))
		return err
	}
}

func encodeExport(out []exported, der bool) []byte {
	if der {
		return out[0].cert.Raw
	}
	var b []byte
	for _, e := range out {
		b = append(b, "# "+e.alias+": "+e.cert.Subject()+"\n"...)
		b = append(b, pemfile.Encode("CERTIFICATE", e.cert.Raw)...)
	}
	return b
}

// exportDir writes one file per certificate. File names come from aliases
// made safe: no path separators, no leading dots, nothing but letters,
// digits, '-', '_' and '.', so no alias can place a file outside dir.
func exportDir(dir string, out []exported, der, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ext := ".pem"
	if der {
		ext = ".cer"
	}
	used := map[string]bool{}
	type file struct {
		path string
		data []byte
	}
	var files []file
	for _, e := range out {
		base := safeFileName(e.alias)
		name := base + ext
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s-%d%s", base, i, ext)
		}
		used[name] = true
		p := filepath.Join(dir, name)
		if !force {
			if _, err := os.Lstat(p); err == nil {
				return fmt.Errorf("%s exists; pass --force to overwrite", p)
			}
		}
		data := e.cert.Raw
		if !der {
			data = pemfile.Encode("CERTIFICATE", e.cert.Raw)
		}
		files = append(files, file{p, data})
	}
	for _, f := range files {
		if err := safefile.Write(f.path, f.data, safefile.Options{Perm: 0o644}); err != nil {
			return err
		}
	}
	return nil
}

func safeFileName(alias string) string {
	var b strings.Builder
	for _, r := range alias {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.TrimLeft(b.String(), ".")
	if s == "" {
		s = "cert"
	}
	if len(s) > 100 {
		s = s[:100]
	}
	return s
}
