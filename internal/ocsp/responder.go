package ocsp

// The responder half of the package: RFC 6960 answers for one CA, from a
// [ResponderSource] the CA implements, so this file does not import
// internal/ca; [Handler] (server.go) serves them over HTTP. Responses are
// encoded here rather than
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
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
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
	// ResponderLookup returns the status of a serial as of version, the
	// value ResponderVersion has just returned.
	ResponderLookup(version string, serial *big.Int) (ResponderEntry, error)
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

// Responder answers OCSP requests given as DER ([Responder.Respond]);
// [Handler] serves it over HTTP. Responses without a nonce are cached per
// certificate ID until the source's version changes or half their validity
// has passed, so a busy responder mostly copies bytes.
type Responder struct {
	o ResponderOptions

	issuerNameHash, issuerKeyHash map[crypto.Hash][]byte
	responderKeyHash              []byte
	sigAlg                        []byte // DER AlgorithmIdentifier of the signer
	sigHash                       crypto.Hash

	mu      sync.Mutex
	version string
	cache   map[string]answer
}

// answer is a response with what HTTP caching needs to know of it.
type answer struct {
	der []byte
	// cacheable is true for a signed response without a nonce; then
	// thisUpdate and nextUpdate are its times, and the responder serves it
	// again until refresh.
	cacheable                       bool
	thisUpdate, nextUpdate, refresh time.Time
	// The header values of a cacheable answer, made once when it is
	// signed so that serving it again from the cache formats nothing:
	// Content-Length, and Last-Modified and Expires for a GET.
	length, lastModified, expires []string
}

