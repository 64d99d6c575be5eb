package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// urfave/cli works out a flag's names with a regular expression every time
// its Names method is called, and it finds a flag by name by calling Names
// on each flag before it. Before a command's action runs, it asks that
// question once for every flag of the command, and the password flags ask
// it again: some F² regular expressions for a command of F flags, 0.3 to
// 0.7 ms of every call here.
//
// cacheNames wraps every flag of the command tree so that Names returns
// names worked out once, without the regular expression where it has
// nothing to strip. Each wrapper embeds the flag it wraps, so every
// other method and optional interface (help, required, categories,
// completion) is the flag's own; the help text stays the same, which
// TestHelpUnchangedByNameCache checks. Code that needs to know whether a
// flag takes a value asks TakesValue instead of matching the flag's type.
func cacheNames(cmds []*ucli.Command) {
	for _, c := range cmds {
		for i, f := range c.Flags {
			c.Flags[i] = withCachedNames(f)
		}
		cacheNames(c.Subcommands)
	}
}

// The help and version flags, which urfave/cli adds to the app and to
// every command, are its own variables, meant to be set.
func init() {
	ucli.HelpFlag = withCachedNames(ucli.HelpFlag)
	ucli.VersionFlag = withCachedNames(ucli.VersionFlag)
}

// withCachedNames wraps f, unless it is of a type trustctl does not use.
// Help prints a flag with its own String method, which the wrapper
// passes on to the flag it wraps. Completion leaves hidden flags out by
// matching *ucli.BoolFlag, so hidden bool flags stay unwrapped.
func withCachedNames(f ucli.Flag) ucli.Flag {
	switch f := f.(type) {
	case *ucli.StringFlag:
		return &stringFlag{f, flagNames(f.Name, f.Aliases)}
	case *ucli.BoolFlag:
		if f.Hidden {
			return f
		}
		return &boolFlag{f, flagNames(f.Name, f.Aliases)}
	case *ucli.StringSliceFlag:
		return &stringSliceFlag{f, flagNames(f.Name, f.Aliases)}
	case *ucli.IntFlag:
		return &intFlag{f, flagNames(f.Name, f.Aliases)}
	case *ucli.DurationFlag:
		return &durationFlag{f, flagNames(f.Name, f.Aliases)}
	}
	return f
}

// flagNames gives what ucli.FlagNames gives, without its regular
// expression for names that have nothing for it to strip.
func flagNames(name string, aliases []string) []string {
	names := append([]string{name}, aliases...)
	for _, n := range names {
		if strings.ContainsAny(n, ", ") {
			return ucli.FlagNames(name, aliases)
		}
	}
	return names
}

type stringFlag struct {
	*ucli.StringFlag
	names []string
}

func (f *stringFlag) Names() []string { return f.names }

type boolFlag struct {
	*ucli.BoolFlag
	names []string
}

func (f *boolFlag) Names() []string { return f.names }

type stringSliceFlag struct {
	*ucli.StringSliceFlag
	names []string
}

func (f *stringSliceFlag) Names() []string { return f.names }

type intFlag struct {
	*ucli.IntFlag
	names []string
}

func (f *intFlag) Names() []string { return f.names }

type durationFlag struct {
	*ucli.DurationFlag
	names []string
}

func (f *durationFlag) Names() []string { return f.names }
