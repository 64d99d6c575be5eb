package cli

import (
	"fmt"
	"net"
	"os/signal"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/dn"
)

func ocspServeCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "serve",
		Usage: "run an OCSP responder for a CA",
		Description: `Answers OCSP requests (RFC 6960; POST, and GET with the base64 request in
the path) for the certificates the CA in --ca DIR issued: good, revoked
(with reason and time; also below the minimum serial) or unknown. Requests
about another issuer get "unauthorized".

Responses are signed by a delegated responder certificate the CA issues at
start (id-kp-OCSPSigning, id-pkix-ocsp-nocheck, valid --cert-validity,
renewed before it ends; its key lives only in memory) or, with --signer ca,
by the CA key itself. A request nonce is echoed. thisUpdate is a minute in
the past, nextUpdate --validity later; responses to requests without a
nonce are cached until the CA's records change or half their validity has
passed. The records are re-read when they change: revocations take effect
within a millisecond, without a restart. SIGINT or SIGTERM stops it cleanly:
it stops accepting and finishes the requests it is answering.

It serves HTTP/1.x with Go's net/http: GET, and POST of up to 64 KiB; a GET
answered without a nonce may be cached by HTTP caches for half its validity.
Connections kept open are closed after 60 s idle; a request must arrive within
30 s.

EXAMPLES:
   trustctl ocsp serve --ca ./ca --listen 127.0.0.1:8080
   openssl ocsp -issuer ca/ca.crt -cert www.crt -url http://127.0.0.1:8080 -CAfile ca/ca.crt

EXIT CODES:
   0 stopped by a signal; 2 bad usage, wrong CA passphrase, address in use`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "ca", Usage: "the CA `DIR`", Required: true},
			&ucli.StringFlag{Name: "listen", Value: "127.0.0.1:8080", Usage: "`ADDR` to listen on (HOST:PORT; port 0 picks one)"},
			&ucli.StringFlag{Name: "signer", Value: "delegated", Usage: "who signs responses: `delegated` (a responder certificate the CA issues) or ca"},
			&ucli.StringFlag{Name: "validity", Value: "1h", Usage: "`DURATION` from thisUpdate to nextUpdate (h, d)"},
			&ucli.StringFlag{Name: "cert-validity", Value: "7d", Usage: "`DURATION` of the delegated responder certificate"},
		}, caKeyFlags()...),
		Action: runOCSPServe,
	}
}

func runOCSPServe(c *ucli.Context) error {
	if err := needArgs(c, 0, 0, "--ca DIR --listen ADDR"); err != nil {
		return err
	}
	signer := c.String("signer")
	if signer != "delegated" && signer != "ca" {
		return usageErrorf("--signer %q: want delegated or ca", signer)
	}
	validity, err := parseDuration(c.String("validity"))
	if err != nil || validity < time.Minute {
		return usageErrorf("--validity %q: want a duration of at least 1h, like 1h or 1d", c.String("validity"))
	}
	certValidity, err := parseDuration(c.String("cert-validity"))
	if err != nil || certValidity < 2*time.Hour {
		return usageErrorf("--cert-validity %q: want a duration of at least 2h, like 7d", c.String("cert-validity"))
	}
	env := envOf(c)
	a, err := openCA(c, c.String("ca"), true)
	if err != nil {
		return err
	}
	// Listen before issuing the responder certificate: a command that
	// fails (address in use) leaves the CA's records as they were.
	ln, err := net.Listen("tcp", c.String("listen"))
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.String("listen"), err)
	}
	r, err := a.NewResponder(ca.ResponderOptions{
		Delegated: signer == "delegated", CertValidity: certValidity, Validity: validity, Now: env.Now,
		Log: func(s string) { fmt.Fprintf(env.Stderr, "trustctl: ocsp: %s\n", s) },
	})
	if err != nil {
		ln.Close()
		return err
	}
	who := "the CA key"
	if signer == "delegated" {
		who = "a delegated responder certificate"
	}
	fmt.Fprintf(env.Stderr, "trustctl: OCSP responder for %s listening on http://%s (signing with %s)\n", dn.Subject(a.Cert), ln.Addr(), who)
	ctx, stop := signal.NotifyContext(env.Context, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err = r.Serve(ctx, ln)
	if ctx.Err() != nil {
		fmt.Fprintf(env.Stderr, "trustctl: OCSP responder stopped\n")
	}
	return err
}
