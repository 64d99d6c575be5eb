// Package ocsp asks OCSP responders about certificates and checks what they
// answer (RFC 6960), and serves OCSP for trustctl's CA.
//
// The client side is [Check]: it builds a request with a nonce, POSTs it to
// the responder named in the certificate (or an override), and accepts the
// answer only when it is signed by the issuer or by a responder certificate
// the issuer delegated with the OCSP-signing extended key usage, answers for
// the certificate asked about (issuer name and key hashes and serial), is
// fresh, and echoes the nonce if it echoes one. [ForChain] makes it the
// revocation check of verify --ocsp, with the soft-fail decision, so that
// verify --ocsp and ocsp check share one checker. [Verify] applies the
// same checks to a response obtained some other way: the one a TLS server
// staples, which probe shows.
//
// Responses are parsed with golang.org/x/crypto/ocsp, but its signer check
// is not used: given the issuer, ParseResponse rejects a response signed by
// the issuer that also embeds the issuer's certificate, which is what
// "openssl ocsp" sends by default. The package checks the signer itself.
//
// Left out: GET requests (RFC 5019 section 5; every responder accepts
// POST), requests for several certificates at once, signed requests,
// responder certificate revocation (the id-pkix-ocsp-nocheck convention of
// RFC 6960 section 4.2.2.2.1 is assumed), response caching, and a response
// whose first embedded certificate is not its signer (x/crypto/ocsp rejects
// it).
package ocsp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/dn"
)

// Status is the certificate status a responder reports.
type Status string

// The three certificate statuses of RFC 6960 section 2.2.
const (
	Good    Status = "good"
	Revoked Status = "revoked"
	Unknown Status = "unknown"
)

// Defaults of [CheckOptions].
const (
	DefaultTimeout = 10 * time.Second
	DefaultSkew    = 5 * time.Minute
	// maxResponse bounds what is read from a responder; real responses
	// are a few kilobytes.
	maxResponse = 1 << 20
)

// CheckOptions tunes [Check] and [Verify]. The zero value is ready to use.
type CheckOptions struct {
	// URL overrides the responder; empty uses the first http(s) URL of the
	// certificate's Authority Information Access OCSP entries.
	URL string
	// Timeout bounds the whole exchange; 0 means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock freshness and the responder certificate's validity
	// are checked against; nil means time.Now.
	Now func() time.Time
	// Skew is the clock difference tolerated on thisUpdate and nextUpdate;
	// 0 means DefaultSkew, a negative value none.
	Skew time.Duration
	// NoNonce leaves the nonce out of the request. Nonces are on by
	// default; some CDN-fronted responders serve pre-signed responses and
	// simply do not echo them, which is allowed (RFC 8954 section 2.1).
	NoNonce bool
	// HTTPClient sends the request; nil uses a plain client.
	HTTPClient *http.Client
	// Hash is the certificate ID hash; 0 means SHA-1, which RFC 5019
	// section 2.1.1 requires responders to accept.
	Hash crypto.Hash
}

func (o *CheckOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *CheckOptions) skew() time.Duration {
	switch {
	case o.Skew < 0:
		return 0
	case o.Skew == 0:
		return DefaultSkew
	}
	return o.Skew
}

// Result is a verified answer about one certificate.
type Result struct {
	Status Status
	// RevokedAt and Reason are set for a revoked certificate. Reason is the
	// RFC 5280 name ("keyCompromise"); "unspecified" when the responder
	// gave none.
	RevokedAt  time.Time
	Reason     string
	ThisUpdate time.Time
	// NextUpdate is zero when the responder did not say; Notes says so.
	NextUpdate time.Time
	ProducedAt time.Time
	// Responder is the subject of the certificate that signed the
	// response: the issuer, or a delegated responder when Delegated.
	Responder     string
	ResponderCert *x509.Certificate
	Delegated     bool
	// URL is where the request went; empty for [Verify].
	URL string
	// NonceEchoed says the responder echoed the request's nonce.
	NonceEchoed bool
	// Notes are remarks that did not fail the check, in words.
	Notes []string
	// Raw is the DER response.
	Raw []byte
}

