package ocsp

// The responder half of the package: an http.Handler answering RFC 6960
// requests for one CA from a [ResponderSource] the CA implements, so this
// file does not import internal/ca. Responses are encoded here rather than
// with golang.org/x/crypto/ocsp.CreateResponse, which puts extra extensions
// in singleExtensions; the nonce belongs in responseExtensions (RFC 6960
// section 4.4.1, and OpenSSL's OCSP_check_nonce looks only there), and
// CreateResponse cannot sign with Ed25519.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ResponderEntry is what the CA knows about one serial.
type ResponderEntry struct {
	Known     bool // false: the CA never issued it (status unknown)
	Revoked   bool
	RevokedAt time.Time
	Reason    int // CRLReason code, RFC 5280 section 5.3.1
}

// ResponderSource is the CA behind a [Responder].
type ResponderSource interface {
	// ResponderVersion changes whenever any status may have changed; it
	// is called on every request and must be cheap (a stat).
	ResponderVersion() (string, error)
	// ResponderLookup returns the status of a serial.
	ResponderLookup(serial *big.Int) (ResponderEntry, error)
}

// ResponderOptions configures [NewResponder].
type ResponderOptions struct {
	Issuer *x509.Certificate
	Source ResponderSource
	// Signer signs responses: the CA key, or a delegated responder key
	// whose certificate is SignerCert (issued by Issuer, id-kp-OCSPSigning).
	Signer     crypto.Signer
	SignerCert *x509.Certificate
	// Validity is nextUpdate - thisUpdate (default one hour).
	Validity time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives one line per failed request (nil: discarded).
	Log func(string)
}

// Responder answers OCSP requests over HTTP, GET (base64 in the path,
// RFC 6960 appendix A.1) and POST. Responses without a nonce are cached
// per certificate ID until the source's version changes or half their
// validity has passed, so a busy responder mostly copies bytes.
type Responder struct {
	o ResponderOptions

	issuerNameHash, issuerKeyHash map[crypto.Hash][]byte
	responderKeyHash              []byte

	mu      sync.Mutex
	version string
	cache   map[string]responderCached
}

type responderCached struct {
	der     []byte
	refresh time.Time
}

// NewResponder checks the options and returns a responder.
func NewResponder(o ResponderOptions) (*Responder, error) {
	if o.Issuer == nil || o.Source == nil || o.Signer == nil {
		return nil, errors.New("responder needs an issuer, a source and a signer")
	}
	if o.Validity <= 0 {
		o.Validity = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &Responder{o: o, cache: map[string]responderCached{},
		issuerNameHash: map[crypto.Hash][]byte{}, issuerKeyHash: map[crypto.Hash][]byte{}}
	keyBits, err := responderKeyBits(o.Issuer.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil, err
	}
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		r.issuerNameHash[h] = responderDigest(h, o.Issuer.RawSubject)
		r.issuerKeyHash[h] = responderDigest(h, keyBits)
	}
	signerCert := o.SignerCert
	if signerCert == nil {
		signerCert = o.Issuer
	}
	if !responderSameKey(o.Signer.Public(), signerCert.PublicKey) {
		return nil, errors.New("the responder key does not match its certificate")
	}
	sb, err := responderKeyBits(signerCert.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil, err
	}
	r.responderKeyHash = responderDigest(crypto.SHA1, sb)
	return r, nil
}

func responderSameKey(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}

func responderDigest(h crypto.Hash, b []byte) []byte {
	var hh hash.Hash
	switch h {
	case crypto.SHA1:
		hh = sha1.New()
	case crypto.SHA256:
		hh = sha256.New()
	case crypto.SHA384:
		hh = sha512.New384()
	default:
		hh = sha512.New()
	}
	hh.Write(b)
	return hh.Sum(nil)
}

func responderKeyBits(spki []byte) ([]byte, error) {
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, fmt.Errorf("reading public key: %w", err)
	}
	return info.Key.RightAlign(), nil
}

