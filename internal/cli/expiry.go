package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/expiry"
	"github.com/trustctl/trustctl/internal/probe"
	"github.com/trustctl/trustctl/internal/render"
)

func expiryCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "expiry",
		Usage:     "list certificates by days left",
		ArgsUsage: "SOURCE...",
		Description: `Lists every certificate in the sources with the days it has left, soonest
first. A SOURCE is a file (PEM, DER, JKS, JCEKS, PKCS#12), a directory
(walked recursively, following symbolic links; a file reached through
several links is read once, a link loop is noted and not entered), a CA
directory (its certificate and what it issued that is not revoked), "-"
for standard input, or HOST:PORT (the chain the TLS server presents; it is
not verified: see "trustctl probe" for that). Files without certificates
and hidden files are passed over. One --password serves every store among
the sources; a JKS store it does not open is read without it, unverified,
with a note.

A source that cannot be read (a file or directory without permission, a
store the password does not open, an endpoint that does not answer) is a
row of its own with the reason; every other source is still reported, and
the exit code is 1. Endpoints are dialled --concurrency at a time, each
within --timeout. On a terminal, a long run shows its progress on stderr.

--metrics FILE also writes the result in the Prometheus text format, with
x509-certificate-exporter's metric and label names (x509_cert_not_after,
x509_cert_not_before, x509_cert_expired, x509_read_errors,
x509_cert_error), atomically, for node_exporter's textfile collector
("-" writes it to stdout instead of the table).

EXAMPLES:
   trustctl expiry /etc/pki/tls/certs keystore.p12 --password-env PW
   trustctl expiry ./ca www.example.com:443 --within 60d
   trustctl expiry --targets-file endpoints.txt --starttls smtp --concurrency 32
   trustctl expiry /etc/ssl --metrics /var/lib/node_exporter/textfile/trustctl.prom

EXIT CODES:
   0 every source read, nothing inside the window
   1 something expires inside the window, or a source could not be read
   2 bad usage (nothing was read)`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "within", Usage: "exit 1 when a certificate expires within `DURATION` (60d, 168h)"},
			&ucli.StringFlag{Name: "timeout", Value: "10s", Usage: "give up on a HOST:PORT after `DURATION` (10s, 1m)"},
			&ucli.StringFlag{Name: "servername", Usage: "`NAME` to send in SNI to the endpoints (default: the host, when it is a name)"},
			&ucli.StringFlag{Name: "starttls", Usage: "upgrade plain connections to the endpoints first: `PROTOCOL` smtp|imap|pop3|ftp|ldap|postgres|mysql"},
			&ucli.StringFlag{Name: "targets-file", Usage: "read endpoints from `FILE`: one \"HOST:PORT [SERVERNAME]\" a line, # comments"},
			&ucli.IntFlag{Name: "concurrency", Value: expiry.DefaultConcurrency, Usage: "dial up to `N` endpoints at once"},
			&ucli.StringFlag{Name: "metrics", Usage: "also write Prometheus metrics to `FILE` (\"-\": stdout)"},
			jsonFlag,
		}, secretFlags(pwStore, "password of the stores among the sources")...),
		Action: runExpiry,
	}
}

func runExpiry(c *ucli.Context) error {
	env := envOf(c)
	opts := expiry.Options{Now: env.Now(), Stdin: env.Stdin, ServerName: c.String("servername"), Concurrency: c.Int("concurrency")}
	var err error
	if c.IsSet("within") {
		if opts.Within, err = parseDuration(c.String("within")); err != nil {
			return usageErrorf("--within: %v", err)
		}
		opts.HaveWithin = true
	}
	if opts.Timeout, err = parseTimeout(c.String("timeout")); err != nil {
		return usageErrorf("--timeout: %v", err)
	}
	if opts.Concurrency < 1 {
		return usageErrorf("--concurrency must be at least 1, not %d", opts.Concurrency)
	}
	if opts.StartTLS, err = startTLSFlag(c); err != nil {
		return err
	}
	metrics := c.String("metrics")
	opts.Detail = metrics != "" || c.Bool("json")
	if metrics == "-" && c.Bool("json") {
		return usageErrorf("--metrics - and --json both want stdout: write the metrics to a file")
	}
	var endpoints []probe.Target
	if p := c.String("targets-file"); p != "" {
		if endpoints, err = readTargetsFile(p); err != nil {
			return err
		}
	}
	if c.NArg() == 0 && len(endpoints) == 0 {
		return usageErrorf("usage: trustctl expiry SOURCE... [--within 60d] (or --targets-file FILE)")
	}
	if opts.Password, opts.HavePassword, err = readSecret(c, pwStore); err != nil {
		return err
	}
	bar := newProgress(env, !c.Bool("json") && metrics != "-", "reading")
	opts.Progress = bar.update
	rep, err := expiry.Run(env.Context, c.Args().Slice(), endpoints, opts)
	bar.finish()
	if err != nil {
		return usageErrorf("%v", err)
	}
	if metrics != "" {
		if metrics == "-" {
			err = rep.WriteMetrics(env.Stdout)
		} else {
			err = rep.WriteMetricsFile(metrics)
		}
		if err != nil {
			return fmt.Errorf("--metrics: %w", err)
		}
	}
	switch {
	case c.Bool("json"):
		if err := render.ExpiryJSON(env.Stdout, rep, c.String("within")); err != nil {
			return err
		}
	case metrics != "-":
		for _, n := range rep.Notes {
			fmt.Fprintf(env.Stderr, "trustctl: note: %s\n", n)
		}
		if err := render.Expiry(env.Stdout, rep, env.colour()); err != nil {
			return err
		}
	}
	if rep.Failed() {
		return checkFailed("%s", rep.Summary(c.String("within")))
	}
	return nil
}
