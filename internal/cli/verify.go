package cli

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/ocsp"
	"github.com/trustctl/trustctl/internal/source"
)

func verifyCommand() *ucli.Command {
	flags := []ucli.Flag{
		&ucli.StringSliceFlag{Name: "roots", Usage: "trusted roots: a truststore (JKS, PKCS#12), PEM bundle, DER file or directory (repeatable; default: the system roots)"},
		&ucli.BoolFlag{Name: "system-roots", Usage: "trust the system roots as well as --roots"},
		&ucli.StringSliceFlag{Name: "intermediates", Usage: "more certificates the chain may go through (repeatable)"},
		&ucli.StringFlag{Name: "host", Usage: "the `NAME` (DNS name or IP address) the certificate must be valid for"},
		&ucli.StringFlag{Name: "purpose", Usage: "what the certificate is for: `server|client|codesign|any` (default: server with --host, any otherwise)"},
		&ucli.StringFlag{Name: "profile", Value: chain.ProfileRFC5280, Usage: "rules to apply: `rfc5280|webpki` (webpki adds the CA/Browser Forum Baseline Requirements)"},
		&ucli.StringFlag{Name: "at", Usage: "validate as of `TIME` (RFC 3339, e.g. 2026-03-01T00:00:00Z) instead of now"},
		&ucli.BoolFlag{Name: "ocsp", Usage: "ask each certificate's OCSP responder (every certificate below the root)"},
		&ucli.StringFlag{Name: "ocsp-url", Usage: "ask this OCSP responder `URL` instead of the one in the certificates (implies --ocsp)"},
		&ucli.StringSliceFlag{Name: "crl", Usage: "check revocation against the CRLs in `SOURCE` (PEM or DER; repeatable)"},
		&ucli.BoolFlag{Name: "require-revocation", Usage: "fail unless every certificate below the root has a current OCSP or CRL answer"},
		jsonFlag,
	}
	flags = append(flags, secretFlags(pwSource, "password of the truststores given to --roots and --intermediates")...)
	return &ucli.Command{
		Name:      "verify",
		Usage:     "build and check certificate chains to a trusted root",
		ArgsUsage: "CERT...",
		Description: `Builds the paths from each CERT (the first certificate in the file; the rest of
the file counts as intermediates for it) to a trusted root and validates them
as RFC 5280 section 6 says, as of --at: signatures, validity, name chaining,
CA flags and path lengths, key and extended key usage, name constraints,
certificate policies, critical extensions, the host name, and revocation
(--crl, --ocsp) with the scope of each CRL. A chain that fails is explained
in words: the certificate at fault and its place in the chain, the rule, and
what would fix it. Without --roots the system roots are used.

Several CERT files are checked in one run, against the same roots,
intermediates and CRLs, each shared certificate checked once: one verdict
per file in a table (--json: a JSON array; with one CERT, the one result).

EXAMPLES:
   trustctl verify gateway-host.pem --roots acme-ca.pfx --source-password changeit
   trustctl verify server.crt --intermediates issuing-ca.pem --roots corp-root.pem --host api.example.com
   trustctl verify client.pem --roots truststore.jks --purpose client --crl acme-issuing.crl
   trustctl verify leaf.pem --ocsp --require-revocation
   trustctl verify leaf.pem --roots roots/ --at 2027-01-01T00:00:00Z --json
   trustctl verify certs/*.pem --roots corp-root.pem --intermediates issuing-ca.pem --profile webpki

EXIT CODES:
   0  every chain is valid
   1  a chain is invalid (expired, untrusted, wrong name or purpose, revoked, ...)
   2  bad usage or unreadable input (no certificate in CERT, unknown --purpose
      or --profile, bad --at)`,
		Flags:  flags,
		Action: runVerify,
	}
}

