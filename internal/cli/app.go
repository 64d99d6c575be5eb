// Package cli is trustctl's command line: one file per command, each turning
// flags into a call on an internal package and printing the result. It is
// the only package that reads flags, prompts, prints or decides exit codes.
package cli

import (
	ucli "github.com/urfave/cli/v2"
)

// Run runs trustctl with args (args[0] is the program name) and returns the
// exit code. It never calls os.Exit, so tests can run it in-process.
func Run(args []string, env *Env) int {
	env.fill()
	app := newApp(env)
	err := app.RunContext(env.Context, reorderArgs(app, args))
	if err != nil {
		printError(env.Stderr, err)
	}
	return exitCode(err)
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
		},
	}
	app.OnUsageError = func(c *ucli.Context, err error, isSub bool) error {
		return usageErrorf("%v", err)
	}
	for _, cmd := range app.Commands {
		setUsageErrors(cmd)
	}
	return app
}

func setUsageErrors(cmd *ucli.Command) {
	cmd.OnUsageError = func(c *ucli.Context, err error, isSub bool) error {
		return usageErrorf("%s: %v", cmd.Name, err)
	}
	for _, sub := range cmd.Subcommands {
		setUsageErrors(sub)
	}
}

// needArgs checks the number of positional arguments.
func needArgs(c *ucli.Context, min, max int, usage string) error {
	n := c.NArg()
	if n < min || (max >= 0 && n > max) {
		return usageErrorf("usage: trustctl %s %s", c.Command.FullName(), usage)
	}
	return nil
}