// Errors a caller branches on. Each failure wraps one of them with the
// details in words; test with errors.Is.
var (
	// ErrNoResponder: the certificate names no OCSP responder and no URL
	// was given.
	ErrNoResponder = errors.New("the certificate names no OCSP responder")
	// ErrNotIssuer: the issuer given did not issue the certificate.
	ErrNotIssuer = errors.New("the issuer did not issue the certificate")
	// ErrMalformed: the response does not parse.
	ErrMalformed = errors.New("malformed OCSP response")
	// ErrBadSignature: the response is not signed by the issuer or by a
	// responder the issuer authorised.
	ErrBadSignature = errors.New("OCSP response signature not trusted")
	// ErrIDMismatch: the response is about another certificate.
	ErrIDMismatch = errors.New("OCSP response is for another certificate")
	// ErrCriticalExtension: the response carries a critical extension
	// that is not understood (RFC 6960 section 4.4).
	ErrCriticalExtension = errors.New("OCSP response carries a critical extension trustctl does not understand")
	// ErrNonceMismatch: the response echoes a nonce other than ours.
	ErrNonceMismatch = errors.New("OCSP response nonce does not match the request")
	// ErrStale: thisUpdate is in the future or nextUpdate in the past.
	ErrStale = errors.New("stale OCSP response")
)

// UnreachableError is a responder that could not be asked: a refused or
// timed-out connection, or an HTTP error status. Callers usually soft-fail
// on it, as browsers do, unless revocation checking is required.
type UnreachableError struct {
	URL        string
	StatusCode int // the HTTP status, or 0 when no HTTP answer came
	Err        error
}

func (e *UnreachableError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("OCSP responder %s unreachable: HTTP status %d", e.URL, e.StatusCode)
	}
	if e.Timeout() {
		return fmt.Sprintf("OCSP responder %s unreachable: no answer in time", e.URL)
	}
	return fmt.Sprintf("OCSP responder %s unreachable: %v", e.URL, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Timeout reports whether the responder did not answer in time.
func (e *UnreachableError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.Is(e.Err, context.DeadlineExceeded) || errors.As(e.Err, &t) && t.Timeout()
}

// StatusError is an OCSP error status instead of an answer (RFC 6960
// section 2.3): malformedRequest, internalError, tryLater, sigRequired or
// unauthorized, the last usually meaning the responder does not serve
// this issuer.
type StatusError struct {
	Status xocsp.ResponseStatus
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("OCSP responder answered %q", e.Status.String())
}

// Temporary reports whether asking later may help (tryLater,
// internalError).
func (e *StatusError) Temporary() bool {
	return e.Status == xocsp.TryLater || e.Status == xocsp.InternalError
}

// Check asks the OCSP responder for the status of cert, which issuer
// issued, and verifies the answer (see the package comment). It returns
// a *[UnreachableError] when the responder cannot be reached, a
// *[StatusError] for an OCSP error status, and otherwise errors wrapping
// the Err* values.
func Check(ctx context.Context, cert, issuer *x509.Certificate, opts CheckOptions) (*Result, error) {
	if err := checkIssued(cert, issuer); err != nil {
		return nil, err
	}
	url := opts.URL
	if url == "" {
		for _, u := range cert.OCSPServer {
			if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
				url = u
				break
			}
		}
		if url == "" {
			return nil, ErrNoResponder
		}
	}
	h := opts.Hash
	if h == 0 {
		h = crypto.SHA1
	}
	var nonce []byte
	if !opts.NoNonce {
		var err error
		if nonce, err = NewNonce(); err != nil {
			return nil, err
		}
	}
	req, err := newRequest(cert, issuer, nonce, h)
	if err != nil {
		return nil, err
	}
	der, err := post(ctx, url, req, opts)
	if err != nil {
		return nil, err
	}
	res, err := verify(der, cert, issuer, nonce, h, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	res.URL = url
	return res, nil
}

// FindIssuer returns the first of candidates that issued cert, as [Check]
// requires of its issuer: its subject is cert's issuer name and its key
// verifies cert's signature (a re-keyed CA keeps its name). It returns
// nil when none did.
func FindIssuer(cert *x509.Certificate, candidates []*x509.Certificate) *x509.Certificate {
	for _, c := range candidates {
		if checkIssued(cert, c) == nil {
			return c
		}
	}
	return nil
}

// checkIssued refuses to ask about a certificate with the wrong issuer:
// the responder would answer "unknown" or for nothing at all. The
// signature is checked with CheckSignature, not CheckSignatureFrom, so
// that certificates signed with SHA-1 can still be asked about.
func checkIssued(cert, issuer *x509.Certificate) error {
	if cert == nil || issuer == nil {
		return errors.New("ocsp: certificate and issuer are required")
	}
	if !bytes.Equal(cert.RawIssuer, issuer.RawSubject) {
		return fmt.Errorf("%w: it names %s as issuer, not %s", ErrNotIssuer, dn.Issuer(cert), dn.Subject(issuer))
	}
	if err := issuer.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		return fmt.Errorf("%w: the signature does not verify with the key of %s", ErrNotIssuer, dn.Subject(issuer))
	}
	return nil
}

