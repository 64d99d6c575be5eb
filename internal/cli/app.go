// Package cli is trustctl's command line: one file per command, each turning
// flags into a call on an internal package and printing the result. It is
// the only package that reads flags, prompts, prints or decides exit codes.
package cli

import (
	"fmt"
	"regexp"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// Run runs trustctl with args (args[0] is the program name) and returns the
// exit code. It never calls os.Exit, so tests can run it in-process.
func Run(args []string, env *Env) int {
	env.fill()
	app := newApp(env)
	args = helpArgs(args)
	if !completing(args) {
		// Reordering would move the completion flag off the end, and
		// urfave/cli would run the command instead of completing it.
		args = reorderArgs(app, args)
	}
	err := unknownCommand(app.RunContext(env.Context, args))
	if err != nil {
		printError(env.Stderr, err)
	}
	return exitCode(err)
}

// urfave/cli's words for a command that does not exist, and the command
// it suggests.
var (
	noHelpTopic = regexp.MustCompile(`^No help topic for '(.*)'`)
	didYouMean  = regexp.MustCompile(`Did you mean "(.*)"\?`)
)

// unknownCommand words urfave/cli's error for a command that does not
// exist as trustctl words its errors, and suggests a command only for a
// near miss ("lst" for list, not "foo" for show).
func unknownCommand(err error) error {
	if err == nil {
		return nil
	}
	m := noHelpTopic.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	unknown := usageErrorf("unknown command %q (--help lists the commands)", m[1])
	if m[1] == "version" {
		return withHint(unknown, "trustctl --version prints the version")
	}
	if s := didYouMean.FindStringSubmatch(err.Error()); s != nil && editDistance(m[1], s[1]) <= 2 {
		return withHint(unknown, fmt.Sprintf("did you mean %q?", s[1]))
	}
	return unknown
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// ManualApp returns trustctl's command tree, for its manual page (see
// internal/cli/mangen, built without the urfave_cli_no_docs tag).
func ManualApp() *ucli.App {
	env := &Env{}
	env.fill()
	return newApp(env)
}

const envKey = "env"

// envOf returns the environment a command runs in.
func envOf(c *ucli.Context) *Env { return c.App.Metadata[envKey].(*Env) }

// newApp builds the command tree.
func newApp(env *Env) *ucli.App {
	app := &ucli.App{
		Name:      "trustctl",
		Usage:     "manage truststores, keystores, certificate chains and a small CA",
		Version:   version(),
		Writer:    env.Stdout,
		ErrWriter: env.Stderr,
		Reader:    env.Stdin,
		Metadata:  map[string]any{envKey: env},
		// urfave/cli would call os.Exit on an ExitCoder; Run decides instead.
		ExitErrHandler:         func(*ucli.Context, error) {},
		HideHelpCommand:        false,
		UseShortOptionHandling: false,
		Suggest:                true,
		EnableBashCompletion:   true,
		Commands: []*ucli.Command{
			// Truststores.
			listCommand(),
			showCommand(),
			importCommand(),
			exportCommand(),
			deleteCommand(),
			renameCommand(),
			passwdCommand(),
			convertCommand(),
			diffCommand(),
			syncCommand(),
			// Keystores and key material.
			{
				Name:  "keystore",
				Usage: "build and take apart keystores that hold a private key and its chain",
				Subcommands: []*ucli.Command{
					keystoreBuildCommand(),
					keystoreExtractCommand(),
				},
			},
			{
				Name:  "key",
				Usage: "generate, convert and match private keys",
				Subcommands: []*ucli.Command{
					keyGenCommand(),
					keyConvertCommand(),
					keyMatchCommand(),
				},
			},
			csrCommand(),
			// Certificate authority.
			{
				Name:  "ca",
				Usage: "run a small certificate authority in a directory",
				Subcommands: []*ucli.Command{
					caInitCommand(),
					caSignCommand(),
					caListCommand(),
					caRevokeCommand(),
					caCRLCommand(),
					caMinSerialCommand(),
					caCheckCommand(),
				},
			},
			// Validation and revocation.
			verifyCommand(),
			{
				Name:  "ocsp",
				Usage: "query an OCSP responder, or run one for a CA",
				Subcommands: []*ucli.Command{
					ocspCheckCommand(),
					ocspServeCommand(),
				},
			},
			// Endpoints and expiry.
			probeCommand(),
			expiryCommand(),
			trustCommand(),
			// Shell.
			completionCommand(),
		},
	}
	app.OnUsageError = func(c *ucli.Context, err error, isSub bool) error {
		return usageErrorf("%v", flagError(err))
	}
	for _, cmd := range app.Commands {
		setUsageErrors(cmd, "")
	}
	return app
}

// setUsageErrors makes a flag error name the whole command, parents
// included ("ca sign: ..."), as people typed it.
func setUsageErrors(cmd *ucli.Command, parent string) {
	path := strings.TrimSpace(parent + " " + cmd.Name)
	// urfave/cli gives every command a "help" subcommand; on a command
	// without subcommands it would be offered by completion in place of
	// file names, and "trustctl show help" would not show a file named help.
	cmd.HideHelpCommand = len(cmd.Subcommands) == 0
	cmd.OnUsageError = func(c *ucli.Context, err error, isSub bool) error {
		msg := usageErrorf("%s: %v", path, flagError(err))
		if near := nearFlag(err, cmd.Flags); near != "" {
			return withHint(msg, fmt.Sprintf("did you mean --%s?", near))
		}
		return msg
	}
	for _, sub := range cmd.Subcommands {
		setUsageErrors(sub, path)
	}
}

// flagError rewords the flag package's errors people meet most: an
// unknown flag (named with the two dashes people type) and two names of
// one flag (--password and --key-password where they are the same flag).
func flagError(err error) error {
	const twoForms = "Cannot use two forms of the same flag: "
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
		return fmt.Errorf("unknown flag --%s", strings.TrimPrefix(name, "-"))
	}
	if rest, ok := strings.CutPrefix(err.Error(), twoForms); ok {
		if a, b, ok := strings.Cut(rest, " "); ok {
			return fmt.Errorf("--%s and --%s are the same flag here: give one of them", b, a)
		}
	}
	return err
}

// nearFlag returns the flag of flags whose name is a near miss of the
// unknown flag err names (--pasword for --password), or "".
func nearFlag(err error, flags []ucli.Flag) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return ""
	}
	name = strings.TrimPrefix(name, "-")
	best, bestDist := "", 3
	for _, f := range flags {
		for _, n := range f.Names() {
			if d := editDistance(name, n); d < bestDist && len(n) > 1 {
				best, bestDist = n, d
			}
		}
	}
	return best
}

// helpArgs turns "trustctl help ca sign" into "trustctl ca sign --help":
// urfave/cli's help command shows only the first word's help.
func helpArgs(args []string) []string {
	if len(args) > 2 && args[1] == "help" {
		return append(append([]string{args[0]}, args[2:]...), "--help")
	}
	return args
}

// needArgs checks the number of positional arguments.
func needArgs(c *ucli.Context, min, max int, usage string) error {
	n := c.NArg()
	if n < min || (max >= 0 && n > max) {
		return usageErrorf("usage: %s %s", commandLine(c), usage)
	}
	return nil
}

// commandLine is the command being run as people type it, parents
// included: "trustctl ca sign". (urfave/cli's FullName drops the parents
// in v2; HelpName, which it sets for every command it runs, has them.)
func commandLine(c *ucli.Context) string {
	if c.Command.HelpName != "" {
		return c.Command.HelpName
	}
	return "trustctl " + c.Command.Name
}
