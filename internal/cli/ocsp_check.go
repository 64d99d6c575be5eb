package cli

import (
	"errors"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/dn"
	"github.com/trustctl/trustctl/internal/ocsp"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/source"
)

func ocspCheckCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "check",
		Usage:     "query the OCSP status of one certificate",
		ArgsUsage: "CERT",
		Description: `Asks the certificate's OCSP responder (or --url) for its status and
verifies the answer: signed by the issuer or by a responder certificate the
issuer gave the OCSP-signing extended key usage, about this certificate,
fresh, and echoing the request's nonce when it echoes one.

CERT is the first certificate of a file (PEM or DER, or a store). --issuer
is searched for the certificate that issued it; without --issuer, the rest
of CERT's file is.

EXAMPLES:
   trustctl ocsp check server.crt --issuer intermediate.crt
   trustctl ocsp check fullchain.pem --url http://ocsp.example.com --json

EXIT CODES:
   0  the certificate is good
   1  revoked or unknown, the response was rejected, or the responder could not be reached
   2  bad usage or unreadable input`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "issuer", Usage: "`SOURCE` holding the issuer's certificate (a file, bundle, store or directory)"},
			&ucli.StringFlag{Name: "url", Usage: "responder `URL`, instead of the one in the certificate"},
			&ucli.DurationFlag{Name: "timeout", Value: ocsp.DefaultTimeout, Usage: "give up on the responder after this long"},
			&ucli.BoolFlag{Name: "no-nonce", Usage: "send no nonce (for responders that reject requests with one)"},
			jsonFlag,
		}, secretFlags(pwSource, "password of a password-protected CERT or issuer store")...),
		Action: runOCSPCheck,
	}
}

func runOCSPCheck(c *ucli.Context) error {
	if c.NArg() != 1 {
		return usageErrorf("ocsp check takes one CERT argument, got %d", c.NArg())
	}
	if c.Duration("timeout") <= 0 {
		return usageErrorf("--timeout must be positive, like 10s")
	}
	if u := c.String("url"); c.IsSet("url") && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return usageErrorf("--url %q: an OCSP responder URL starts with http:// or https://", u)
	}
	pw, havePw, err := readSecret(c, pwSource)
	if err != nil {
		return err
	}
	opts := source.Options{Password: pw, HavePassword: havePw}
	certPath := c.Args().First()
	set, cert, err := loadLeaf(certPath, opts)
	if err != nil {
		return err
	}
	candidates := set.X509()[1:]
	if p := c.String("issuer"); p != "" {
		iset, err := source.Load(p, opts)
		if err != nil {
			return err
		}
		candidates = append(iset.X509(), candidates...)
	}
	issuer := ocsp.FindIssuer(cert, candidates)
	if issuer == nil {
		err := fmt.Errorf("no issuer of %s (issued by %s) found", dn.Subject(cert), dn.Issuer(cert))
		if !c.IsSet("issuer") {
			return withHint(err, "give the issuing CA's certificate with --issuer SOURCE")
		}
		return err
	}

	env := envOf(c)
	res, err := ocsp.Check(env.Context, cert, issuer, ocsp.CheckOptions{
		URL:     c.String("url"),
		Timeout: c.Duration("timeout"),
		Now:     env.Now,
		NoNonce: c.Bool("no-nonce"),
	})
	if err != nil {
		return ocspCheckError(err)
	}
	if c.Bool("json") {
		err = render.OCSPJSON(env.Stdout, cert, res)
	} else {
		err = render.OCSP(env.Stdout, cert, res)
	}
	if err != nil {
		return err
	}
	switch res.Status {
	case ocsp.Good:
		return nil
	case ocsp.Revoked:
		return checkFailed("%s is revoked since %s (%s)", dn.Subject(cert), render.OCSPTime(res.RevokedAt), res.Reason)
	default:
		return checkFailed("the responder does not know %s (status unknown)", dn.Subject(cert))
	}
}

// ocspCheckError sorts Check's errors: a certificate without a responder
// or a wrong issuer is bad input (2); everything about the responder and
// its answer is a failed check (1).
func ocspCheckError(err error) error {
	var ue *ocsp.UnreachableError
	var re *ocsp.StatusError
	switch {
	case errors.Is(err, ocsp.ErrNoResponder):
		return withHint(err, "pass the responder with --url URL")
	case errors.Is(err, ocsp.ErrNotIssuer):
		return err
	case errors.As(err, &ue):
		if ue.Timeout() {
			return withHint(checkFailed("%v", err), "a slow responder may need a longer --timeout")
		}
		return checkFailed("%v", err)
	case errors.As(err, &re):
		return checkFailed("%v", err)
	}
	return checkFailed("OCSP response rejected: %v", err)
}
