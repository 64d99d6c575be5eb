// Package probe handshakes with TLS endpoints and reports what they present:
// the certificate chain exactly as sent, the protocol version, cipher suite,
// ALPN, a stapled OCSP response, SCTs, client-certificate requests, and
// whether the server picked its certificate by SNI or answered with its
// default one. It upgrades plain connections with STARTTLS for SMTP, IMAP,
// POP3, FTP, LDAP, PostgreSQL and MySQL, each spoken by hand in its own file.
//
// A probe never trusts what it sees: every handshake skips Go's
// verification and captures the raw certificates, so expired, self-signed
// and unparsable chains are still reported. When a server refuses Go's
// defaults, the probe retries once with TLS 1.0 and every cipher suite Go
// implements and reports what was weak. Verification against roots is
// [Verify], done afterwards on the captured chain.
//
// It leaves out: SSLv3 and older (Go cannot speak them), revocation
// fetching (stapled OCSP is decoded, not fetched), STARTTLS variants beyond
// the seven listed (XMPP, NNTP, RDP), and reading past the handshake.
package probe

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
)

// DefaultTimeout bounds one target when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// DefaultConcurrency is how many targets are probed at once unless told
// otherwise: enough to keep an inventory of hundreds of endpoints short
// when some do not answer, few enough for a small machine and for the
// servers probed.
const DefaultConcurrency = 16

