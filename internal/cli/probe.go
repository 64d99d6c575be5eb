package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/probe"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/safefile"
	"github.com/trustctl/trustctl/internal/store"
)

func probeCommand() *ucli.Command {
	flags := []ucli.Flag{
		&ucli.StringFlag{Name: "servername", Usage: "`NAME` to send in SNI and to match the certificate against (default: the host, when it is a name)"},
		&ucli.BoolFlag{Name: "no-sni", Usage: "send no server name; no name is checked then, unless --expect-name asks for one"},
		&ucli.StringFlag{Name: "starttls", Usage: "upgrade a plain connection first: `PROTOCOL` smtp|imap|pop3|ftp|ldap|postgres|mysql"},
		&ucli.StringFlag{Name: "timeout", Value: "10s", Usage: "give up on a target after `DURATION` (10s, 1m; a bare number is seconds)"},
		&ucli.StringFlag{Name: "targets-file", Usage: "read targets from `FILE`: one \"HOST:PORT [SERVERNAME]\" a line, # comments"},
		&ucli.IntFlag{Name: "concurrency", Value: probe.DefaultConcurrency, Usage: "probe up to `N` targets at once"},
		&ucli.StringSliceFlag{Name: "roots", Usage: "verify the presented chain against the roots in `SOURCE` (truststore, PEM, DER, directory; repeatable)"},
		&ucli.StringFlag{Name: "client-cert", Usage: "offer the client certificate in `SOURCE` (PKCS#12, JKS, or PEM with --client-key)"},
		&ucli.StringFlag{Name: "client-key", Usage: "private key `FILE` (PEM or DER) of a PEM --client-cert"},
		&ucli.StringFlag{Name: "expect-fingerprint", Usage: "fail unless the leaf's SHA-256 fingerprint is `HEX` (with or without colons)"},
		&ucli.StringFlag{Name: "expect-name", Usage: "fail unless the leaf is valid for `NAME`"},
		&ucli.StringFlag{Name: "save", Usage: "import the CA certificates presented into the truststore `STORE`"},
		encryptionFlag,
		jsonFlag,
	}
	flags = append(flags, typeFlag)
	flags = append(flags, secretFlags(pwStore, "password of the --client-cert store and of the --save store")...)
	flags = append(flags, secretFlags(pwKey, "password of the client key (default: the store password)")...)
	flags = append(flags, secretFlags(pwSource, "password of the truststores given to --roots")...)
	return &ucli.Command{
		Name:      "probe",
		Usage:     "show the certificate chain a TLS endpoint presents",
		ArgsUsage: "HOST[:PORT]...",
		Description: `Handshakes with each endpoint (default port 443; IPv6 as [::1]:443) and shows
what it presents: every certificate of the chain as sent (subject, issuer,
SANs, validity, key, SHA-256 fingerprint), problems with the chain's order
and completeness, the TLS version, cipher suite and ALPN protocol, a stapled
OCSP response, SCTs, and whether the leaf is valid for the name asked for.

It also handshakes without SNI and with a random name, and says plainly when
the server answers with its default certificate instead of one for the name
(a keystore that did not load shows up this way). Servers that refuse Go's
defaults are retried with TLS 1.0 and every cipher suite Go has, and what
was weak is listed. The chain is shown even when it does not verify or does
not parse.

--client-cert offers a client certificate (mutual TLS). Whether or not one is
given, probe reports when the server asks for one and the CA names it
accepts. --password opens the --client-cert store and the --save store.
The client key's password (an encrypted --client-key, or a JKS key entry)
is --key-password when given, else --password, as keytool takes the store
password for a key entry; --source-password is for --roots.

EXAMPLES:
   # Does the server present primary-host's certificate, not its fallback?
   trustctl probe localhost:2560 --servername primary-host
   # PostgreSQL requiring client certificates
   trustctl probe db.example:5432 --starttls postgres --client-cert client.pfx --password ''
   trustctl probe mail.example:25 --starttls smtp --roots corp-root.pem
   trustctl probe --targets-file endpoints.txt --json
   # Trust on first use: save the CA certificates a server presents
   trustctl probe gateway-host:443 --save acme-ca.p12 --password-env TRUSTSTORE_PASSWORD

EXIT CODES:
   0 every target handshook and passed its checks
   1 a target failed: no handshake, a certificate that does not match the
     name, a failed expectation or verification
   2 bad usage or unreadable input (--roots, --client-cert, --targets-file)`,
		Flags:  flags,
		Action: runProbe,
	}
}

