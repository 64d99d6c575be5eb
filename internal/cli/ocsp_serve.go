package cli

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os/signal"
	"sync"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/ocsp"
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
within a millisecond, without a restart. SIGINT or SIGTERM stops it cleanly.

It speaks the HTTP OCSP clients use: HTTP/1.0 and 1.1, GET and POST with a
Content-Length (up to 64 KiB), connections kept open between requests (closed
after 60 s idle). Other requests get a 4xx status and the connection closes.

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
	src := &caResponderSource{ca: a, now: env.Now, statEvery: time.Millisecond}
	logf := func(s string) { fmt.Fprintf(env.Stderr, "trustctl: ocsp: %s\n", s) }

	newResponder := func() (*ocsp.Responder, time.Time, error) {
		o := ocsp.ResponderOptions{Issuer: a.Cert, Source: src, Signer: a.Signer, Validity: validity, Now: env.Now, Log: logf}
		renew := time.Time{}
		if signer == "delegated" {
			key, cert, err := a.IssueResponder(env.Now(), certValidity)
			if err != nil {
				return nil, renew, err
			}
			o.Signer, o.SignerCert = key, cert
			// Renew when a third of its life is left, long before a
			// response signed with it could outlive it.
			renew = cert.NotAfter.Add(-cert.NotAfter.Sub(cert.NotBefore) / 3)
			if cert.NotAfter.Before(env.Now().Add(validity)) {
				return nil, renew, fmt.Errorf("the CA certificate expires too soon to issue a responder certificate")
			}
		}
		r, err := ocsp.NewResponder(o)
		return r, renew, err
	}
	// Listen before issuing the responder certificate: a command that
	// fails (address in use) leaves the CA's records as they were.
	ln, err := net.Listen("tcp", c.String("listen"))
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.String("listen"), err)
	}
	resp, renewAt, err := newResponder()
	if err != nil {
		ln.Close()
		return err
	}
	ctx, stop := signal.NotifyContext(env.Context, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	srv := &ocsp.Server{ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, Log: logf}
	srv.SetResponder(resp)
	who := "the CA key"
	if signer == "delegated" {
		who = "a delegated responder certificate"
	}
	fmt.Fprintf(env.Stderr, "trustctl: OCSP responder for %s listening on http://%s (signing with %s)\n", a.Cert.Subject, ln.Addr(), who)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var tick <-chan time.Time
	if !renewAt.IsZero() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case err := <-errc:
			if errors.Is(err, ocsp.ErrServerClosed) {
				return nil
			}
			return err
		case <-tick:
			if env.Now().Before(renewAt) {
				continue
			}
			r, next, err := newResponder()
			if err != nil {
				logf("renewing the responder certificate: " + err.Error())
				continue
			}
			srv.SetResponder(r)
			renewAt = next
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := srv.Shutdown(sctx)
			cancel()
			fmt.Fprintf(env.Stderr, "trustctl: OCSP responder stopped\n")
			return err
		}
	}
}

// caResponderSource answers the responder from the CA's index, re-read
// only when the index file changes.
type caResponderSource struct {
	ca  *ca.CA
	now func() time.Time
	// statEvery bounds how often the index file is looked at: a busy
	// responder would otherwise stat it for every request. A revocation
	// shows in the answers at most this long after ca revoke has written
	// it. Zero: every request.
	statEvery time.Duration

	mu      sync.Mutex
	version string
	state   *ca.State

	statMu   sync.Mutex
	statted  time.Time // monotonic
	statSeen string
}

func (s *caResponderSource) ResponderVersion() (string, error) {
	if s.statEvery <= 0 {
		return s.ca.ResponderVersion()
	}
	s.statMu.Lock()
	defer s.statMu.Unlock()
	if now := time.Now(); s.statSeen == "" || now.Sub(s.statted) >= s.statEvery || now.Before(s.statted) {
		v, err := s.ca.ResponderVersion()
		if err != nil {
			return "", err
		}
		s.statSeen, s.statted = v, now
	}
	return s.statSeen, nil
}

func (s *caResponderSource) ResponderLookup(v string, serial *big.Int) (ocsp.ResponderEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == nil || v != s.version {
		st, err := s.ca.Records(s.now())
		if err != nil {
			return ocsp.ResponderEntry{}, err
		}
		s.state, s.version = st, v
	}
	e, ok := s.state.Lookup(serial)
	if !ok {
		return ocsp.ResponderEntry{}, nil
	}
	out := ocsp.ResponderEntry{Known: true}
	switch {
	case e.RevokedAt != nil:
		out.Revoked, out.RevokedAt, out.Reason = true, *e.RevokedAt, ca.Reasons[e.Reason]
	case s.state.MinSerial != nil && e.Serial.Cmp(s.state.MinSerial) < 0:
		out.Revoked, out.RevokedAt, out.Reason = true, s.state.MinSetAt, ca.Reasons["superseded"]
	}
	return out, nil
}