// Options control one probe.
type Options struct {
	// ServerName overrides the name sent in SNI and checked against the
	// leaf. Empty: Target.ServerName, else the host when it is a name.
	ServerName string
	// NoSNI sends no server_name extension at all. No name is then asked
	// for, so none is checked (Result.Name is empty): a server reached
	// without SNI is expected to answer with its default certificate,
	// whatever names that holds. [Expect].Name checks one explicitly.
	NoSNI bool
	// StartTLS is "", or one of [StartTLSProtocols].
	StartTLS string
	// Timeout bounds the whole probe of one target, extra handshakes
	// included. Zero means [DefaultTimeout].
	Timeout time.Duration
	// ClientCert is offered when the server asks for a client certificate.
	// Nil: an empty certificate list is sent, as a browser without one does.
	ClientCert *tls.Certificate
	// ALPN protocols to offer; nil offers none.
	ALPN []string
	// NoFallbackCheck skips the extra handshakes without SNI and with a
	// random name that detect a server answering with its default
	// certificate.
	NoFallbackCheck bool
	// Now is the clock for days left and weak-certificate checks.
	Now func() time.Time
	// Dialer overrides how TCP connections are made (tests); nil uses a
	// net.Dialer.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Error is a probe that learned nothing about the server's certificate:
// the connection, the STARTTLS upgrade or the handshake failed. Op is
// "connect", "starttls" or "handshake".
type Error struct {
	Op   string
	Addr string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s %s: %v", e.Op, e.Addr, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Errors callers may branch on (with errors.Is).
var (
	// ErrRefused: nothing listens on the port.
	ErrRefused = errors.New("connection refused")
	// ErrTimeout: no answer before the deadline.
	ErrTimeout = errors.New("timed out")
	// ErrNotTLS: the peer answered with something that is not TLS.
	ErrNotTLS = errors.New("the server does not speak TLS on this port")
	// ErrClosed: the peer closed the connection during the handshake.
	ErrClosed = errors.New("the server closed the connection during the TLS handshake")
	// ErrNoStartTLS: the server does not offer the STARTTLS upgrade.
	ErrNoStartTLS = errors.New("the server does not offer STARTTLS")
	// ErrClientCertRequired: the server asked for a client certificate and
	// ended the handshake without one it accepted.
	ErrClientCertRequired = errors.New("the server requires a client certificate it accepts")
)

// Result is what one target presented.
type Result struct {
	Target     Target
	Addr       string // address dialed
	ServerName string // name sent in SNI, "" for none
	// Name is the name the leaf was checked against: the server name, or
	// the IP address when there is none; empty with Options.NoSNI.
	Name     string
	StartTLS string

	Version     uint16 // 0 when the handshake did not complete
	CipherSuite uint16
	ALPN        string
	// Legacy is true when only the retry with TLS 1.0 and every cipher
	// suite Go has succeeded (or captured the chain).
	Legacy bool

	// Chain is every certificate as the server sent it, in its order.
	Chain    []*certs.Cert
	Problems []ChainProblem
	// NameMatch reports whether the leaf is valid for Name; NameErr says
	// why not. Both are unset when no name was asked for.
	NameMatch bool
	NameErr   error

	OCSP *OCSPInfo // stapled response, nil when none was stapled
	SCTs []SCT     // embedded in the leaf and sent in the TLS extension
	Weak []string  // weak protocol, cipher and certificate choices, in words

	ClientAuth ClientAuth
	// Fallback compares with the handshakes without SNI and with a random
	// name; nil when they were not done.
	Fallback *Fallback

	// HandshakeErr is set when the handshake did not complete although
	// something was learned (the chain, or a client-certificate request).
	HandshakeErr error
	Elapsed      time.Duration
}

// Leaf is the first certificate sent, or nil.
func (r *Result) Leaf() *certs.Cert {
	if len(r.Chain) == 0 {
		return nil
	}
	return r.Chain[0]
}

// VersionName is "TLS 1.3" and the like, "" before a handshake.
func (r *Result) VersionName() string {
	if r.Version == 0 {
		return ""
	}
	return tls.VersionName(r.Version)
}

// CipherSuiteName is the IANA name of the negotiated suite.
func (r *Result) CipherSuiteName() string {
	if r.Version == 0 {
		return ""
	}
	return tls.CipherSuiteName(r.CipherSuite)
}

// ClientAuth is what the server said about client certificates.
type ClientAuth struct {
	// Requested: the server sent a CertificateRequest.
	Requested bool
	// AcceptedCAs are the certificate_authorities the server named, as
	// RFC 4514 strings; empty means "any" (RFC 5246 section 7.4.4).
	AcceptedCAs []string
	// Sent: a client certificate was offered in reply.
	Sent bool
	// Accepted: the handshake completed with our certificate (or without
	// one when none was sent).
	Accepted bool
}

// Fallback compares the certificate chosen with SNI against the ones sent
// without SNI and for a name no server has.
type Fallback struct {
	// RandomName is the name of the third handshake, made only when the
	// one without SNI failed or presented another certificate; empty when
	// it was not needed.
	RandomName string
	// NoSNILeaf and RandomLeaf are the leaves of the extra handshakes (nil
	// when that handshake failed; NoSNIErr/RandomErr say why).
	NoSNILeaf  *certs.Cert
	NoSNIErr   error
	RandomLeaf *certs.Cert
	RandomErr  error
	// SameAsDefault: the leaf for the name asked for is the server's
	// default (the one sent without SNI or for a random name).
	SameAsDefault bool
	// DefaultPresented: SameAsDefault and the leaf does not match the name
	// asked for, so SNI did not select a certificate.
	DefaultPresented bool
	// Verdict says what the comparison shows, in one sentence.
	Verdict string
}

// Probe handshakes with one target and reports what it presented. The
// error is an *Error (or a *TargetError) when nothing was learned; a
// handshake that failed after the server showed its chain or asked for a
// client certificate is a Result with HandshakeErr set.
func Probe(ctx context.Context, t Target, opts Options) (*Result, error) {
	start := time.Now()
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.StartTLS != "" {
		if _, ok := upgraders[opts.StartTLS]; !ok {
			return nil, fmt.Errorf("unknown STARTTLS protocol %q (want one of %s)", opts.StartTLS, strings.Join(StartTLSProtocols(), ", "))
		}
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	r := &Result{Target: t, Addr: t.Addr(), StartTLS: opts.StartTLS}
	switch {
	case opts.ServerName != "":
		r.Name = opts.ServerName
	case t.ServerName != "":
		r.Name = t.ServerName
	case !t.HostIsIP():
		r.Name = t.Host
	default:
		r.Name = t.Host // an IP: matched against IP SANs, never sent in SNI
	}
	switch {
	case opts.NoSNI:
		r.Name = ""
	case net.ParseIP(r.Name) == nil:
		r.ServerName = r.Name
	}

	// The extra handshakes only make sense when SNI was sent: they are
	// what the server answers without it.
	var (
		wg       sync.WaitGroup
		fb       *Fallback
		noSNI    *attempt
		random   *attempt
		doExtras = r.ServerName != "" && !opts.NoFallbackCheck
	)
	if doExtras {
		fb = &Fallback{}
		wg.Add(1)
		go func() { defer wg.Done(); noSNI = handshake(ctx, t, opts, "", nil) }()
	}
	main := handshake(ctx, t, opts, r.ServerName, opts.ClientCert)
	wg.Wait()
	// A name no server has tells "SNI selected this certificate" from
	// "this is what the server gives any name". It changes the verdict
	// only when the handshake without SNI failed or presented another
	// certificate, so it is made only then: single-certificate servers,
	// the most common, cost two handshakes instead of three.
	if doExtras && main.leaf() != nil && (noSNI.leaf() == nil || !noSNI.leaf().Equal(main.leaf())) {
		fb.RandomName = randomName()
		random = handshake(ctx, t, opts, fb.RandomName, nil)
	}

	if main.err != nil && len(main.chain) == 0 && !main.auth.Requested {
		// Some servers abort on a name they do not serve (alert
		// unrecognized_name, RFC 6066 section 3); say what they serve
		// without it.
		var pe *Error
		if doExtras && noSNI.leaf() != nil && errors.As(main.err, &pe) && pe.Op == "handshake" {
			return nil, &Error{Op: pe.Op, Addr: pe.Addr, Err: fmt.Errorf("%w (without SNI the server presents %s)", pe.Err, shortName(noSNI.leaf()))}
		}
		return nil, main.err
	}
	r.fill(main, opts)
	if doExtras {
		fb.NoSNILeaf, fb.NoSNIErr = noSNI.leaf(), noSNI.err
		if random != nil {
			fb.RandomLeaf, fb.RandomErr = random.leaf(), random.err
		}
		fb.judge(r)
		r.Fallback = fb
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

func (r *Result) fill(a *attempt, opts Options) {
	r.Chain = a.chain
	r.Legacy = a.legacy
	r.ClientAuth = a.auth
	if a.err != nil {
		r.HandshakeErr = a.err
	} else {
		r.Version = a.state.Version
		r.CipherSuite = a.state.CipherSuite
		r.ALPN = a.state.NegotiatedProtocol
		r.ClientAuth.Accepted = true
	}
	now := opts.Now()
	r.Problems = chainProblems(r.Chain)
	if leaf := r.Leaf(); leaf != nil {
		if r.Name != "" {
			r.NameErr = MatchName(leaf, r.Name)
			r.NameMatch = r.NameErr == nil
		}
		if a.err == nil && len(a.state.OCSPResponse) > 0 {
			var issuer *certs.Cert
			if len(r.Chain) > 1 {
				issuer = r.Chain[1]
			}
			r.OCSP = decodeOCSP(a.state.OCSPResponse, leaf, issuer, now)
		}
		r.SCTs = collectSCTs(leaf, a.state.SignedCertificateTimestamps)
	}
	r.Weak = weaknesses(r, now)
}

func (a *attempt) leaf() *certs.Cert {
	if a == nil || len(a.chain) == 0 {
		return nil
	}
	return a.chain[0]
}

// judge compares the leaves and writes the verdict.
func (f *Fallback) judge(r *Result) {
	leaf := r.Leaf()
	if leaf == nil {
		f.Verdict = "no certificate to compare"
		return
	}
	def := f.NoSNILeaf
	if def == nil {
		def = f.RandomLeaf
	}
	same := func(c *certs.Cert) bool { return c != nil && c.Equal(leaf) }
	f.SameAsDefault = same(f.NoSNILeaf) || same(f.RandomLeaf)
	switch {
	case def == nil:
		f.Verdict = "could not compare: the handshakes without SNI and with a random name failed"
	case f.SameAsDefault && !r.NameMatch && meantFor(leaf, r.Name):
		// One certificate for every name, and it is the one for this
		// name, but clients refuse it: the fault is in the certificate.
		f.Verdict = fmt.Sprintf("the server presents the same certificate (%s) with and without SNI; it is meant for %s, but %s", shortName(leaf), r.Name, strings.TrimPrefix(r.NameErr.Error(), "x509: "))
	case f.SameAsDefault && !r.NameMatch:
		f.DefaultPresented = true
		f.Verdict = fmt.Sprintf("the server presented its default certificate (%s), not one for %s: SNI did not select a certificate", shortName(leaf), r.Name)
	case f.SameAsDefault:
		f.Verdict = fmt.Sprintf("the server presents the same certificate (%s) with and without SNI; it matches %s", shortName(leaf), r.Name)
	default:
		f.Verdict = fmt.Sprintf("SNI selected %s; without it the server presents %s", shortName(leaf), shortName(def))
	}
}

// meantFor reports whether the leaf names name in a way clients no longer
// accept: only in its common name, or only through a wildcard over a
// public suffix.
func meantFor(leaf *certs.Cert, name string) bool {
	trim := func(s string) string { return strings.TrimSuffix(s, ".") }
	if strings.EqualFold(trim(leaf.CommonName()), trim(name)) {
		return true
	}
	var dns []string
	var ips []net.IP
	switch {
	case leaf.X509 != nil:
		dns, ips = leaf.X509.DNSNames, leaf.X509.IPAddresses
	case leaf.Lenient != nil:
		dns, ips = leaf.Lenient.DNSNames, leaf.Lenient.IPAddresses
	}
	return certs.SuffixWildcardOnly(dns, ips, name) != ""
}

// shortName is "CN=..." when there is a common name, else the subject.
func shortName(c *certs.Cert) string {
	if cn := c.CommonName(); cn != "" {
		return "CN=" + cn
	}
	if s := c.Subject(); s != "" {
		return s
	}
	return "an empty subject"
}

// randomName is a name no server has a certificate for: .invalid is
// reserved by RFC 2606 section 2.
func randomName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "trustctl-" + hex.EncodeToString(b[:]) + ".invalid"
}

// Outcome is the result of one of several targets.
type Outcome struct {
	Target Target
	Result *Result
	Err    error
}

// ProbeAll probes targets with at most concurrency handshakes at a time
// (1 when less) and returns the outcomes in input order. progress, when not
// nil, is called after each target with the count done.
func ProbeAll(ctx context.Context, targets []Target, opts Options, concurrency int, progress func(done, total int)) []Outcome {
	if concurrency < 1 {
		concurrency = 1
	}
	out := make([]Outcome, len(targets))
	sem := make(chan struct{}, concurrency)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	for i, t := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			o := opts
			if t.ServerName != "" && opts.ServerName == "" {
				o.ServerName = t.ServerName
			}
			res, err := Probe(ctx, t, o)
			out[i] = Outcome{Target: t, Result: res, Err: err}
			if progress != nil {
				mu.Lock()
				done++
				progress(done, len(targets))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}