// newAnswer is a signed response; a cacheable one gets its header values.
func newAnswer(der []byte, cacheable bool, this, next, refresh time.Time) answer {
	a := answer{der: der, cacheable: cacheable, thisUpdate: this, nextUpdate: next, refresh: refresh}
	if cacheable {
		a.length = []string{strconv.Itoa(len(der))}
		a.lastModified = []string{this.Format(http.TimeFormat)}
		a.expires = []string{next.Format(http.TimeFormat)}
	}
	return a
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
	r := &Responder{o: o, cache: map[string]answer{},
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
	if r.sigAlg, r.sigHash, err = responderSigAlg(o.Signer.Public()); err != nil {
		return nil, err
	}
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
	a, err := r.respond(reqDER)
	return a.der, err
}

func (r *Responder) respond(reqDER []byte) (answer, error) {
	req, ok := parseResponderRequest(reqDER)
	if !ok {
		return answer{der: responderMalformed}, ErrResponderMalformed
	}
	now := r.o.Now()
	version, err := r.o.Source.ResponderVersion()
	if err != nil {
		return answer{der: responderInternal}, fmt.Errorf("reading the CA's records: %w", err)
	}
	if req.nonce == nil {
		// Only answers to a CertID already checked below are cached: the
		// same bytes would pass the same checks.
		r.mu.Lock()
		if r.version != version {
			r.version, r.cache = version, map[string]answer{}
		}
		c, ok := r.cache[string(req.certID)]
		r.mu.Unlock()
		if ok && now.Before(c.refresh) {
			return c, nil
		}
	}
	id, ok := parseCertID(req.certID)
	if !ok {
		return answer{der: responderMalformed}, ErrResponderMalformed
	}
	h := hashFromOID(id.hashAlg)
	if h == 0 {
		return answer{der: responderMalformed}, ErrResponderMalformed
	}
	if !bytes.Equal(id.issuerNameHash, r.issuerNameHash[h]) || !bytes.Equal(id.issuerKeyHash, r.issuerKeyHash[h]) {
		return answer{der: responderUnauthorized}, ErrResponderNotOurs
	}
	entry, err := r.o.Source.ResponderLookup(version, id.serial)
	if err != nil {
		return answer{der: responderInternal}, fmt.Errorf("looking up serial: %w", err)
	}
	der, err := r.sign(req.certID, entry, req.nonce, now)
	if err != nil {
		return answer{der: responderInternal}, err
	}
	this, next := r.updateTimes(now)
	a := newAnswer(der, req.nonce == nil, this, next, now.Add(r.o.Validity/2))
	// Only answers about serials the CA issued are kept, so the cache is
	// as large as the CA's record at most: anyone may ask about any
	// serial, and answers for all of them would fill memory.
	if a.cacheable && entry.Known {
		r.mu.Lock()
		if r.version == version {
			r.cache[string(req.certID)] = a
		}
		r.mu.Unlock()
	}
	return a, nil
}

// responderRequest is what the responder needs of an OCSPRequest (RFC 6960
// section 4.1.1): the first certificate asked about, as OpenSSL, browsers
// and the JDK ask about one per request, and the nonce.
type responderRequest struct {
	certID []byte // the CertID's DER, echoed in the response
	nonce  []byte // the nonce extension's value, nil if none
}

// responderCertID is what a CertID holds, read by [parseCertID] only when
// the answer is not in the cache.
type responderCertID struct {
	hashAlg                       asn1.ObjectIdentifier
	issuerNameHash, issuerKeyHash []byte
	serial                        *big.Int
}

// parseResponderRequest reads an OCSPRequest by hand: the reflection of
// encoding/asn1 cost a busy responder a fifth of its time.
//
//	OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
//	TBSRequest ::= SEQUENCE { version [0] EXPLICIT INTEGER DEFAULT v1, requestorName [1] EXPLICIT GeneralName OPTIONAL,
//	                          requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions OPTIONAL }
//	Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
//	CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
//	                      issuerKeyHash OCTET STRING, serialNumber INTEGER }
func parseResponderRequest(der []byte) (responderRequest, bool) {
	var req responderRequest
	in := cryptobyte.String(der)
	var outer, tbs, list cryptobyte.String
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) || !in.Empty() ||
		!outer.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!outer.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) || !outer.Empty() {
		return req, false
	}
	var version int64
	if !tbs.ReadOptionalASN1Integer(&version, cbasn1.Tag(0).Constructed().ContextSpecific(), int64(0)) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!tbs.ReadASN1(&list, cbasn1.SEQUENCE) {
		return req, false
	}
	var exts cryptobyte.String
	var hasExts bool
	if !tbs.ReadOptionalASN1(&exts, &hasExts, cbasn1.Tag(2).Constructed().ContextSpecific()) || !tbs.Empty() {
		return req, false
	}
	if hasExts {
		var seq cryptobyte.String
		if !exts.ReadASN1(&seq, cbasn1.SEQUENCE) || !exts.Empty() {
			return req, false
		}
		for !seq.Empty() {
			var ext, value cryptobyte.String
			var id asn1.ObjectIdentifier
			var critical bool
			if !seq.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&id) ||
				(ext.PeekASN1Tag(cbasn1.BOOLEAN) && !ext.ReadASN1Boolean(&critical)) ||
				!ext.ReadASN1(&value, cbasn1.OCTET_STRING) || !ext.Empty() {
				return req, false
			}
			if id.Equal(oidNonce) {
				req.nonce = []byte(value)
			}
		}
	}
	if list.Empty() {
		return req, false
	}
	for first := true; !list.Empty(); first = false {
		var single, certID cryptobyte.String
		if !list.ReadASN1(&single, cbasn1.SEQUENCE) || !single.ReadASN1Element(&certID, cbasn1.SEQUENCE) ||
			!single.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) || !single.Empty() {
			return req, false
		}
		if first {
			req.certID = []byte(certID)
		}
	}
	return req, true
}

// parseCertID reads the fields of a CertID's DER (see
// parseResponderRequest).
func parseCertID(der []byte) (responderCertID, bool) {
	var id responderCertID
	in := cryptobyte.String(der)
	var body, alg cryptobyte.String
	id.serial = new(big.Int)
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) ||
		!body.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&id.hashAlg) ||
		!body.ReadASN1Bytes(&id.issuerNameHash, cbasn1.OCTET_STRING) ||
		!body.ReadASN1Bytes(&id.issuerKeyHash, cbasn1.OCTET_STRING) ||
		!body.ReadASN1Integer(id.serial) || !body.Empty() {
		return id, false
	}
	// The algorithm's parameters, if any, are one element (NULL).
	if !alg.Empty() {
		var params cryptobyte.String
		var tag cbasn1.Tag
		if !alg.ReadAnyASN1Element(&params, &tag) || !alg.Empty() {
			return id, false
		}
	}
	return id, true
}

// updateTimes returns thisUpdate and nextUpdate of a response produced at
// now. thisUpdate a little in the past absorbs client clock skew, as
// OpenSSL's default leeway (-validity_period, 5 minutes) expects.
func (r *Responder) updateTimes(now time.Time) (this, next time.Time) {
	return now.Add(-time.Minute).UTC().Truncate(time.Second), now.Add(r.o.Validity).UTC().Truncate(time.Second)
}