func runProbe(c *ucli.Context) error {
	env := envOf(c)
	// Flag combinations and inputs first: nothing is dialled on bad usage.
	targets, err := probeTargets(c)
	if err != nil {
		return err
	}
	timeout, err := parseTimeout(c.String("timeout"))
	if err != nil {
		return usageErrorf("--timeout: %v", err)
	}
	if n := c.Int("concurrency"); n < 1 {
		return usageErrorf("--concurrency must be at least 1, not %d", n)
	}
	st, err := startTLSFlag(c)
	if err != nil {
		return err
	}
	if c.String("save") == safefile.Stdin {
		return usageErrorf("--save changes STORE in place, so it cannot be standard input (-): name a file")
	}
	if c.IsSet("client-key") && !c.IsSet("client-cert") {
		return usageErrorf("--client-key needs --client-cert (the certificate that goes with the key)")
	}
	if c.Bool("no-sni") && c.IsSet("servername") {
		return usageErrorf("--servername and --no-sni contradict each other: --no-sni sends no name; check the certificate against one with --expect-name NAME")
	}
	if c.Bool("no-sni") {
		// A SERVERNAME in the targets file is a --servername for its line.
		for _, t := range targets {
			if t.ServerName != "" {
				return usageErrorf("--targets-file gives %s the server name %s, which --no-sni would not send: drop one, or check the name with --expect-name NAME", t, t.ServerName)
			}
		}
	}
	exp := probe.Expect{Name: c.String("expect-name"), Now: env.Now()}
	if c.IsSet("expect-fingerprint") {
		exp.Fingerprint = certs.ParseFingerprint(c.String("expect-fingerprint"))
		if len(exp.Fingerprint) != 32 {
			return usageErrorf("--expect-fingerprint: want a SHA-256 fingerprint (64 hex digits, colons optional)")
		}
	}
	if paths := c.StringSlice("roots"); len(paths) > 0 {
		set, err := loadSources(c, paths)
		if err != nil {
			return fmt.Errorf("--roots: %w", err)
		}
		exp.Roots = set.X509()
		if len(exp.Roots) == 0 {
			return fmt.Errorf("--roots: no certificate found in %s", strings.Join(paths, ", "))
		}
	}
	opts := probe.Options{
		ServerName: c.String("servername"),
		NoSNI:      c.Bool("no-sni"),
		StartTLS:   st,
		Timeout:    timeout,
		Now:        env.Now,
	}
	if st == "" {
		// Offer what browsers offer so the server shows its ALPN choice.
		opts.ALPN = []string{"h2", "http/1.1"}
	}
	if c.IsSet("client-cert") {
		if opts.ClientCert, err = loadClientCert(c); err != nil {
			return err
		}
	}

	bar := newProgress(env, !c.Bool("json"), "probing")
	outs := probe.ProbeAll(env.Context, targets, opts, c.Int("concurrency"), bar.update)
	bar.finish()
	now := env.Now()
	reports := make([]render.ProbeReport, len(outs))
	failed, fallback := 0, ""
	for i, o := range outs {
		v := probe.Judge(o, exp)
		reports[i] = render.NewProbeReport(o, v, now)
		if !v.OK {
			failed++
		}
		if v.Fallback && fallback == "" {
			// The name of the first target that fell back, for the hint.
			fallback = reports[i].Name
		}
	}

	var saved *render.ProbeSave
	if path := c.String("save"); path != "" {
		saved, err = saveProbed(c, path, outs)
		if err != nil {
			return err
		}
	}

	if c.Bool("json") {
		err = render.ProbeJSON(env.Stdout, reports, saved, failed == 0)
	} else if err = render.ProbeText(env.Stdout, reports, saved, env.colour()); err == nil && len(reports) > 1 {
		err = render.ProbeSummary(env.Stdout, reports, env.colour())
	}
	if err != nil {
		return reported(c.String("save"), saved != nil && saved.Changed, err)
	}
	if failed == 0 {
		return nil
	}
	if len(reports) == 1 {
		err = checkFailed("%s: %s", reports[0].Target, reports[0].Failures[0])
	} else {
		err = checkFailed("%d of %d targets failed", failed, len(reports))
	}
	if fallback != "" {
		// What seed 002 tells people to check when s_client shows the
		// fallback certificate.
		return withHint(err, "the server fell back to its default certificate: check that it loaded the keystore for "+fallback+" (path, file readable, password)")
	}
	return err
}

// probeTargets reads the arguments and --targets-file, and checks them all
// before anything is dialled.
func probeTargets(c *ucli.Context) ([]probe.Target, error) {
	var ts []probe.Target
	var bad []string
	for _, a := range c.Args().Slice() {
		t, err := probe.ParseTarget(a)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		ts = append(ts, t)
	}
	if len(bad) > 0 {
		return nil, usageErrorf("%s", strings.Join(bad, "; "))
	}
	if p := c.String("targets-file"); p != "" {
		more, err := readTargetsFile(p)
		if err != nil {
			return nil, err
		}
		ts = append(ts, more...)
	}
	if len(ts) == 0 {
		return nil, usageErrorf("usage: trustctl probe HOST[:PORT]... (or --targets-file FILE)")
	}
	return ts, nil
}

// saveProbed imports the CA certificates the targets presented (each once)
// into a truststore, as import does.
func saveProbed(c *ucli.Context, path string, outs []probe.Outcome) (*render.ProbeSave, error) {
	cas := probe.PresentedCAs(outs)
	sv := &render.ProbeSave{Store: path, Added: []string{}, Present: []string{}}
	if len(cas) == 0 {
		sv.NoneSent = true
		return sv, nil
	}
	epoch, err := sourceDateEpoch(c)
	if err != nil {
		return nil, err
	}
	changed, err := changeStore(c, path, true, func(st *store.Store) (bool, error) {
		res, err := st.Import(cas, store.ImportOptions{Epoch: epoch})
		if err != nil {
			return false, err
		}
		for _, e := range res.Added {
			sv.Added = append(sv.Added, e.Alias+"  "+e.Cert().Subject())
		}
		for _, s := range res.Skipped {
			sv.Present = append(sv.Present, s.Alias+"  "+s.Cert.Subject())
		}
		return res.Changed(), nil
	})
	if err != nil {
		return nil, fmt.Errorf("--save %s: %w", path, err)
	}
	sv.Changed = changed
	return sv, nil
}
