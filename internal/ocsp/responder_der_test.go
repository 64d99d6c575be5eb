package ocsp

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/trustctl/trustctl/internal/testpki"
)

// The responder reads requests and writes responses by hand, with
// cryptobyte. These tests hold that code to what encoding/asn1 makes of
// the same ASN.1 declared as Go structs, which is easier to check
// against RFC 6960 by eye.

type refRequest struct {
	TBS       refTBSRequest
	Signature asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type refTBSRequest struct {
	Version       int           `asn1:"explicit,tag:0,default:0,optional"`
	RequestorName asn1.RawValue `asn1:"explicit,tag:1,optional"`
	RequestList   []refSingleRequest
	Extensions    []pkix.Extension `asn1:"explicit,tag:2,optional"`
}

type refSingleRequest struct {
	CertID     asn1.RawValue
	Extensions []pkix.Extension `asn1:"explicit,tag:0,optional"`
}

type refBasicResponse struct {
	TBS          asn1.RawValue
	SigAlg       pkix.AlgorithmIdentifier
	Signature    asn1.BitString
	Certificates []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type refResponseData struct {
	Version     int `asn1:"optional,explicit,default:0,tag:0"`
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []refSingleResponse
	Extensions  []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type refSingleResponse struct {
	CertID     asn1.RawValue
	Good       asn1.Flag      `asn1:"tag:0,optional"`
	Revoked    refRevokedInfo `asn1:"tag:1,optional"`
	Unknown    asn1.Flag      `asn1:"tag:2,optional"`
	ThisUpdate time.Time      `asn1:"generalized"`
	NextUpdate time.Time      `asn1:"generalized,explicit,tag:0,optional"`
}

type refRevokedInfo struct {
	RevocationTime time.Time       `asn1:"generalized"`
	Reason         asn1.Enumerated `asn1:"explicit,tag:0,optional"`
}

// refSign is the response encoder written with encoding/asn1.
func refSign(t *testing.T, r *Responder, id []byte, e ResponderEntry, nonce []byte, now time.Time) []byte {
	t.Helper()
	sr := refSingleResponse{CertID: asn1.RawValue{FullBytes: id}, ThisUpdate: now.Add(-time.Minute).UTC().Truncate(time.Second),
		NextUpdate: now.Add(r.o.Validity).UTC().Truncate(time.Second)}
	switch {
	case !e.Known:
		sr.Unknown = true
	case e.Revoked:
		sr.Revoked = refRevokedInfo{RevocationTime: e.RevokedAt.UTC().Truncate(time.Second), Reason: asn1.Enumerated(e.Reason)}
	default:
		sr.Good = true
	}
	keyHash, _ := asn1.Marshal(r.responderKeyHash)
	rd := refResponseData{
		ResponderID: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, IsCompound: true, Bytes: keyHash},
		ProducedAt:  now.UTC().Truncate(time.Second),
		Responses:   []refSingleResponse{sr},
	}
	if nonce != nil {
		rd.Extensions = []pkix.Extension{{Id: oidNonce, Value: nonce}}
	}
	tbs, err := asn1.Marshal(rd)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := r.o.Signer.Sign(rand.Reader, tbs, crypto.Hash(0)) // Ed25519: deterministic
	if err != nil {
		t.Fatal(err)
	}
	var alg pkix.AlgorithmIdentifier
	if _, err := asn1.Unmarshal(r.sigAlg, &alg); err != nil {
		t.Fatal(err)
	}
	br := refBasicResponse{TBS: asn1.RawValue{FullBytes: tbs}, SigAlg: alg, Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}}
	if r.o.SignerCert != nil {
		br.Certificates = []asn1.RawValue{{FullBytes: r.o.SignerCert.Raw}}
	}
	brDER, err := asn1.Marshal(br)
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(ocspResponse{Status: 0, Response: responseBytes{ResponseType: oidBasicResponse, Response: brDER}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestResponderEncodesAsEncodingASN1Would(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	ca := testpki.New(t, testpki.Template{Subject: "Ed CA", IsCA: true, MaxPathLen: -1, Key: key}, nil)
	_, dkey, _ := ed25519.GenerateKey(rand.Reader)
	delegate := testpki.New(t, testpki.Template{Subject: "Ed CA OCSP", Key: dkey}, ca)
	leaf := testpki.Leaf(t, "ed.test", ca, "ed.test")
	now := testpki.Now
	plain, err := NewResponder(ResponderOptions{Issuer: ca.Cert, Source: &responderTestSource{}, Signer: key, Now: responderNow})
	if err != nil {
		t.Fatal(err)
	}
	delegated, err := NewResponder(ResponderOptions{Issuer: ca.Cert, Source: &responderTestSource{}, Signer: dkey, SignerCert: delegate.Cert, Now: responderNow})
	if err != nil {
		t.Fatal(err)
	}
	reqDER, _ := xocsp.CreateRequest(leaf.Cert, ca.Cert, nil)
	req, ok := parseResponderRequest(reqDER)
	if !ok {
		t.Fatal("request does not parse")
	}
	nonce, _ := asn1.Marshal(bytes.Repeat([]byte{0x5a}, 16))
	revokedAt := now.Add(-48*time.Hour + 1500*time.Millisecond)
	for _, r := range []*Responder{plain, delegated} {
		for _, e := range []ResponderEntry{
			{Known: true},
			{},
			{Known: true, Revoked: true, RevokedAt: revokedAt},
			{Known: true, Revoked: true, RevokedAt: revokedAt, Reason: 1},
			{Known: true, Revoked: true, RevokedAt: revokedAt, Reason: 10},
		} {
			for _, n := range [][]byte{nil, nonce} {
				got, err := r.sign(req.certID, e, n, now)
				if err != nil {
					t.Fatal(err)
				}
				if want := refSign(t, r, req.certID, e, n, now); !bytes.Equal(got, want) {
					t.Errorf("entry %+v, nonce %t, delegated %t:\n got %s\nwant %s", e, n != nil, r.o.SignerCert != nil, hex.EncodeToString(got), hex.EncodeToString(want))
				}
			}
		}
	}
}

func TestResponderParsesAsEncodingASN1Would(t *testing.T) {
	ca := testpki.Root(t, "Parse CA")
	leaf := testpki.Leaf(t, "parse.test", ca, "parse.test")
	plain, _ := xocsp.CreateRequest(leaf.Cert, ca.Cert, &xocsp.RequestOptions{Hash: crypto.SHA256})
	withNonce, _ := NewRequest(leaf.Cert, ca.Cert, bytes.Repeat([]byte{7}, 16))
	var base refRequest
	if _, err := asn1.Unmarshal(plain, &base); err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(*refRequest)) []byte {
		r := base
		r.TBS.RequestList = append([]refSingleRequest(nil), base.TBS.RequestList...)
		f(&r)
		der, err := asn1.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	nonceValue, _ := asn1.Marshal([]byte("0123456789abcdef"))
	cases := map[string][]byte{
		"plain":      plain,
		"with nonce": withNonce,
		"version 1":  mutate(func(r *refRequest) { r.TBS.Version = 1 }),
		"two certificates": mutate(func(r *refRequest) {
			r.TBS.RequestList = append(r.TBS.RequestList, r.TBS.RequestList[0])
		}),
		"a critical nonce and another extension": mutate(func(r *refRequest) {
			r.TBS.Extensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3}, Value: []byte{5, 0}}, {Id: oidNonce, Critical: true, Value: nonceValue}}
		}),
		"single request extension": mutate(func(r *refRequest) {
			r.TBS.RequestList[0].Extensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3}, Value: []byte{5, 0}}}
		}),
		"requestor name": mutate(func(r *refRequest) {
			r.TBS.RequestorName = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("client.test")}
		}),
		"no certificate": mutate(func(r *refRequest) { r.TBS.RequestList = nil }),
		"trailing data":  append(append([]byte(nil), plain...), 0),
		"truncated":      plain[:len(plain)-1],
		"empty":          {},
		"not a request":  {0x30, 0x00},
		"certID not a seq": mutate(func(r *refRequest) {
			r.TBS.RequestList[0].CertID = asn1.RawValue{Tag: asn1.TagInteger, Bytes: []byte{1}}
		}),
	}
	for name, der := range cases {
		got, ok := parseResponderRequest(der)
		var gotID responderCertID
		if ok {
			gotID, ok = parseCertID(got.certID)
		}
		var want refRequest
		rest, err := asn1.Unmarshal(der, &want)
		wantOK := err == nil && len(rest) == 0 && len(want.TBS.RequestList) > 0
		var id certID
		if wantOK {
			_, err := asn1.Unmarshal(want.TBS.RequestList[0].CertID.FullBytes, &id)
			wantOK = err == nil && id.SerialNumber != nil
		}
		if ok != wantOK {
			t.Errorf("%s: parsed %t, encoding/asn1 %t", name, ok, wantOK)
			continue
		}
		if !ok {
			continue
		}
		var wantNonce []byte
		for _, e := range want.TBS.Extensions {
			if e.Id.Equal(oidNonce) {
				wantNonce = e.Value
			}
		}
		if !bytes.Equal(got.certID, want.TBS.RequestList[0].CertID.FullBytes) || !gotID.hashAlg.Equal(id.HashAlgorithm.Algorithm) ||
			!bytes.Equal(gotID.issuerNameHash, id.IssuerNameHash) || !bytes.Equal(gotID.issuerKeyHash, id.IssuerKeyHash) ||
			gotID.serial.Cmp(id.SerialNumber) != 0 || !bytes.Equal(got.nonce, wantNonce) || (got.nonce == nil) != (wantNonce == nil) {
			t.Errorf("%s: got %+v %+v, encoding/asn1 read %+v and nonce %x", name, got, gotID, id, wantNonce)
		}
	}
}
