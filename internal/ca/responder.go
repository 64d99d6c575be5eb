package ca

import (
	"context"
	"errors"
	"math/big"
	"net"
	"sync"
	"time"

	"github.com/trustctl/trustctl/internal/ocsp"
)

// ResponderOptions configures [CA.NewResponder].
type ResponderOptions struct {
	// Delegated signs responses with a responder certificate the CA issues
	// (id-kp-OCSPSigning, valid CertValidity, its key only in memory) and
	// renews when a third of its life is left; otherwise the CA key signs.
	Delegated    bool
	CertValidity time.Duration
	// Validity is nextUpdate - thisUpdate of each response.
	Validity time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives one line per failed request or renewal (nil: discarded).
	Log func(string)
}

// Responder is the OCSP responder of a CA: it answers from the CA's
// records, re-read when they change, so revocations take effect without a
// restart.
type Responder struct {
	ca      *CA
	o       ResponderOptions
	src     *responderSource
	handler *ocsp.Handler
	renewAt time.Time // zero when signing with the CA key
}

// NewResponder returns the CA's responder, issuing its delegated
// certificate when asked. The CA key must be loaded.
func (c *CA) NewResponder(o ResponderOptions) (*Responder, error) {
	if c.Signer == nil {
		return nil, errors.New("the CA key is not loaded")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &Responder{ca: c, o: o, src: &responderSource{ca: c, now: o.Now, statEvery: time.Millisecond}}
	resp, err := r.newOCSPResponder()
	if err != nil {
		return nil, err
	}
	r.handler = ocsp.NewHandler(resp, o.Log)
	return r, nil
}

// newOCSPResponder builds the signing responder, issuing a fresh delegated
// certificate if the responder signs with one, and sets when to renew it.
func (r *Responder) newOCSPResponder() (*ocsp.Responder, error) {
	now := r.o.Now()
	o := ocsp.ResponderOptions{Issuer: r.ca.Cert, Source: r.src, Signer: r.ca.Signer, Validity: r.o.Validity, Now: r.o.Now, Log: r.o.Log}
	var renewAt time.Time
	if r.o.Delegated {
		key, cert, err := r.ca.IssueResponder(now, r.o.CertValidity)
		if err != nil {
			return nil, err
		}
		if cert.NotAfter.Before(now.Add(r.o.Validity)) {
			return nil, errors.New("the CA certificate expires too soon to issue a responder certificate")
		}
		o.Signer, o.SignerCert = key, cert
		// Renew when a third of its life is left, long before a response
		// signed with it could outlive it.
		renewAt = cert.NotAfter.Add(-cert.NotAfter.Sub(cert.NotBefore) / 3)
	}
	resp, err := ocsp.NewResponder(o)
	if err != nil {
		return nil, err
	}
	r.renewAt = renewAt
	return resp, nil
}

// Serve answers OCSP requests on ln until ctx ends, then stops gracefully
// (see [ocsp.Serve]), renewing the delegated certificate as it goes; a
// failed renewal is logged and tried again a minute later.
func (r *Responder) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if r.o.Delegated {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.renewEvery(ctx, time.Minute)
		}()
	}
	err := ocsp.Serve(ctx, ocsp.NewServer(r.handler, r.o.Log), ln)
	cancel()
	wg.Wait()
	return err
}

// renewEvery looks every period, until ctx ends, whether the delegated
// certificate is due for renewal, and renews it.
func (r *Responder) renewEvery(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.renew()
		}
	}
}

// renew replaces the delegated certificate when it is due; requests being
// answered finish with the old one.
func (r *Responder) renew() {
	if r.o.Now().Before(r.renewAt) {
		return
	}
	resp, err := r.newOCSPResponder()
	if err != nil {
		if r.o.Log != nil {
			r.o.Log("renewing the responder certificate: " + err.Error())
		}
		return
	}
	r.handler.SetResponder(resp)
}

// responderSource answers the responder from the CA's index, re-read only
// when the index file changes.
type responderSource struct {
	ca  *CA
	now func() time.Time
	// statEvery bounds how often the index file is looked at: a busy
	// responder would otherwise stat it for every request. A revocation
	// shows in the answers at most this long after ca revoke has written
	// it. Zero: every request.
	statEvery time.Duration
	// clock measures statEvery (default time.Now).
	clock func() time.Time

	mu      sync.Mutex
	version string
	state   *State

	statMu   sync.Mutex
	statted  time.Time
	statSeen string
}

// ResponderVersion implements [ocsp.ResponderSource].
func (s *responderSource) ResponderVersion() (string, error) {
	if s.statEvery <= 0 {
		return s.ca.ResponderVersion()
	}
	s.statMu.Lock()
	defer s.statMu.Unlock()
	clock := s.clock
	if clock == nil {
		clock = time.Now
	}
	if now := clock(); s.statSeen == "" || now.Sub(s.statted) >= s.statEvery || now.Before(s.statted) {
		v, err := s.ca.ResponderVersion()
		if err != nil {
			return "", err
		}
		s.statSeen, s.statted = v, now
	}
	return s.statSeen, nil
}

// ResponderLookup implements [ocsp.ResponderSource]: a serial below the
// minimum serial is revoked as superseded, from when the minimum was set.
func (s *responderSource) ResponderLookup(v string, serial *big.Int) (ocsp.ResponderEntry, error) {
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
		out.Revoked, out.RevokedAt, out.Reason = true, *e.RevokedAt, reasonCode(e.Reason)
	case s.state.MinSerial != nil && e.Serial.Cmp(s.state.MinSerial) < 0:
		out.Revoked, out.RevokedAt, out.Reason = true, s.state.MinSetAt, reasonCode("superseded")
	}
	return out, nil
}
