package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
)

// attempt is one handshake (possibly retried with legacy settings).
type attempt struct {
	chain  []*certs.Cert
	state  tls.ConnectionState
	auth   ClientAuth
	legacy bool
	err    error
}

// capture collects what the server showed during one handshake, from
// callbacks that run inside crypto/tls.
type capture struct {
	mu    sync.Mutex
	raw   [][]byte
	auth  ClientAuth
	state *tls.ConnectionState
}

func (c *capture) verify(cs tls.ConnectionState) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.raw = nil
	for _, pc := range cs.PeerCertificates {
		c.raw = append(c.raw, pc.Raw)
	}
	c.state = &cs
	return nil
}

// legacySuites is every cipher suite Go implements, secure ones first, so
// an old server still picks the best it has. With an explicit list,
// crypto/tls offers RSA key exchange and 3DES without the tlsrsakex and
// tls3des GODEBUG settings (crypto/tls defaults.go: those only filter the
// default list).
func legacySuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

func (o Options) config(sni string, legacy bool, client *tls.Certificate, cp *capture) *tls.Config {
	cfg := &tls.Config{
		ServerName: sni,
		// The probe reports what it sees; Verify judges it afterwards.
		InsecureSkipVerify: true,
		VerifyConnection:   cp.verify,
		NextProtos:         o.ALPN,
		Time:               o.Now,
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			cp.mu.Lock()
			defer cp.mu.Unlock()
			cp.auth.Requested = true
			cp.auth.AcceptedCAs = decodeNames(cri.AcceptableCAs)
			if client == nil {
				return &tls.Certificate{}, nil
			}
			cp.auth.Sent = true
			return client, nil
		},
	}
	if sni == "" {
		// crypto/tls sends no SNI when ServerName is empty or an IP.
		cfg.ServerName = ""
	}
	if legacy {
		// TLS 1.0 as the client needs no GODEBUG (tls10server is for
		// servers). TLS 1.2 at most, so the Certificate message is in the
		// clear and can be read off the wire when crypto/x509 refuses it.
		cfg.MinVersion = tls.VersionTLS10
		cfg.MaxVersion = tls.VersionTLS12
		cfg.CipherSuites = legacySuites()
	}
	return cfg
}

// decodeNames turns DER distinguished names into RFC 4514 strings; a name
// that does not decode is shown as hex.
func decodeNames(ders [][]byte) []string {
	var out []string
	for _, d := range ders {
		var rdn pkix.RDNSequence
		if rest, err := asn1.Unmarshal(d, &rdn); err != nil || len(rest) > 0 {
			out = append(out, fmt.Sprintf("(undecodable name %x)", d))
			continue
		}
		var n pkix.Name
		n.FillFromRDNSequence(&rdn)
		out = append(out, n.String())
	}
	return out
}

// handshake runs one handshake with Go's defaults and, when the server
// refuses them, once more with legacy settings.
func handshake(ctx context.Context, t Target, o Options, sni string, client *tls.Certificate) *attempt {
	a := try(ctx, t, o, sni, false, client)
	if a.err == nil || !retryLegacy(a) || ctx.Err() != nil {
		return a
	}
	b := try(ctx, t, o, sni, true, client)
	b.legacy = true
	if b.err == nil || len(b.chain) > 0 && len(a.chain) == 0 {
		return b
	}
	return a
}

// retryLegacy: the first attempt failed in the TLS layer, not in the
// connection or the STARTTLS dialogue, and not because of a client
// certificate the server asked for.
func retryLegacy(a *attempt) bool {
	var pe *Error
	if !errors.As(a.err, &pe) || pe.Op != "handshake" {
		return false
	}
	if a.auth.Requested || errors.Is(a.err, ErrTimeout) || errors.Is(a.err, ErrNotTLS) {
		return false
	}
	return true
}

// try is one connection: dial, STARTTLS, handshake.
func try(ctx context.Context, t Target, o Options, sni string, legacy bool, client *tls.Certificate) *attempt {
	a := &attempt{}
	addr := t.Addr()
	dial := o.Dialer
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	raw, err := dial(ctx, "tcp", addr)
	if err != nil {
		a.err = &Error{Op: "connect", Addr: addr, Err: classify(ctx, err)}
		return a
	}
	defer raw.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	// Close the connection when the context ends, so a cancelled probe
	// never waits for the deadline.
	stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var conn net.Conn = raw
	if o.StartTLS != "" {
		c, err := upgraders[o.StartTLS](raw)
		if err != nil {
			a.err = &Error{Op: "starttls", Addr: addr, Err: classify(ctx, err)}
			return a
		}
		conn = c
	}
	rec := &recorder{Conn: conn, on: legacy}
	cp := &capture{}
	tc := tls.Client(rec, o.config(sni, legacy, client, cp))
	herr := tc.HandshakeContext(ctx)
	if herr == nil {
		a.state = tc.ConnectionState()
		// In TLS 1.3 the client's Finished ends its side of the handshake
		// before the server has checked our certificate; a rejection comes
		// as an alert right after (RFC 8446 section 4.4.2.4). Wait briefly
		// for it when a certificate was requested.
		if a.state.Version == tls.VersionTLS13 && cp.auth.Requested {
			until := time.Now().Add(300 * time.Millisecond)
			if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
				until = dl
			}
			_ = tc.SetReadDeadline(until)
			var b [1]byte
			_, rerr := tc.Read(b[:])
			var ne net.Error
			if rerr != nil && !(errors.As(rerr, &ne) && ne.Timeout()) && !errors.Is(rerr, io.EOF) {
				herr = rerr
			}
		}
	}
	cp.mu.Lock()
	a.auth = cp.auth
	raws := cp.raw
	cp.mu.Unlock()
	if len(raws) == 0 {
		// crypto/tls refused a certificate before our callback ran (it
		// parses them first); read the chain off the wire instead.
		raws = rec.certificates()
	}
	for _, d := range raws {
		a.chain = append(a.chain, certs.Parse(d))
	}
	if herr != nil {
		err := classify(ctx, herr)
		if a.auth.Requested && isAlert(herr) {
			err = fmt.Errorf("%w: %v", ErrClientCertRequired, herr)
		}
		a.err = &Error{Op: "handshake", Addr: addr, Err: err}
	}
	return a
}

func isAlert(err error) bool {
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return true
	}
	return strings.Contains(err.Error(), "remote error: tls:")
}

// classify maps network errors to the sentinels, keeping the cause.
func classify(ctx context.Context, err error) error {
	var ne net.Error
	var rhe tls.RecordHeaderError
	var dns *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return ErrTimeout
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, errConnRefused):
		return ErrRefused
	case errors.As(err, &dns):
		return fmt.Errorf("cannot resolve %s: %s", dns.Name, dns.Err)
	case errors.As(err, &rhe):
		return fmt.Errorf("%w (it sent %q)", ErrNotTLS, printable(rhe.RecordHeader[:]))
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, errConnReset):
		return ErrClosed
	}
	return err
}

func printable(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			s.WriteByte(c)
		} else {
			s.WriteByte('.')
		}
	}
	return s.String()
}

// recorder keeps the bytes read during a legacy handshake, so the
// Certificate message can be read even when crypto/tls aborts on it.
type recorder struct {
	net.Conn
	on  bool
	buf []byte
}

const maxRecorded = 1 << 20

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	if r.on && n > 0 && len(r.buf) < maxRecorded {
		r.buf = append(r.buf, p[:n]...)
	}
	return n, err
}

func (r *recorder) certificates() [][]byte {
	if !r.on {
		return nil
	}
	c, _ := ServerCertificates(r.buf)
	return c
}
