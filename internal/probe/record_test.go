package probe

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
	"time"

	ct "github.com/google/certificate-transparency-go"
	cttls "github.com/google/certificate-transparency-go/tls"
	ctx509 "github.com/google/certificate-transparency-go/x509"
	"golang.org/x/crypto/ocsp"

	"github.com/trustctl/trustctl/internal/certs"
	intocsp "github.com/trustctl/trustctl/internal/ocsp"
	"github.com/trustctl/trustctl/internal/testpki"
)

// certificateRecords builds a ServerHello and Certificate message split
// across two handshake records, as a server may send them.
func certificateRecords(ders ...[]byte) []byte {
	var list []byte
	for _, d := range ders {
		list = append(list, byte(len(d)>>16), byte(len(d)>>8), byte(len(d)))
		list = append(list, d...)
	}
	body := append([]byte{byte(len(list) >> 16), byte(len(list) >> 8), byte(len(list))}, list...)
	hello := []byte{2, 0, 0, 4, 3, 3, 0, 0}
	msg := append(hello, append([]byte{handshakeCertificate, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)...)
	half := len(msg) / 2
	rec := func(b []byte) []byte {
		return append([]byte{recordHandshake, 3, 3, byte(len(b) >> 8), byte(len(b))}, b...)
	}
	return append(rec(msg[:half]), rec(msg[half:])...)
}

func TestServerCertificates(t *testing.T) {
	a, b := []byte("first certificate"), []byte("second")
	got, err := ServerCertificates(certificateRecords(a, b))
	if err != nil || len(got) != 2 || !bytes.Equal(got[0], a) || !bytes.Equal(got[1], b) {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := ServerCertificates([]byte{22, 3, 3, 0, 1, 2}); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("no certificate message: %v", err)
	}
	if _, err := ServerCertificates([]byte("HTTP/1.1 400 Bad Request\r\n")); err == nil {
		t.Error("HTTP read as TLS")
	}
}

func FuzzServerCertificates(f *testing.F) {
	f.Add(certificateRecords([]byte("abc"), []byte("de")))
	f.Add(certificateRecords())
	f.Add([]byte{22, 3, 1, 0, 4, 11, 0, 0, 0})
	f.Add([]byte{21, 3, 3, 0, 2, 2, 40})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ServerCertificates(b)
		if err == nil {
			for _, c := range got {
				if len(c) == 0 {
					t.Fatal("empty certificate returned")
				}
				_ = certs.Parse(c)
			}
		}
	})
}

