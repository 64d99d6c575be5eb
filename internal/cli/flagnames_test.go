package cli

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// TestHelpUnchangedByNameCache: with every flag's names cached, the help
// of each command and the flag completion read exactly as they do with
// urfave/cli's own flags.
func TestHelpUnchangedByNameCache(t *testing.T) {
	// Each command path, with the partial words "--x" for the initial
	// letters of its flags, which completion expands.
	paths := [][]string{nil}
	partials := map[string][]string{}
	var walk func(prefix []string, cmds []*ucli.Command)
	walk = func(prefix []string, cmds []*ucli.Command) {
		for _, c := range cmds {
			p := append(append([]string(nil), prefix...), c.Name)
			paths = append(paths, p)
			key := strings.Join(p, " ")
			for _, f := range c.Flags {
				if w := "--" + f.Names()[0][:1]; !slices.Contains(partials[key], w) {
					partials[key] = append(partials[key], w)
				}
			}
			walk(p, c.Subcommands)
		}
	}
	walk(nil, buildApp(&Env{}).Commands)

	// Completion reads the partial word from os.Args. The plain app gets
	// urfave/cli's own help and version flags back.
	defer func(args []string, help, version ucli.Flag) {
		os.Args, ucli.HelpFlag, ucli.VersionFlag = args, help, version
	}(os.Args, ucli.HelpFlag, ucli.VersionFlag)
	cachedHelp, cachedVersion := ucli.HelpFlag, ucli.VersionFlag
	plainHelp, plainVersion := cachedHelp.(*boolFlag).BoolFlag, cachedVersion.(*boolFlag).BoolFlag
	output := func(plain bool, args []string) string {
		os.Args = args
		build := newApp
		ucli.HelpFlag, ucli.VersionFlag = cachedHelp, cachedVersion
		if plain {
			build = buildApp
			ucli.HelpFlag, ucli.VersionFlag = plainHelp, plainVersion
		}
		var out bytes.Buffer
		env := &Env{Stdout: &out, Stderr: &out}
		env.fill()
		_ = build(env).RunContext(env.Context, args)
		return out.String()
	}
	for _, p := range paths {
		tails := [][]string{{"--help"}}
		for _, w := range partials[strings.Join(p, " ")] {
			tails = append(tails, []string{w, "--generate-bash-completion"})
		}
		for _, tail := range tails {
			args := append(append([]string{"trustctl"}, p...), tail...)
			plain, cached := output(true, args), output(false, args)
			if plain != cached {
				t.Errorf("%s: output differs with cached flag names\nurfave/cli's flags:\n%s\ncached:\n%s", strings.Join(args[1:], " "), plain, cached)
			}
			if len(p) == 1 && p[0] == "verify" && (tail[0] == "--help" || tail[0] == "--r") && !strings.Contains(cached, "--roots") {
				t.Errorf("%s: no --roots in\n%s", strings.Join(args[1:], " "), cached)
			}
		}
	}
	if len(paths) < 30 {
		t.Errorf("only %d command paths walked", len(paths))
	}
}

func TestFlagNamesLikeURFave(t *testing.T) {
	for _, tc := range []struct {
		name    string
		aliases []string
	}{
		{"roots", nil},
		{"help", []string{"h"}},
		{"out, o", nil},
		{"out", []string{"o x", "output"}},
		{"", nil},
	} {
		got, want := flagNames(tc.name, tc.aliases), ucli.FlagNames(tc.name, tc.aliases)
		if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("flagNames(%q, %q) = %q; urfave/cli gives %q", tc.name, tc.aliases, got, want)
		}
	}
}