// sign encodes and signs a BasicOCSPResponse for one certificate (RFC 6960
// section 4.2.1) and wraps it in an OCSPResponse, by hand for the same
// reason as parseResponderRequest:
//
//	ResponseData ::= SEQUENCE { responderID [2] EXPLICIT KeyHash, producedAt GeneralizedTime,
//	                            responses SEQUENCE OF SingleResponse, responseExtensions [1] EXPLICIT Extensions OPTIONAL }
//	SingleResponse ::= SEQUENCE { certID CertID, certStatus CertStatus, thisUpdate GeneralizedTime,
//	                              nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL }
//	CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT NULL }
//	RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
func (r *Responder) sign(certID []byte, e ResponderEntry, nonce []byte, now time.Time) ([]byte, error) {
	this, next := r.updateTimes(now)
	b := cryptobyte.NewBuilder(make([]byte, 0, 256))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(r.responderKeyHash)
		})
		b.AddASN1GeneralizedTime(now.UTC().Truncate(time.Second))
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(certID)
				switch {
				case !e.Known:
					b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(*cryptobyte.Builder) {})
				case e.Revoked:
					b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						b.AddASN1GeneralizedTime(e.RevokedAt.UTC().Truncate(time.Second))
						if e.Reason != 0 {
							b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddASN1Enum(int64(e.Reason))
							})
						}
					})
				default:
					b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(*cryptobyte.Builder) {})
				}
				b.AddASN1GeneralizedTime(this)
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddASN1GeneralizedTime(next)
				})
			})
		})
		if nonce != nil {
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oidNonce)
						b.AddASN1OctetString(nonce)
					})
				})
			})
		}
	})
	tbs, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	sig, err := r.signTBS(tbs)
	if err != nil {
		return nil, fmt.Errorf("signing the response: %w", err)
	}
	// OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT
	//                             SEQUENCE { responseType OID, response OCTET STRING } }
	// BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING,
	//                                  certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
	b = cryptobyte.NewBuilder(make([]byte, 0, len(tbs)+len(sig)+len(r.sigAlg)+r.certsLen()+64))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidBasicResponse)
				b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddBytes(tbs)
						b.AddBytes(r.sigAlg)
						b.AddASN1BitString(sig)
						if r.o.SignerCert != nil {
							b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
									b.AddBytes(r.o.SignerCert.Raw)
								})
							})
						}
					})
				})
			})
		})
	})
	return b.Bytes()
}

func (r *Responder) certsLen() int {
	if r.o.SignerCert == nil {
		return 0
	}
	return len(r.o.SignerCert.Raw) + 8
}

var (
	responderOIDSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	responderOIDECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	responderOIDECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	responderOIDECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	responderOIDEd25519         = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// responderSigAlg returns the DER AlgorithmIdentifier a key signs with and
// the hash it signs over (0 for Ed25519, which signs the message itself).
func responderSigAlg(pub crypto.PublicKey) ([]byte, crypto.Hash, error) {
	var alg pkix.AlgorithmIdentifier
	var h crypto.Hash
	switch k := pub.(type) {
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
		// RFC 8410 section 3: no parameters.
		alg.Algorithm = responderOIDEd25519
	default:
		return nil, 0, fmt.Errorf("cannot sign with a %T key", k)
	}
	der, err := asn1.Marshal(alg)
	return der, h, err
}

func (r *Responder) signTBS(tbs []byte) ([]byte, error) {
	if r.sigHash == 0 {
		return r.o.Signer.Sign(rand.Reader, tbs, crypto.Hash(0))
	}
	return r.o.Signer.Sign(rand.Reader, responderDigest(r.sigHash, tbs), r.sigHash)
}

// decodeGETRequest reads the request of a GET: RFC 6960 appendix A.1 puts
// the URL-encoded base64 of the DER request in the path. Some clients
// leave '+' unescaped or use base64url. Base64 may itself contain '/', so
// the whole path is the request.
func decodeGETRequest(escapedPath string) ([]byte, error) {
	s, err := url.PathUnescape(strings.TrimPrefix(escapedPath, "/"))
	if err != nil {
		return nil, err
	}
	body, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if body, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return nil, fmt.Errorf("GET request is not base64: %w", err)
		}
	}
	return body, nil
}