func post(ctx context.Context, url string, req []byte, opts CheckOptions) ([]byte, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("OCSP responder URL %q: %w", url, err)
	}
	// RFC 6960 appendix A.1: POST with these media types.
	hreq.Header.Set("Content-Type", "application/ocsp-request")
	hreq.Header.Set("Accept", "application/ocsp-response")
	client := opts.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, &UnreachableError{URL: url, Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &UnreachableError{URL: url, StatusCode: resp.StatusCode, Err: errors.New(resp.Status)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, &UnreachableError{URL: url, Err: unwrapURLError(err)}
	}
	if len(body) > maxResponse {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", url, ErrMalformed, maxResponse)
	}
	return body, nil
}

// unwrapURLError drops the *url.Error layer, which repeats the method and
// URL that UnreachableError already prints.
func unwrapURLError(err error) error {
	var ue *neturl.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// The response structures of RFC 6960 section 4.2.1, read for what
// x/crypto/ocsp does not expose: the CertID hashes, the response
// extensions (the nonce) and every embedded certificate.
type clientBasicResponse struct {
	TBSResponseData    clientResponseData
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          asn1.BitString
	Certificates       []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type clientResponseData struct {
	Version        int `asn1:"optional,default:0,explicit,tag:0"`
	RawResponderID asn1.RawValue
	ProducedAt     time.Time `asn1:"generalized"`
	Responses      []clientSingleResponse
	Extensions     []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type clientSingleResponse struct {
	CertID     certID
	CertStatus asn1.RawValue
	ThisUpdate time.Time        `asn1:"generalized"`
	NextUpdate time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	Extensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

func parseBasic(der []byte) (*clientBasicResponse, error) {
	var outer ocspResponse
	if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: not an OCSPResponse", ErrMalformed)
	}
	var basic clientBasicResponse
	if rest, err := asn1.Unmarshal(outer.Response.Response, &basic); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: not a BasicOCSPResponse", ErrMalformed)
	}
	return &basic, nil
}

// Verify checks a DER OCSP response about cert, obtained some other way
// than [Check] (stapled by a TLS server), as Check checks the answers it
// gets: signer, certificate ID, critical extensions and freshness at
// opts.Now. There is no nonce to match. Errors are those of Check other
// than [UnreachableError].
func Verify(der []byte, cert, issuer *x509.Certificate, opts CheckOptions) (*Result, error) {
	return verify(der, cert, issuer, nil, 0, opts)
}

func verify(der []byte, cert, issuer *x509.Certificate, nonce []byte, asked crypto.Hash, opts CheckOptions) (*Result, error) {
	// Parse without the issuer: see the package comment. With cert, the
	// single response whose serial matches is picked.
	resp, err := xocsp.ParseResponseForCert(der, cert, nil)
	if err != nil {
		var re xocsp.ResponseError
		if errors.As(err, &re) {
			return nil, &StatusError{Status: re.Status}
		}
		var pe xocsp.ParseError
		if errors.As(err, &pe) {
			switch {
			case strings.HasPrefix(string(pe), "bad signature on embedded certificate"):
				return nil, fmt.Errorf("%w: the signature does not verify with the certificate the response carries", ErrBadSignature)
			case strings.HasPrefix(string(pe), "no response matching"):
				return nil, fmt.Errorf("%w: no status for serial %X", ErrIDMismatch, cert.SerialNumber)
			}
			return nil, fmt.Errorf("%w: %s", ErrMalformed, string(pe))
		}
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	basic, err := parseBasic(der)
	if err != nil {
		return nil, err
	}
	res := &Result{
		ThisUpdate: resp.ThisUpdate,
		NextUpdate: resp.NextUpdate,
		ProducedAt: resp.ProducedAt,
		Raw:        der,
	}

	// The certificate ID: same serial (x/crypto matched it), and the
	// issuer name and key hashes computed with the hash the responder used
	// (RFC 6960 section 4.1.1). A responder of another CA whose issued
	// serials overlap would otherwise pass.
	var single *clientSingleResponse
	for i := range basic.TBSResponseData.Responses {
		if basic.TBSResponseData.Responses[i].CertID.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			single = &basic.TBSResponseData.Responses[i]
			break
		}
	}
	if single == nil {
		return nil, fmt.Errorf("%w: no status for serial %X", ErrIDMismatch, cert.SerialNumber)
	}
	h := hashFromOID(single.CertID.HashAlgorithm.Algorithm)
	if h == 0 {
		return nil, fmt.Errorf("%w: certificate ID hash %v", ErrUnsupportedHash, single.CertID.HashAlgorithm.Algorithm)
	}
	if asked != 0 && h != asked {
		res.Notes = append(res.Notes, fmt.Sprintf("the responder identified the certificate with %v, not the %v asked", h, asked))
	}
	nameHash, keyHash, err := clientIssuerHashes(issuer, h)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(nameHash, single.CertID.IssuerNameHash) || !bytes.Equal(keyHash, single.CertID.IssuerKeyHash) {
		return nil, fmt.Errorf("%w: the issuer name or key hash is not that of %s", ErrIDMismatch, dn.Subject(issuer))
	}

	now := opts.now()
	if err := checkSigner(resp, basic, issuer, now, res); err != nil {
		return nil, err
	}

	// The nonce (RFC 8954 section 2.1): a responder may leave it out
	// (pre-signed responses), but one it echoes must be ours.
	for _, e := range basic.TBSResponseData.Extensions {
		if !e.Id.Equal(oidNonce) {
			// RFC 6960 section 4.4: unrecognised extensions are ignored
			// unless they are critical.
			if e.Critical {
				return nil, fmt.Errorf("%w (%v)", ErrCriticalExtension, e.Id)
			}
			continue
		}
		got := e.Value
		var inner []byte
		if rest, err := asn1.Unmarshal(e.Value, &inner); err == nil && len(rest) == 0 {
			got = inner
		}
		if nonce != nil {
			if !bytes.Equal(got, nonce) {
				return nil, fmt.Errorf("%w: sent %X, got %X", ErrNonceMismatch, nonce, got)
			}
			res.NonceEchoed = true
		}
	}
	if nonce != nil && !res.NonceEchoed {
		res.Notes = append(res.Notes, "the responder did not echo the nonce (a pre-signed or cached response)")
	}

	// Freshness (RFC 6960 section 4.2.2.1, RFC 5019 section 4): thisUpdate
	// not ahead of us, nextUpdate not behind us, both within the skew.
	skew := opts.skew()
	if res.ThisUpdate.After(now.Add(skew)) {
		return nil, fmt.Errorf("%w: thisUpdate %s is in the future (now %s)", ErrStale, stamp(res.ThisUpdate), stamp(now))
	}
	if res.NextUpdate.IsZero() {
		res.Notes = append(res.Notes, "the response has no nextUpdate: the responder may have newer information at any time")
	} else if res.NextUpdate.Before(now.Add(-skew)) {
		return nil, fmt.Errorf("%w: nextUpdate %s has passed (now %s)", ErrStale, stamp(res.NextUpdate), stamp(now))
	}

	switch resp.Status {
	case xocsp.Good:
		res.Status = Good
	case xocsp.Revoked:
		res.Status = Revoked
		res.RevokedAt = resp.RevokedAt
		res.Reason = certs.ReasonName(resp.RevocationReason)
	default:
		res.Status = Unknown
	}
	return res, nil
}

// checkSigner finds who signed the response and accepts only the issuer
// itself or a delegated responder (RFC 6960 section 4.2.2.2): a
// certificate issued directly by the issuer, with id-kp-OCSPSigning,
// valid now.
func checkSigner(resp *xocsp.Response, basic *clientBasicResponse, issuer *x509.Certificate, now time.Time, res *Result) error {
	if resp.CheckSignatureFrom(issuer) == nil {
		res.Responder = dn.Subject(issuer)
		res.ResponderCert = issuer
		noteResponderID(resp, issuer, res)
		return nil
	}
	var signer *x509.Certificate
	for _, raw := range basic.Certificates {
		c, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil {
			continue
		}
		if c.CheckSignature(resp.SignatureAlgorithm, resp.TBSResponseData, resp.Signature) == nil {
			signer = c
			break
		}
	}
	if signer == nil {
		return fmt.Errorf("%w: the signature verifies neither with the key of %s nor with a certificate in the response", ErrBadSignature, dn.Subject(issuer))
	}
	who := dn.Subject(signer)
	if !bytes.Equal(signer.RawIssuer, issuer.RawSubject) ||
		issuer.CheckSignature(signer.SignatureAlgorithm, signer.RawTBSCertificate, signer.Signature) != nil {
		return fmt.Errorf("%w: signed by %s, which %s did not issue", ErrBadSignature, who, dn.Subject(issuer))
	}
	ocspSigning := false
	for _, u := range signer.ExtKeyUsage {
		if u == x509.ExtKeyUsageOCSPSigning {
			ocspSigning = true
		}
	}
	if !ocspSigning {
		return fmt.Errorf("%w: responder certificate %s lacks the OCSP signing extended key usage", ErrBadSignature, who)
	}
	if now.Before(signer.NotBefore) {
		return fmt.Errorf("%w: responder certificate %s is not valid before %s", ErrBadSignature, who, stamp(signer.NotBefore))
	}
	if now.After(signer.NotAfter) {
		return fmt.Errorf("%w: responder certificate %s expired on %s", ErrBadSignature, who, stamp(signer.NotAfter))
	}
	res.Responder = who
	res.ResponderCert = signer
	res.Delegated = true
	noteResponderID(resp, signer, res)
	return nil
}

// noteResponderID remarks on a ResponderID that does not name the signer;
// the signature already decided trust, so this is not a failure.
func noteResponderID(resp *xocsp.Response, signer *x509.Certificate, res *Result) {
	switch {
	case resp.RawResponderName != nil:
		if !bytes.Equal(resp.RawResponderName, signer.RawSubject) {
			res.Notes = append(res.Notes, "the responder ID names another certificate than the signer")
		}
	case resp.ResponderKeyHash != nil:
		var spki struct {
			Algorithm pkix.AlgorithmIdentifier
			PublicKey asn1.BitString
		}
		if _, err := asn1.Unmarshal(signer.RawSubjectPublicKeyInfo, &spki); err == nil {
			// byKey is the SHA-1 of the key's BIT STRING (RFC 6960 section 4.2.1).
			sum := sha1.Sum(spki.PublicKey.RightAlign())
			if !bytes.Equal(sum[:], resp.ResponderKeyHash) {
				res.Notes = append(res.Notes, "the responder key ID is not that of the signer")
			}
		}
	}
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// ForChain adapts [Check] to chain.RevocationFunc for verify --ocsp, and
// makes the soft-fail decision. A responder that cannot be asked (none
// named, unreachable, tryLater or another OCSP error status) is an unknown
// answer: it fails the chain only when revocation information is
// required, as browsers soft-fail. A response that was received but fails
// its checks (signature, responder not authorised by the issuer,
// certificate ID, nonce, freshness) may be forged or replayed, so it is an
// error that fails the chain; so is a signed "unknown".
func ForChain(opts CheckOptions) chain.RevocationFunc {
	return func(ctx context.Context, cert, issuer *x509.Certificate) (*chain.Revocation, error) {
		r, err := Check(ctx, cert, issuer, opts)
		if err != nil {
			var unreachable *UnreachableError
			var status *StatusError
			switch {
			case errors.Is(err, ErrNoResponder):
				return &chain.Revocation{Source: "ocsp", Status: chain.StatusUnknown, Detail: chain.Name(cert) + " names no OCSP responder"}, nil
			case errors.As(err, &unreachable), errors.As(err, &status):
				return &chain.Revocation{Source: "ocsp", Status: chain.StatusUnknown, Detail: err.Error()}, nil
			}
			return &chain.Revocation{Source: "ocsp", Status: chain.StatusError,
				Detail: fmt.Sprintf("the OCSP response for %s was rejected: %v", chain.Name(cert), err)}, nil
		}
		out := &chain.Revocation{Source: "ocsp", Status: string(r.Status)}
		switch r.Status {
		case Revoked:
			t := r.RevokedAt
			out.RevokedAt, out.Reason = &t, r.Reason
			out.Detail = "from " + r.Responder
		case Good:
			out.Detail = "from " + r.Responder
		default:
			// A signed "unknown" from the issuer's own responder: it has
			// no record of the certificate (RFC 6960 section 2.2), which
			// is what a certificate the CA never issued looks like. Not
			// the soft-fail of a responder that cannot be asked.
			out.Status = chain.StatusError
			out.Detail = fmt.Sprintf("the OCSP responder %s answers that it does not know %s (status unknown): %s may not have issued it",
				r.URL, chain.Name(cert), chain.Name(issuer))
		}
		return out, nil
	}
}
