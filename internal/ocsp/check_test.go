package ocsp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/testpki"
)

// fakeResponse describes what the in-process responder answers. Zero
// fields take the defaults of pki.serve: status good, issued and signed by
// the CA, fresh around testpki.Now, the request's nonce echoed.
type fakeResponse struct {
	status     int
	revokedAt  time.Time
	reason     int
	thisUpdate time.Time
	nextUpdate time.Time
	noNext     bool
	serial     *big.Int
	idIssuer   *x509.Certificate // whose name/key hashes go in the CertID
	signer     *testpki.Cert
	embed      []*x509.Certificate
	nonce      []byte // echo this instead of the request's nonce
	noNonce    bool   // echo none
	hash       crypto.Hash
	corruptSig bool
	critExt    bool // add a critical extension nobody understands
}

type fakePKI struct {
	ca, leaf *testpki.Cert
}

func newFakePKI(t testing.TB) *fakePKI {
	t.Helper()
	ca := testpki.Root(t, "CN=Acme Issuing CA,O=Acme Corp")
	return &fakePKI{ca: ca, leaf: testpki.Leaf(t, "www.example.com", ca, "www.example.com")}
}

// build signs a BasicOCSPResponse by hand, because ocsp.CreateResponse
// cannot add response extensions (the nonce) or tamper with the CertID.
func (p *fakePKI) build(t testing.TB, f fakeResponse, reqNonce []byte) []byte {
	t.Helper()
	if f.signer == nil {
		f.signer = p.ca
	}
	if f.idIssuer == nil {
		f.idIssuer = p.ca.Cert
	}
	if f.serial == nil {
		f.serial = p.leaf.Cert.SerialNumber
	}
	if f.hash == 0 {
		f.hash = crypto.SHA1
	}
	if f.thisUpdate.IsZero() {
		f.thisUpdate = testpki.Now.Add(-time.Hour)
	}
	if f.nextUpdate.IsZero() && !f.noNext {
		f.nextUpdate = testpki.Now.Add(24 * time.Hour)
	}
	nameHash, keyHash, err := clientIssuerHashes(f.idIssuer, f.hash)
	if err != nil {
		t.Fatal(err)
	}
	var status asn1.RawValue
	switch f.status {
	case xocsp.Good:
		status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0}
	case xocsp.Unknown:
		status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2}
	case xocsp.Revoked:
		inner, err := asn1.Marshal(struct {
			At     time.Time       `asn1:"generalized"`
			Reason asn1.Enumerated `asn1:"explicit,tag:0"`
		}{f.revokedAt.UTC(), asn1.Enumerated(f.reason)})
		if err != nil {
			t.Fatal(err)
		}
		var seq asn1.RawValue
		asn1.Unmarshal(inner, &seq)
		status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: seq.Bytes}
	}
	tbs := clientResponseData{
		RawResponderID: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: f.signer.Cert.RawSubject},
		ProducedAt:     f.thisUpdate.UTC(),
		Responses: []clientSingleResponse{{
			CertID: certID{
				HashAlgorithm:  pkix.AlgorithmIdentifier{Algorithm: hashOIDs[f.hash], Parameters: asn1.NullRawValue},
				IssuerNameHash: nameHash,
				IssuerKeyHash:  keyHash,
				SerialNumber:   f.serial,
			},
			CertStatus: status,
			ThisUpdate: f.thisUpdate.UTC(),
			NextUpdate: f.nextUpdate.UTC(),
		}},
	}
	nonce := reqNonce
	if f.nonce != nil {
		nonce = f.nonce
	}
	if nonce != nil && !f.noNonce {
		v, _ := asn1.Marshal(nonce)
		tbs.Extensions = []pkix.Extension{{Id: oidNonce, Value: v}}
	}
	if f.critExt {
		tbs.Extensions = append(tbs.Extensions, pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Critical: true, Value: []byte{5, 0}})
	}
	tbsDER, err := asn1.Marshal(tbs)
	if err != nil {
		t.Fatal(err)
	}
	sum := crypto.SHA256.New()
	sum.Write(tbsDER)
	sig, err := f.signer.Key.Sign(rand.Reader, sum.Sum(nil), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if f.corruptSig {
		sig[len(sig)-1] ^= 1
	}
	if _, ok := f.signer.Key.(*ecdsa.PrivateKey); !ok {
		t.Fatal("fake responder signs with ECDSA keys only")
	}
	var certsRaw []asn1.RawValue
	for _, c := range f.embed {
		certsRaw = append(certsRaw, asn1.RawValue{FullBytes: c.Raw})
	}
	basic, err := asn1.Marshal(clientBasicResponse{
		TBSResponseData:    tbs,
		SignatureAlgorithm: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}},
		Signature:          asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
		Certificates:       certsRaw,
	})
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(ocspResponse{Response: responseBytes{
		ResponseType: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1},
		Response:     basic,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// serve starts a 127.0.0.1 responder answering f, stopped with the test.
func (p *fakePKI) serve(t *testing.T, f fakeResponse) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/ocsp-request" {
			http.Error(w, "want POST application/ocsp-request", http.StatusBadRequest)
			return
		}
		if _, err := xocsp.ParseRequest(body); err != nil {
			w.Write(xocsp.MalformedRequestErrorResponse)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(p.build(t, f, RequestNonce(body)))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func fixedNow() time.Time { return testpki.Now }

func TestCheck(t *testing.T) {
	p := newFakePKI(t)
	other := testpki.Root(t, "CN=Acme Issuing CA,O=Acme Corp") // same name, other key
	delegated := testpki.New(t, testpki.Template{Subject: "Acme OCSP", EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}, p.ca)
	noEKU := testpki.New(t, testpki.Template{Subject: "Acme Not OCSP", EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, p.ca)
	expired := testpki.New(t, testpki.Template{Subject: "Acme Old OCSP", EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
		NotBefore: testpki.Now.AddDate(-2, 0, 0), NotAfter: testpki.Now.AddDate(-1, 0, 0)}, p.ca)
	foreign := testpki.New(t, testpki.Template{Subject: "Evil OCSP", EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}, other)
	revokedAt := testpki.Now.Add(-48 * time.Hour).Truncate(time.Second)

	tests := []struct {
		name      string
		resp      fakeResponse
		noNonce   bool
		wantErr   error
		status    Status
		reason    string
		responder string
		delegated bool
		echoed    bool
		note      string
	}{
		{name: "good", resp: fakeResponse{status: xocsp.Good}, status: Good, responder: "CN=Acme Issuing CA,O=Acme Corp", echoed: true},
		{name: "good with the issuer embedded, as openssl sends", resp: fakeResponse{embed: []*x509.Certificate{p.ca.Cert}}, status: Good, echoed: true},
		{name: "revoked", resp: fakeResponse{status: xocsp.Revoked, revokedAt: revokedAt, reason: xocsp.KeyCompromise}, status: Revoked, reason: "keyCompromise", echoed: true},
		{name: "unknown", resp: fakeResponse{status: xocsp.Unknown}, status: Unknown, echoed: true},
		{name: "delegated responder", resp: fakeResponse{signer: delegated, embed: []*x509.Certificate{delegated.Cert}}, status: Good, responder: "CN=Acme OCSP", delegated: true, echoed: true},
		{name: "responder without OCSP signing", resp: fakeResponse{signer: noEKU, embed: []*x509.Certificate{noEKU.Cert}}, wantErr: ErrBadSignature},
		{name: "expired responder", resp: fakeResponse{signer: expired, embed: []*x509.Certificate{expired.Cert}}, wantErr: ErrBadSignature},
		{name: "responder of another CA", resp: fakeResponse{signer: foreign, embed: []*x509.Certificate{foreign.Cert}}, wantErr: ErrBadSignature},
		{name: "wrong key, no certificate", resp: fakeResponse{signer: other}, wantErr: ErrBadSignature},
		{name: "corrupt signature", resp: fakeResponse{corruptSig: true}, wantErr: ErrBadSignature},
		{name: "other serial", resp: fakeResponse{serial: big.NewInt(4242)}, wantErr: ErrIDMismatch},
		{name: "other issuer key hash", resp: fakeResponse{idIssuer: other.Cert}, wantErr: ErrIDMismatch},
		{name: "SHA-256 certificate ID", resp: fakeResponse{hash: crypto.SHA256}, status: Good, echoed: true, note: "not the SHA-1 asked"},
		{name: "stale", resp: fakeResponse{thisUpdate: testpki.Now.Add(-72 * time.Hour), nextUpdate: testpki.Now.Add(-time.Hour)}, wantErr: ErrStale},
		{name: "within skew", resp: fakeResponse{nextUpdate: testpki.Now.Add(-time.Minute)}, status: Good, echoed: true},
		{name: "from the future", resp: fakeResponse{thisUpdate: testpki.Now.Add(time.Hour)}, wantErr: ErrStale},
		{name: "no nextUpdate", resp: fakeResponse{noNext: true}, status: Good, echoed: true, note: "no nextUpdate"},
		{name: "wrong nonce", resp: fakeResponse{nonce: []byte("not the nonce we sent")}, wantErr: ErrNonceMismatch},
		{name: "nonce not echoed", resp: fakeResponse{noNonce: true}, status: Good, note: "did not echo the nonce"},
		{name: "no nonce asked", resp: fakeResponse{}, noNonce: true, status: Good},
		{name: "critical extension not understood", resp: fakeResponse{critExt: true}, wantErr: ErrCriticalExtension},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := p.serve(t, tt.resp)
			res, err := Check(context.Background(), p.leaf.Cert, p.ca.Cert, CheckOptions{URL: url, Now: fixedNow, NoNonce: tt.noNonce})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Check: got %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if res.Status != tt.status {
				t.Errorf("status %q, want %q", res.Status, tt.status)
			}
			if res.Reason != tt.reason {
				t.Errorf("reason %q, want %q", res.Reason, tt.reason)
			}
			if tt.status == Revoked && !res.RevokedAt.Equal(revokedAt) {
				t.Errorf("revoked at %v, want %v", res.RevokedAt, revokedAt)
			}
			if tt.responder != "" && res.Responder != tt.responder {
				t.Errorf("responder %q, want %q", res.Responder, tt.responder)
			}
			if res.Delegated != tt.delegated {
				t.Errorf("delegated %v, want %v", res.Delegated, tt.delegated)
			}
			if res.NonceEchoed != tt.echoed {
				t.Errorf("nonce echoed %v, want %v", res.NonceEchoed, tt.echoed)
			}
			if tt.note != "" && !strings.Contains(strings.Join(res.Notes, "\n"), tt.note) {
				t.Errorf("notes %q, want one with %q", res.Notes, tt.note)
			}
			if res.URL != url {
				t.Errorf("URL %q, want %q", res.URL, url)
			}
		})
	}
}

func TestCheckUsesTheCertificatesResponder(t *testing.T) {
	p := newFakePKI(t)
	url := p.serve(t, fakeResponse{})
	leaf := testpki.New(t, testpki.Template{Subject: "aia.example.com", OCSPServer: []string{"ldap://ignored", url}}, p.ca)
	p.leaf = leaf
	res, err := Check(context.Background(), leaf.Cert, p.ca.Cert, CheckOptions{Now: fixedNow})
	if err != nil || res.Status != Good || res.URL != url {
		t.Fatalf("Check = %+v, %v; want good from %s", res, err, url)
	}
}

func TestCheckInputErrors(t *testing.T) {
	p := newFakePKI(t)
	other := testpki.Root(t, "Other CA")
	if _, err := Check(context.Background(), p.leaf.Cert, p.ca.Cert, CheckOptions{}); !errors.Is(err, ErrNoResponder) {
		t.Errorf("no AIA: got %v, want ErrNoResponder", err)
	}
	if _, err := Check(context.Background(), p.leaf.Cert, other.Cert, CheckOptions{URL: "http://127.0.0.1:1"}); !errors.Is(err, ErrNotIssuer) {
		t.Errorf("wrong issuer: got %v, want ErrNotIssuer", err)
	}
	sameName := testpki.Root(t, "CN=Acme Issuing CA,O=Acme Corp")
	if _, err := Check(context.Background(), p.leaf.Cert, sameName.Cert, CheckOptions{URL: "http://127.0.0.1:1"}); !errors.Is(err, ErrNotIssuer) {
		t.Errorf("issuer with the same name, other key: got %v, want ErrNotIssuer", err)
	}
}

func TestCheckUnreachable(t *testing.T) {
	p := newFakePKI(t)

	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	stop := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(stop) }) // runs first: lets the handler return

	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)

	tests := []struct {
		name    string
		url     string
		timeout bool
		code    int
	}{
		{name: "connection refused", url: closedURL},
		{name: "timeout", url: slow.URL, timeout: true},
		{name: "HTTP 503", url: failing.URL, code: http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check(context.Background(), p.leaf.Cert, p.ca.Cert, CheckOptions{URL: tt.url, Timeout: 200 * time.Millisecond, Now: fixedNow})
			var ue *UnreachableError
			if !errors.As(err, &ue) {
				t.Fatalf("got %v (%T), want *UnreachableError", err, err)
			}
			if ue.Timeout() != tt.timeout || ue.StatusCode != tt.code {
				t.Errorf("Timeout() %v, StatusCode %d; want %v, %d (%v)", ue.Timeout(), ue.StatusCode, tt.timeout, tt.code, err)
			}
			if !strings.Contains(err.Error(), tt.url) {
				t.Errorf("error %q does not name the URL", err)
			}
		})
	}
}