func sctBytes(t testing.TB, id byte, ms uint64) []byte {
	var s ct.SignedCertificateTimestamp
	s.LogID.KeyID[0] = id
	s.Timestamp = ms
	s.Signature = ct.DigitallySigned{Algorithm: cttls.SignatureAndHashAlgorithm{Hash: cttls.SHA256, Signature: cttls.ECDSA}, Signature: []byte{1, 2, 3}}
	b, err := cttls.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSCTs(t *testing.T) {
	when := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	list := ctx509.SignedCertificateTimestampList{SCTList: []ctx509.SerializedSCT{{Val: sctBytes(t, 0xaa, uint64(when.UnixMilli()))}}}
	inner, err := cttls.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	ext, _ := asn1.Marshal(inner)
	got := ParseSCTList(ext)
	if len(got) != 1 || got[0].Err != nil || !got[0].Time.Equal(when) || got[0].LogID[:2] != "aa" {
		t.Fatalf("embedded: %+v", got)
	}
	leaf := certs.FromX509(testPKI(t).leaf.Cert)
	all := collectSCTs(leaf, [][]byte{sctBytes(t, 0xbb, 1000), []byte("junk")})
	if len(all) != 2 || all[0].Source != "tls" || all[0].LogID[:2] != "bb" || all[1].Err == nil {
		t.Errorf("from TLS: %+v", all)
	}
}

func FuzzParseSCTList(f *testing.F) {
	f.Add([]byte{4, 0})
	f.Add([]byte{4, 2, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) { _ = ParseSCTList(b) })
}

func TestDecodeOCSP(t *testing.T) {
	p := testPKI(t)
	now := time.Now().Truncate(time.Minute)
	der, err := ocsp.CreateResponse(p.inter.Cert, p.inter.Cert, ocsp.Response{
		Status: ocsp.Good, SerialNumber: p.leaf.Cert.SerialNumber,
		ThisUpdate: now, NextUpdate: now.Add(24 * time.Hour),
	}, p.inter.Key.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	info := decodeOCSP(der, certs.FromX509(p.leaf.Cert), certs.FromX509(p.inter.Cert), now)
	if info.Status != "good" || !info.SerialMatches || !info.SignatureChecked || info.Err != nil {
		t.Errorf("got %+v", info)
	}
	// Signed by the issuer with its certificate embedded, as openssl ocsp
	// answers by default.
	embedded, err := ocsp.CreateResponse(p.inter.Cert, p.inter.Cert, ocsp.Response{
		Status: ocsp.Revoked, SerialNumber: p.leaf.Cert.SerialNumber, RevokedAt: now.Add(-time.Hour),
		ThisUpdate: now, NextUpdate: now.Add(24 * time.Hour), Certificate: p.inter.Cert,
	}, p.inter.Key.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	info = decodeOCSP(embedded, certs.FromX509(p.leaf.Cert), certs.FromX509(p.inter.Cert), now)
	if info.Status != "revoked" || !info.SerialMatches || !info.SignatureChecked || info.Err != nil {
		t.Errorf("issuer embedded: %+v", info)
	}
	info = decodeOCSP(der, certs.FromX509(p.leaf.Cert), certs.FromX509(p.root.Cert), now)
	if info.Status != "good" || info.SignatureChecked || info.Err == nil {
		t.Errorf("wrong issuer: %+v", info)
	}
	if info := decodeOCSP([]byte("junk"), certs.FromX509(p.leaf.Cert), nil, now); info.Err == nil {
		t.Errorf("junk: %+v", info)
	}
	// Past its nextUpdate, the response says what it says but is not
	// accepted.
	if info := decodeOCSP(der, certs.FromX509(p.leaf.Cert), certs.FromX509(p.inter.Cert), now.Add(48*time.Hour)); info.SignatureChecked || !errors.Is(info.Err, intocsp.ErrStale) {
		t.Errorf("stale: %+v", info)
	}
	// A delegated responder must carry id-kp-OCSPSigning: another server
	// certificate of the same issuer cannot vouch for this one.
	for _, tc := range []struct {
		name string
		eku  []x509.ExtKeyUsage
		ok   bool
	}{{"server certificate", []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, false}, {"OCSP signer", []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}, true}} {
		signer := testpki.New(t, testpki.Template{Subject: "CN=Responder", EKU: tc.eku}, p.inter)
		delegated, err := ocsp.CreateResponse(p.inter.Cert, signer.Cert, ocsp.Response{
			Status: ocsp.Good, SerialNumber: p.leaf.Cert.SerialNumber,
			ThisUpdate: now, NextUpdate: now.Add(24 * time.Hour), Certificate: signer.Cert,
		}, signer.Key.(*ecdsa.PrivateKey))
		if err != nil {
			t.Fatal(err)
		}
		info := decodeOCSP(delegated, certs.FromX509(p.leaf.Cert), certs.FromX509(p.inter.Cert), now)
		if info.SignatureChecked != tc.ok || (info.Err == nil) != tc.ok || info.Status != "good" {
			t.Errorf("signed by a %s: %+v", tc.name, info)
		}
	}
}

func TestProbeStapledOCSPAndSCT(t *testing.T) {
	p := testPKI(t)
	now := time.Now().Truncate(time.Minute)
	staple, err := ocsp.CreateResponse(p.inter.Cert, p.inter.Cert, ocsp.Response{
		Status: ocsp.Revoked, SerialNumber: p.leaf.Cert.SerialNumber, RevokedAt: now.Add(-time.Hour),
		ThisUpdate: now, NextUpdate: now.Add(24 * time.Hour),
	}, p.inter.Key.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	cert := tlsCert(t, p.leaf, p.inter)
	cert.OCSPStaple = staple
	cert.SignedCertificateTimestamps = [][]byte{sctBytes(t, 0xcc, uint64(now.UnixMilli()))}
	tg := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	r, err := Probe(context.Background(), tg, Options{ServerName: "primary-host", NoFallbackCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.OCSP == nil || r.OCSP.Status != "revoked" || !r.OCSP.SignatureChecked || !r.OCSP.SerialMatches {
		t.Errorf("stapled OCSP %+v", r.OCSP)
	}
	if v := Judge(Outcome{Target: tg, Result: r}, Expect{}); v.OK || len(v.Failures) != 1 ||
		!strings.HasPrefix(v.Failures[0], "the stapled OCSP response says the leaf (CN=primary-host) was revoked on ") {
		t.Errorf("a revoked leaf passed: %+v", v)
	}
	if len(r.SCTs) != 1 || r.SCTs[0].Source != "tls" || !r.SCTs[0].Time.Equal(now) {
		t.Errorf("SCTs %+v", r.SCTs)
	}
}
