package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/ocsp"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/source"
)

func verifyCommand() *ucli.Command {
	flags := []ucli.Flag{
		&ucli.StringSliceFlag{Name: "roots", Usage: "trusted roots: a truststore (JKS, PKCS#12), PEM bundle, DER file or directory (repeatable; default: the system roots)"},
		&ucli.BoolFlag{Name: "system-roots", Usage: "trust the system roots as well as --roots"},
		&ucli.StringSliceFlag{Name: "intermediates", Usage: "more certificates the chain may go through (repeatable)"},
		&ucli.StringFlag{Name: "host", Usage: "the `NAME` (DNS name or IP address) the certificate must be valid for"},
		&ucli.StringFlag{Name: "purpose", Usage: "what the certificate is for: `server|client|codesign|any` (default: server with --host, any otherwise)"},
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
		Usage:     "build and check a certificate's chain to a trusted root",
		ArgsUsage: "CERT",
		Description: `Builds every path from CERT (the first certificate in the file; the rest of the
file counts as intermediates) to a trusted root and checks it as of --at:
signatures, validity, CA flags and path lengths, key and extended key usage,
name constraints, and the host name. A chain that fails is explained in words,
naming the certificate at fault. Without --roots the system roots are used.

EXAMPLES:
   trustctl verify gateway-host.pem --roots acme-ca.pfx --source-password changeit
   trustctl verify server.crt --intermediates issuing-ca.pem --roots corp-root.pem --host api.example.com
   trustctl verify client.pem --roots truststore.jks --purpose client --crl acme-issuing.crl
   trustctl verify leaf.pem --ocsp --require-revocation
   trustctl verify leaf.pem --roots roots/ --at 2027-01-01T00:00:00Z --json

EXIT CODES:
   0  the chain is valid
   1  the chain is invalid (expired, untrusted, wrong name or purpose, revoked, ...)
   2  bad usage or unreadable input (no certificate in CERT, roots that do not
      parse, unknown --purpose, bad --at)`,
		Flags:  flags,
		Action: runVerify,
	}
}

