package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/expiry"
	"github.com/trustctl/trustctl/internal/probe"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/safefile"
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

type expiryItem struct {
	Origin    string `json:"origin"`
	Subject   string `json:"subject"`
	Issuer    string `json:"issuer"`
	Serial    string `json:"serial"`
	NotBefore string `json:"not_before"`
	NotAfter  string `json:"not_after"`
	DaysLeft  int    `json:"days_left"`
	SHA256    string `json:"sha256"`
	Expiring  bool   `json:"expiring,omitempty"`
}

type expiryUnreadable struct {
	Source string `json:"source"`
	Error  string `json:"error"`
}

type expiryDoc struct {
	Within       string             `json:"within,omitempty"`
	Certificates []expiryItem       `json:"certificates"`
	Unreadable   []expiryUnreadable `json:"unreadable"`
	Expiring     int                `json:"expiring"`
	Files        int                `json:"files_read"`
	Endpoints    int                `json:"endpoints"`
	Notes        []string           `json:"notes,omitempty"`
	OK           bool               `json:"ok"`
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
		var buf bytes.Buffer
		if err := rep.WriteMetrics(&buf); err != nil {
			return err
		}
		if metrics == "-" {
			_, err = env.Stdout.Write(buf.Bytes())
		} else {
			err = safefile.Write(metrics, buf.Bytes(), safefile.Options{Perm: 0o644})
		}
		if err != nil {
			return fmt.Errorf("--metrics: %w", err)
		}
	}
	switch {
	case c.Bool("json"):
		if err := render.JSON(env.Stdout, expiryJSON(rep, c.String("within"))); err != nil {
			return err
		}
	case metrics != "-":
		for _, n := range rep.Notes {
			fmt.Fprintf(env.Stderr, "trustctl: note: %s\n", n)
		}
		if err := printExpiry(env, rep); err != nil {
			return err
		}
	}
	if rep.Failed() {
		return checkFailed("%s", rep.Summary(c.String("within")))
	}
	return nil
}

func expiryJSON(rep *expiry.Report, within string) expiryDoc {
	doc := expiryDoc{Within: within, Certificates: []expiryItem{}, Unreadable: []expiryUnreadable{}, Expiring: rep.Expiring,
		Files: rep.Files, Endpoints: rep.Endpoints, Notes: rep.Notes, OK: !rep.Failed()}
	for _, ct := range rep.Certs {
		doc.Certificates = append(doc.Certificates, expiryItem{
			Origin: ct.Origin, Subject: ct.Subject, Issuer: ct.Issuer, Serial: certs.SerialHex(ct.Serial),
			NotBefore: ct.NotBefore.UTC().Format(time.RFC3339), NotAfter: ct.NotAfter.UTC().Format(time.RFC3339),
			DaysLeft: ct.DaysLeft, SHA256: certs.Fingerprint(ct.SHA256[:]), Expiring: ct.Expiring,
		})
	}
	for _, u := range rep.Unreadable {
		doc.Unreadable = append(doc.Unreadable, expiryUnreadable{Source: u.Source, Error: u.Reason()})
	}
	return doc
}

// printExpiry draws the table: the sources that could not be read first
// (they need a look before anything else), then the certificates, soonest
// first. It is render.Table's table, written a line at a time from the
// report: a report of tens of thousands of certificates built first into
// rows of cells and then into one string would be held three times over.
func printExpiry(env *Env, rep *expiry.Report) error {
	if len(rep.Unreadable) == 0 && len(rep.Certs) == 0 {
		_, err := fmt.Fprintln(env.Stdout, "no certificates found")
		return err
	}
	colour := env.colour()
	unreadable := render.Colour(colour, render.Red, "unreadable")
	// The widths of the padded columns: DAYS, NOT AFTER, SUBJECT.
	widths := [3]int{len("DAYS"), len("NOT AFTER"), len("SUBJECT")}
	if len(rep.Unreadable) > 0 {
		widths[1] = max(widths[1], render.VisibleLen(unreadable))
	}
	for _, u := range rep.Unreadable {
		widths[2] = max(widths[2], render.VisibleLen(u.Reason()))
	}
	var num []byte
	for _, ct := range rep.Certs {
		num = strconv.AppendInt(num[:0], int64(ct.DaysLeft), 10)
		widths[0] = max(widths[0], len(num))
		widths[1] = max(widths[1], len(render.Date(ct.NotAfter)))
		widths[2] = max(widths[2], render.VisibleLen(ct.Subject))
	}
	w := bufio.NewWriterSize(env.Stdout, 64<<10)
	line := func(cells [4]string) {
		for i, c := range cells[:3] {
			w.WriteString(c)
			for range widths[i] - render.VisibleLen(c) + 2 {
				w.WriteByte(' ')
			}
		}
		w.WriteString(cells[3])
		w.WriteByte('\n')
	}
	line([4]string{"DAYS", "NOT AFTER", "SUBJECT", "SOURCE"})
	for _, u := range rep.Unreadable {
		line([4]string{"-", unreadable, u.Reason(), u.Source})
	}
	for _, ct := range rep.Certs {
		days := strconv.Itoa(ct.DaysLeft)
		if ct.Expiring {
			days = render.Colour(colour, render.Red, days)
		}
		line([4]string{days, render.Date(ct.NotAfter), ct.Subject, ct.Origin})
	}
	return w.Flush()
}