func TestCheckErrorStatus(t *testing.T) {
	p := newFakePKI(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(xocsp.TryLaterErrorResponse)
	}))
	t.Cleanup(srv.Close)
	_, err := Check(context.Background(), p.leaf.Cert, p.ca.Cert, CheckOptions{URL: srv.URL})
	var re *StatusError
	if !errors.As(err, &re) || !re.Temporary() {
		t.Fatalf("got %v, want a temporary *StatusError", err)
	}
}

func TestCheckMalformed(t *testing.T) {
	p := newFakePKI(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>captive portal</html>"))
	}))
	t.Cleanup(srv.Close)
	_, err := Check(context.Background(), p.leaf.Cert, p.ca.Cert, CheckOptions{URL: srv.URL})
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v, want ErrMalformed", err)
	}
}

func TestVerifyStapled(t *testing.T) {
	p := newFakePKI(t)
	der := p.build(t, fakeResponse{status: xocsp.Revoked, revokedAt: testpki.Now.Add(-time.Hour), reason: xocsp.Superseded}, []byte("some nonce"))
	res, err := verify(der, p.leaf.Cert, p.ca.Cert, nil, 0, CheckOptions{Now: fixedNow})
	if err != nil || res.Status != Revoked || res.Reason != "superseded" {
		t.Fatalf("Verify = %+v, %v; want revoked, superseded", res, err)
	}
	if !bytes.Equal(res.Raw, der) {
		t.Error("Raw is not the response")
	}
}