func runVerify(c *ucli.Context) error {
	if err := needArgs(c, 1, -1, "CERT..."); err != nil {
		return err
	}
	env := envOf(c)
	// Flags first, before any file is read.
	purpose := c.String("purpose")
	if purpose == "" && c.String("host") != "" {
		purpose = "server"
	}
	if _, err := chain.ParsePurpose(purpose); err != nil {
		return usageErrorf("--purpose %q: use server, client, codesign or any", c.String("purpose"))
	}
	if _, err := chain.ParseProfile(c.String("profile")); err != nil {
		return usageErrorf("--profile %q: use rfc5280 or webpki", c.String("profile"))
	}
	at := env.Now()
	if s := c.String("at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return usageErrorf("--at %q: not an RFC 3339 time (like 2026-03-01T00:00:00Z)", s)
		}
		at = t
	}
	if u := c.String("ocsp-url"); u != "" {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return usageErrorf("--ocsp-url %q: not an http:// or https:// URL", u)
		}
	}
	pw, havePW, err := readSecret(c, pwSource)
	if err != nil {
		return err
	}
	srcOpts := source.Options{Password: pw, HavePassword: havePW}
	leaves, err := loadLeaves(c.Args().Slice(), srcOpts)
	if err != nil {
		return err
	}
	opts := chain.VerifyOptions{
		Context:           env.Context,
		Host:              c.String("host"),
		Purpose:           purpose,
		Profile:           c.String("profile"),
		At:                at,
		RequireRevocation: c.Bool("require-revocation"),
	}
	var notes []string
	// Roots and intermediates are read leniently: a block that is not a
	// certificate is passed over with a note naming it, and the rest used.
	pool := srcOpts
	pool.Lenient = true
	for _, p := range c.StringSlice("intermediates") {
		s, err := source.Load(p, pool)
		if err != nil {
			return fmt.Errorf("--intermediates: %w", err)
		}
		opts.IntermediatesDER = append(opts.IntermediatesDER, rawCerts(s)...)
		notes = append(notes, prefixed("--intermediates", s.Notes)...)
		notes = append(notes, storeNotes(s)...)
	}
	for _, p := range c.StringSlice("roots") {
		s, err := source.Load(p, pool)
		if err != nil {
			return withHint(fmt.Errorf("--roots: %w", err), "--roots takes a truststore (JKS, PKCS#12), a PEM bundle, a DER certificate or a directory of them")
		}
		if len(s.Certs) == 0 && len(s.Notes) == 0 {
			return fmt.Errorf("--roots %s: no certificate found", p)
		}
		notes = append(notes, prefixed("--roots", s.Notes)...)
		opts.UnreadableRoots = append(opts.UnreadableRoots, s.Notes...)
		// A certificate that cannot be read is passed over, named; the
		// others are still used.
		for _, f := range s.Certs {
			if _, err := chain.ParseCert(f.Raw); err != nil {
				notes = append(notes, fmt.Sprintf("--roots %s: passed over %s, which cannot be read as a certificate (%v)", f.Origin, f.Subject(), err))
				opts.UnreadableRoots = append(opts.UnreadableRoots, f.Subject()+" in "+f.Origin)
				continue
			}
			opts.RootsDER = append(opts.RootsDER, f.Raw)
		}
		notes = append(notes, storeNotes(s)...)
	}
	opts.SystemRoots = len(c.StringSlice("roots")) == 0 || c.Bool("system-roots")
	for _, p := range c.StringSlice("crl") {
		got, err := loadCRLs(p, srcOpts)
		if err != nil {
			return fmt.Errorf("--crl %s: %w", p, err)
		}
		opts.CRLs = append(opts.CRLs, got...)
	}
	if c.Bool("ocsp") || c.String("ocsp-url") != "" {
		opts.OCSP = ocsp.ForChain(ocsp.CheckOptions{URL: c.String("ocsp-url"), Now: env.Now})
	}
	v, err := chain.NewVerifier(opts)
	if err != nil {
		if errors.Is(err, chain.ErrUnknownPurpose) {
			return usageErrorf("--purpose: %v", err)
		}
		return err
	}
	var todo []chain.Leaf
	for _, l := range leaves {
		if l.err == "" {
			todo = append(todo, chain.Leaf{DER: l.der, Extra: l.extra})
		}
	}
	done := v.VerifyAll(todo)
	results := make([]*verdict, len(leaves))
	for i, l := range leaves {
		results[i] = &verdict{File: l.path, Error: l.err}
		if l.err != "" {
			continue
		}
		d := done[0]
		done = done[1:]
		if d.Err != nil {
			if len(leaves) == 1 {
				return fmt.Errorf("%s: %w", l.path, d.Err)
			}
			results[i].Error = fmt.Sprintf("%s: %v", l.path, d.Err)
			continue
		}
		d.Result.Notes = append(append(append([]string(nil), notes...), l.notes...), d.Result.Notes...)
		results[i].Result = d.Result
	}
	return renderVerdicts(env, c.Bool("json"), results)
}

// leafFile is one CERT argument: its first certificate and the rest.
type leafFile struct {
	path  string
	der   []byte
	extra [][]byte
	notes []string
	err   string // why it could not be read, with several CERTs
}

// loadLeaves reads the CERT arguments. With one CERT, a file that cannot
// be read is an error (exit 2); with several, it is a failed verdict of
// its own and the others are still checked.
func loadLeaves(paths []string, opts source.Options) ([]*leafFile, error) {
	out := make([]*leafFile, 0, len(paths))
	for _, p := range paths {
		l := &leafFile{path: p}
		set, err := source.Load(p, opts)
		if err == nil && len(set.Certs) == 0 {
			err = fmt.Errorf("%s: no certificate found", p)
		}
		if err != nil {
			if len(paths) == 1 {
				return nil, err
			}
			l.err = err.Error()
			out = append(out, l)
			continue
		}
		l.der = set.Certs[0].Raw
		l.extra = rawCerts(set)[1:]
		l.notes = storeNotes(set)
		out = append(out, l)
	}
	return out, nil
}

func prefixed(flag string, notes []string) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = flag + " " + n
	}
	return out
}

func rawCerts(s *source.Set) [][]byte {
	out := make([][]byte, len(s.Certs))
	for i, f := range s.Certs {
		out[i] = f.Raw
	}
	return out
}

func storeNotes(s *source.Set) []string {
	var out []string
	for _, st := range s.Stores {
		if !st.Verified {
			out = append(out, st.Origin+": read without its password, so its integrity was not checked")
		}
	}
	return out
}

// loadCRLs reads a CRL source (PEM or DER, a file or a directory)
// through internal/source, which bounds what it reads.
func loadCRLs(p string, opts source.Options) ([]*x509.RevocationList, error) {
	s, err := source.Load(p, opts)
	if err != nil {
		return nil, err
	}
	if len(s.CRLs) == 0 {
		return nil, errors.New("no CRL found")
	}
	return s.CRLs, nil
}