// The ASN.1 of RFC 6960 section 4.1.1 and 4.2.1, as much as we need.
type responderRequest struct {
	TBS       responderTBSRequest
	Signature asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type responderTBSRequest struct {
	Version       int           `asn1:"explicit,tag:0,default:0,optional"`
	RequestorName asn1.RawValue `asn1:"explicit,tag:1,optional"`
	RequestList   []responderSingleRequest
	Extensions    []pkix.Extension `asn1:"explicit,tag:2,optional"`
}

type responderSingleRequest struct {
	CertID     asn1.RawValue
	Extensions []pkix.Extension `asn1:"explicit,tag:0,optional"`
}

type responderBasicResponse struct {
	TBS          asn1.RawValue
	SigAlg       pkix.AlgorithmIdentifier
	Signature    asn1.BitString
	Certificates []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type responderResponseData struct {
	Version     int `asn1:"optional,explicit,default:0,tag:0"`
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []responderSingleResponse
	Extensions  []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type responderSingleResponse struct {
	CertID     asn1.RawValue
	Good       asn1.Flag            `asn1:"tag:0,optional"`
	Revoked    responderRevokedInfo `asn1:"tag:1,optional"`
	Unknown    asn1.Flag            `asn1:"tag:2,optional"`
	ThisUpdate time.Time            `asn1:"generalized"`
	NextUpdate time.Time            `asn1:"generalized,explicit,tag:0,optional"`
}

type responderRevokedInfo struct {
	RevocationTime time.Time       `asn1:"generalized"`
	Reason         asn1.Enumerated `asn1:"explicit,tag:0,optional"`
}

var ()

// Error responses (RFC 6960 section 4.2.1): a status with no body.
var (
	responderMalformed    = []byte{0x30, 0x03, 0x0a, 0x01, 0x01}
	responderInternal     = []byte{0x30, 0x03, 0x0a, 0x01, 0x02}
	responderUnauthorized = []byte{0x30, 0x03, 0x0a, 0x01, 0x06}
)

// ErrResponderMalformed is returned by [Responder.Respond] for a request
// that does not parse.
var ErrResponderMalformed = errors.New("malformed OCSP request")

// ErrResponderNotOurs is returned for a request about another issuer.
var ErrResponderNotOurs = errors.New("request for a certificate of another issuer")

// Respond answers one DER request with a DER response. On error the
// returned bytes are still the OCSP error response to send.
func (r *Responder) Respond(reqDER []byte) ([]byte, error) {
	var req responderRequest
	rest, err := asn1.Unmarshal(reqDER, &req)
	if err != nil || len(rest) > 0 || len(req.TBS.RequestList) == 0 {
		return responderMalformed, ErrResponderMalformed
	}
	// One certificate per request, as OpenSSL, browsers and the JDK send.
	sr := req.TBS.RequestList[0]
	var id certID
	if _, err := asn1.Unmarshal(sr.CertID.FullBytes, &id); err != nil || id.SerialNumber == nil {
		return responderMalformed, ErrResponderMalformed
	}
	h := hashFromOID(id.HashAlgorithm.Algorithm)
	if h == 0 {
		return responderMalformed, ErrResponderMalformed
	}
	if !bytes.Equal(id.IssuerNameHash, r.issuerNameHash[h]) || !bytes.Equal(id.IssuerKeyHash, r.issuerKeyHash[h]) {
		return responderUnauthorized, ErrResponderNotOurs
	}
	var nonce *pkix.Extension
	for i, e := range req.TBS.Extensions {
		if e.Id.Equal(oidNonce) {
			nonce = &req.TBS.Extensions[i]
		}
	}

	now := r.o.Now()
	version, err := r.o.Source.ResponderVersion()
	if err != nil {
		return responderInternal, fmt.Errorf("reading the CA's records: %w", err)
	}
	key := string(sr.CertID.FullBytes)
	if nonce == nil {
		r.mu.Lock()
		if r.version != version {
			r.version, r.cache = version, map[string]responderCached{}
		}
		c, ok := r.cache[key]
		r.mu.Unlock()
		if ok && now.Before(c.refresh) {
			return c.der, nil
		}
	}
	entry, err := r.o.Source.ResponderLookup(id.SerialNumber)
	if err != nil {
		return responderInternal, fmt.Errorf("looking up serial: %w", err)
	}
	der, err := r.sign(sr.CertID, entry, nonce, now)
	if err != nil {
		return responderInternal, err
	}
	if nonce == nil {
		r.mu.Lock()
		if r.version == version {
			r.cache[key] = responderCached{der: der, refresh: now.Add(r.o.Validity / 2)}
		}
		r.mu.Unlock()
	}
	return der, nil
}

func (r *Responder) sign(id asn1.RawValue, e ResponderEntry, nonce *pkix.Extension, now time.Time) ([]byte, error) {
	// thisUpdate a little in the past absorbs client clock skew, as
	// OpenSSL's default leeway (-validity_period, 5 minutes) expects.
	this := now.Add(-time.Minute).UTC().Truncate(time.Second)
	sr := responderSingleResponse{CertID: id, ThisUpdate: this, NextUpdate: now.Add(r.o.Validity).UTC().Truncate(time.Second)}
	switch {
	case !e.Known:
		sr.Unknown = true
	case e.Revoked:
		sr.Revoked = responderRevokedInfo{RevocationTime: e.RevokedAt.UTC().Truncate(time.Second), Reason: asn1.Enumerated(e.Reason)}
	default:
		sr.Good = true
	}
	keyHash, _ := asn1.Marshal(r.responderKeyHash)
	rd := responderResponseData{
		// ResponderID byKey [2] EXPLICIT KeyHash (RFC 6960 section 4.2.1).
		ResponderID: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, IsCompound: true, Bytes: keyHash},
		ProducedAt:  now.UTC().Truncate(time.Second),
		Responses:   []responderSingleResponse{sr},
	}
	if nonce != nil {
		rd.Extensions = []pkix.Extension{{Id: oidNonce, Value: nonce.Value}}
	}
	tbs, err := asn1.Marshal(rd)
	if err != nil {
		return nil, err
	}
	sigAlg, sig, err := responderSignTBS(r.o.Signer, tbs)
	if err != nil {
		return nil, fmt.Errorf("signing the response: %w", err)
	}
	br := responderBasicResponse{TBS: asn1.RawValue{FullBytes: tbs}, SigAlg: sigAlg, Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}}
	if r.o.SignerCert != nil {
		br.Certificates = []asn1.RawValue{{FullBytes: r.o.SignerCert.Raw}}
	}
	brDER, err := asn1.Marshal(br)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(ocspResponse{Status: 0, Response: responseBytes{ResponseType: oidBasicResponse, Response: brDER}})
}

var (
	responderOIDSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	responderOIDECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	responderOIDECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	responderOIDECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	responderOIDEd25519         = asn1.ObjectIdentifier{1, 3, 101, 112}
)

func responderSignTBS(s crypto.Signer, tbs []byte) (pkix.AlgorithmIdentifier, []byte, error) {
	var alg pkix.AlgorithmIdentifier
	var h crypto.Hash
	switch k := s.Public().(type) {
	case *rsa.PublicKey:
		alg = pkix.AlgorithmIdentifier{Algorithm: responderOIDSHA256WithRSA, Parameters: asn1.NullRawValue}
		h = crypto.SHA256
	case *ecdsa.PublicKey:
		// The hash follows the curve, as crypto/x509 and OpenSSL choose.
		switch k.Curve {
		case elliptic.P384():
			alg.Algorithm, h = responderOIDECDSAWithSHA384, crypto.SHA384
		case elliptic.P521():
			alg.Algorithm, h = responderOIDECDSAWithSHA512, crypto.SHA512
		default:
			alg.Algorithm, h = responderOIDECDSAWithSHA256, crypto.SHA256
		}
	case ed25519.PublicKey:
		// RFC 8410 section 3: no parameters, the message itself is signed.
		alg.Algorithm = responderOIDEd25519
		sig, err := s.Sign(rand.Reader, tbs, crypto.Hash(0))
		return alg, sig, err
	default:
		return alg, nil, fmt.Errorf("cannot sign with a %T key", k)
	}
	sig, err := s.Sign(rand.Reader, responderDigest(h, tbs), h)
	return alg, sig, err
}

// responderMaxRequest bounds a POST body; a single-certificate request is ~100 bytes.
const responderMaxRequest = 64 << 10

// ServeHTTP answers GET /BASE64 and POST (application/ocsp-request).
func (r *Responder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var body []byte
	switch req.Method {
	case http.MethodGet:
		// RFC 6960 appendix A.1: the path is the URL-encoded base64 of the
		// DER request. Some clients leave '+' unescaped or use base64url.
		// Base64 may itself contain '/', so the whole path is the request.
		p := strings.TrimPrefix(req.URL.EscapedPath(), "/")
		s, err := url.PathUnescape(p)
		if err != nil {
			r.fail(w, responderMalformed, err)
			return
		}
		body, err = base64.StdEncoding.DecodeString(s)
		if err != nil {
			if body, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
				r.fail(w, responderMalformed, fmt.Errorf("GET request is not base64: %w", err))
				return
			}
		}
	case http.MethodPost:
		var err error
		body, err = io.ReadAll(io.LimitReader(req.Body, responderMaxRequest+1))
		if err != nil || len(body) > responderMaxRequest {
			r.fail(w, responderMalformed, fmt.Errorf("reading the request body: %v", err))
			return
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "OCSP responder: use GET or POST", http.StatusMethodNotAllowed)
		return
	}
	der, err := r.Respond(body)
	if err != nil {
		r.fail(w, der, err)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	if req.Method == http.MethodGet {
		// RFC 5019 section 6.2: let caches keep the response a while.
		w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%d, public, no-transform, must-revalidate", int(r.o.Validity/2/time.Second)))
	}
	w.Write(der)
}

func (r *Responder) fail(w http.ResponseWriter, der []byte, err error) {
	if r.o.Log != nil {
		r.o.Log(err.Error())
	}
	// OCSP errors travel in a 200 response (RFC 6960 appendix A.1).
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(der)
}
