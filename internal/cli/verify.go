package cli

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/ocsp"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
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
certificate policies, critical extensions, the host name (a wildcard over a
public suffix such as *.com matches no host), RSA keys of at least 1024 bits,
and revocation (--crl, --ocsp) with the scope of each CRL. A chain that fails
is explained in words: the certificate at fault and its place in the chain,
the rule, and what would fix it. Without --roots the system roots are used.

Several CERT files are checked in one run, against the same roots,
intermediates and CRLs, each shared certificate checked once: one verdict
per file in a table (--json: a JSON array, each with its "verdict"; with
one CERT, the one result). A verdict is valid, invalid (with the first
problem) or unreadable (with the reason: the file is missing, holds no
certificate, or cannot be parsed); a file that cannot be read does not
stop the others from being checked.

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
   2  bad usage or unreadable input (a CERT that is missing, holds no
      certificate or cannot be read, unreadable --roots, unknown --purpose
      or --profile, bad --at); with several CERTs, every file is still
      checked, and 2 takes precedence over 1 when any CERT is unreadable`,
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
	in, err := source.LoadVerifyInputs(source.VerifyFiles{
		Certs:         c.Args().Slice(),
		Intermediates: c.StringSlice("intermediates"),
		Roots:         c.StringSlice("roots"),
		CRLs:          c.StringSlice("crl"),
		CheckRoot: func(der []byte) error {
			_, err := chain.ParseCert(der)
			return err
		},
	}, source.Options{Password: pw, HavePassword: havePW})
	if err != nil {
		var ie *source.InputError
		if errors.Is(err, store.ErrWrongPassword) || errors.As(err, new(*store.NeedPasswordError)) {
			return sourceError(err, havePW)
		}
		if errors.As(err, &ie) && ie.Flag == "--roots" {
			return withHint(err, "--roots takes a truststore (JKS, PKCS#12), a PEM bundle, a DER certificate or a directory of them")
		}
		return err
	}
	opts := chain.VerifyOptions{
		Context:           env.Context,
		IntermediatesDER:  in.IntermediatesDER,
		RootsDER:          in.RootsDER,
		UnreadableRoots:   in.UnreadableRoots,
		SystemRoots:       len(c.StringSlice("roots")) == 0 || c.Bool("system-roots"),
		Host:              c.String("host"),
		Purpose:           purpose,
		Profile:           c.String("profile"),
		At:                at,
		CRLs:              in.CRLs,
		RequireRevocation: c.Bool("require-revocation"),
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
	results, err := verifyAll(v, in)
	if err != nil {
		return err
	}
	if err := render.Verdicts(env.Stdout, results, c.Bool("json"), env.colour()); err != nil {
		return err
	}
	return verifyOutcome(results)
}

// verifyAll verifies every leaf that could be read and gives each CERT
// its verdict, the notes about the inputs first. With one CERT, a leaf
// the validator cannot read is an error (exit 2); with several, it is a
// verdict with Error set, as a file that could not be loaded is.
func verifyAll(v *chain.Verifier, in *source.VerifyInputs) ([]*render.Verdict, error) {
	var todo []chain.Leaf
	for _, l := range in.Leaves {
		if l.Err == nil {
			todo = append(todo, chain.Leaf{DER: l.DER, Extra: l.Extra})
		}
	}
	done := v.VerifyAll(todo)
	results := make([]*render.Verdict, len(in.Leaves))
	for i, l := range in.Leaves {
		results[i] = &render.Verdict{File: l.Path}
		if l.Err != nil {
			results[i].Error = l.Err.Error()
			continue
		}
		d := done[0]
		done = done[1:]
		if d.Err != nil {
			if len(in.Leaves) == 1 {
				return nil, fmt.Errorf("%s: %w", l.Path, d.Err)
			}
			results[i].Error = fmt.Sprintf("%s: %v", l.Path, d.Err)
			continue
		}
		d.Result.Notes = append(append(append([]string(nil), in.Notes...), l.Notes...), d.Result.Notes...)
		results[i].Result = d.Result
	}
	return results, nil
}

// verifyOutcome decides verify's exit: 2 when any CERT could not be read
// (input that cannot be read is exit 2, whatever became of the others),
// else 1 (with the first problem of one CERT, or how many of several
// failed) when any chain is invalid, else 0.
func verifyOutcome(vs []*render.Verdict) error {
	if len(vs) == 1 {
		if res := vs[0].Result; res != nil && !res.Valid {
			msg := "the chain is invalid"
			if len(res.Problems) > 0 {
				msg += ": " + render.FirstProblem(res.Problems)
			}
			return checkFailed("%s", msg)
		}
		return nil
	}
	unreadable, invalid := 0, 0
	for _, v := range vs {
		switch v.Word() {
		case render.VerdictUnreadable:
			unreadable++
		case render.VerdictInvalid:
			invalid++
		}
	}
	switch {
	case unreadable > 0 && invalid > 0:
		return fmt.Errorf("%d of %d files could not be read, and %d of %d chains are invalid", unreadable, len(vs), invalid, len(vs))
	case unreadable > 0:
		return fmt.Errorf("%d of %d files could not be read", unreadable, len(vs))
	case invalid > 0:
		return checkFailed("%d of %d chains are invalid", invalid, len(vs))
	}
	return nil
}