// TestNewRequestParses checks that the request with a nonce is still what
// x/crypto/ocsp (and so responders) read, and that the nonce is carried.
func TestNewRequestParses(t *testing.T) {
	p := newFakePKI(t)
	nonce, err := NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	der, err := NewRequest(p.leaf.Cert, p.ca.Cert, nonce)
	if err != nil {
		t.Fatal(err)
	}
	req, err := xocsp.ParseRequest(der)
	if err != nil {
		t.Fatalf("ParseRequest: %v", err)
	}
	if req.SerialNumber.Cmp(p.leaf.Cert.SerialNumber) != 0 || req.HashAlgorithm != crypto.SHA1 {
		t.Errorf("request for serial %v with %v", req.SerialNumber, req.HashAlgorithm)
	}
	if got := RequestNonce(der); !bytes.Equal(got, nonce) {
		t.Errorf("RequestNonce = %X, want %X", got, nonce)
	}
	plain, err := NewRequest(p.leaf.Cert, p.ca.Cert, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := xocsp.CreateRequest(p.leaf.Cert, p.ca.Cert, nil)
	if !bytes.Equal(plain, want) {
		t.Error("a request without nonce differs from ocsp.CreateRequest's")
	}
	if RequestNonce(plain) != nil {
		t.Error("RequestNonce found a nonce in a request without one")
	}
}

// BenchmarkCheck measures one request, HTTP round trip and verification
// against the in-process responder.
func BenchmarkCheck(b *testing.B) {
	p := newFakePKI(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Write(p.build(b, fakeResponse{}, RequestNonce(body)))
	}))
	defer srv.Close()
	opts := CheckOptions{URL: srv.URL, Now: fixedNow}
	for b.Loop() {
		if _, err := Check(context.Background(), p.leaf.Cert, p.ca.Cert, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// TestForChainFailsOnSignedUnknown: for verify --ocsp, a signed "unknown"
// from the issuer's responder fails the chain (the CA has no record of the
// certificate), where a responder that cannot be asked only soft-fails.
func TestForChainFailsOnSignedUnknown(t *testing.T) {
	p := newFakePKI(t)
	check := ForChain(CheckOptions{URL: p.serve(t, fakeResponse{status: xocsp.Unknown}), Now: fixedNow})
	rv, err := check(context.Background(), p.leaf.Cert, p.ca.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if rv.Status != chain.StatusError || !strings.Contains(rv.Detail, "does not know") {
		t.Errorf("signed unknown: %+v, want an error that fails the chain", rv)
	}
	check = ForChain(CheckOptions{URL: "http://127.0.0.1:1/", Now: fixedNow})
	if rv, err := check(context.Background(), p.leaf.Cert, p.ca.Cert); err != nil || rv.Status != chain.StatusUnknown {
		t.Errorf("unreachable responder: %+v, %v; want unknown (soft-fail)", rv, err)
	}
}