func runVerify(c *ucli.Context) error {
	if err := needArgs(c, 1, 1, "CERT"); err != nil {
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
	var notes []string

	path := c.Args().First()
	set, leaf, err := loadLeaf(path, srcOpts)
	if err != nil {
		return err
	}
	inter := set.X509()[1:]
	notes = append(notes, storeNotes(set)...)

	for _, p := range c.StringSlice("intermediates") {
		s, err := source.Load(p, srcOpts)
		if err != nil {
			return fmt.Errorf("--intermediates: %w", err)
		}
		inter = append(inter, s.X509()...)
		notes = append(notes, skippedNotes(s, "--intermediates")...)
		notes = append(notes, storeNotes(s)...)
	}
	var roots []*x509.Certificate
	for _, p := range c.StringSlice("roots") {
		s, err := source.Load(p, srcOpts)
		if err != nil {
			return withHint(fmt.Errorf("--roots: %w", err), "--roots takes a truststore (JKS, PKCS#12), a PEM bundle, a DER certificate or a directory of them")
		}
		if len(s.Certs) == 0 {
			return fmt.Errorf("--roots %s: no certificate found", p)
		}
		if len(s.X509()) == 0 {
			return fmt.Errorf("--roots %s: none of its %d certificates can be parsed", p, len(s.Certs))
		}
		roots = append(roots, s.X509()...)
		// A certificate crypto/x509 refuses must not break the others.
		notes = append(notes, skippedNotes(s, "--roots")...)
		notes = append(notes, storeNotes(s)...)
	}
	var crls []*x509.RevocationList
	for _, p := range c.StringSlice("crl") {
		got, err := loadCRLs(p, srcOpts)
		if err != nil {
			return fmt.Errorf("--crl %s: %w", p, err)
		}
		crls = append(crls, got...)
	}

	opts := chain.VerifyOptions{
		Context:           env.Context,
		Leaf:              leaf,
		Intermediates:     inter,
		Roots:             roots,
		SystemRoots:       len(roots) == 0 || c.Bool("system-roots"),
		Host:              c.String("host"),
		Purpose:           purpose,
		At:                at,
		CRLs:              crls,
		RequireRevocation: c.Bool("require-revocation"),
	}
	if c.Bool("ocsp") || c.String("ocsp-url") != "" {
		opts.OCSP = ocspChecker(c.String("ocsp-url"), env.Now)
	}
	res, err := chain.Verify(opts)
	if err != nil {
		if errors.Is(err, chain.ErrUnknownPurpose) {
			return usageErrorf("--purpose: %v", err)
		}
		return err
	}
	res.Notes = append(notes, res.Notes...)
	if c.Bool("json") {
		if err := render.JSON(env.Stdout, res); err != nil {
			return err
		}
	} else {
		renderChain(env.Stdout, res, env.StdoutTTY)
	}
	if !res.Valid {
		msg := "the chain is invalid"
		if len(res.Problems) > 0 {
			msg += ": " + res.Problems[0]
			if n := len(res.Problems) - 1; n > 0 {
				msg += fmt.Sprintf(" (and %d more)", n)
			}
		}
		return checkFailed("%s", msg)
	}
	return nil
}

// skippedNotes names the certificates of a roots or intermediates
// source that crypto/x509 refused: they are left out, the rest is used.
func skippedNotes(s *source.Set, flag string) []string {
	var out []string
	for _, f := range s.Certs {
		if f.X509 == nil {
			out = append(out, fmt.Sprintf("%s %s: skipped %s, which crypto/x509 cannot parse (%v)", flag, f.Origin, f.Subject(), f.ParseErr))
		}
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

// loadCRLs reads a CRL source: through internal/source (PEM, DER), or
// chain.ParseCRLs for what the sniffer does not take.
func loadCRLs(p string, opts source.Options) ([]*x509.RevocationList, error) {
	if s, err := source.Load(p, opts); err == nil && len(s.CRLs) > 0 {
		return s.CRLs, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return chain.ParseCRLs(data)
}

// ocspChecker adapts internal/ocsp to chain.RevocationFunc. A responder
// that cannot be asked (none named, unreachable, tryLater) is an unknown
// answer: it fails the chain only under --require-revocation, as browsers
// soft-fail. A response that was received but fails its checks (signature,
// certificate ID, nonce, freshness) may be forged or replayed, so it fails
// the chain.
func ocspChecker(url string, now func() time.Time) chain.RevocationFunc {
	return func(ctx context.Context, cert, issuer *x509.Certificate) (*chain.Revocation, error) {
		r, err := ocsp.Check(ctx, cert, issuer, ocsp.CheckOptions{URL: url, Now: now})
		if err != nil {
			var unreachable *ocsp.UnreachableError
			var status *ocsp.StatusError
			switch {
			case errors.Is(err, ocsp.ErrNoResponder):
				return &chain.Revocation{Source: "ocsp", Status: chain.StatusUnknown, Detail: chain.Name(cert) + " names no OCSP responder"}, nil
			case errors.As(err, &unreachable), errors.As(err, &status):
				return &chain.Revocation{Source: "ocsp", Status: chain.StatusUnknown, Detail: err.Error()}, nil
			}
			return &chain.Revocation{Source: "ocsp", Status: chain.StatusError,
				Detail: fmt.Sprintf("the OCSP response for %s was rejected: %v", chain.Name(cert), err)}, nil
		}
		out := &chain.Revocation{Source: "ocsp", Status: string(r.Status)}
		switch r.Status {
		case ocsp.Revoked:
			t := r.RevokedAt
			out.RevokedAt, out.Reason = &t, r.Reason
			out.Detail = "from " + r.Responder
		case ocsp.Good:
			out.Detail = "from " + r.Responder
		default:
			out.Detail = strings.TrimSpace("the responder does not know the certificate " + r.URL)
		}
		return out, nil
	}
}
