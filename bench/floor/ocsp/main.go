// Command ocsp is an OCSP responder on net/http with x/crypto/ocsp: it
// answers "good" for every serial of CA, POST and GET as RFC 6960
// appendix A says, signed as trustctl ocsp serve signs by default: by a
// delegated responder certificate (P-256, id-kp-OCSPSigning) the CA
// issues at start. Usage: ocsp CA.crt CA.key ADDR (prints "listening on
// http://ADDR").
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
)

func main() {
	cb, _ := os.ReadFile(os.Args[1])
	kb, _ := os.ReadFile(os.Args[2])
	b, _ := pem.Decode(cb)
	ca, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		fail(err)
	}
	b, _ = pem.Decode(kb)
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		fail(err)
	}
	caKey := k.(crypto.Signer)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail(err)
	}
	start := time.Now()
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(start.UnixNano()), Subject: pkix.Name{CommonName: "OCSP responder"},
		NotBefore: start.Add(-time.Minute), NotAfter: start.Add(7 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
	}, ca, key.Public(), caKey)
	if err != nil {
		fail(err)
	}
	responder, err := x509.ParseCertificate(der)
	if err != nil {
		fail(err)
	}
	ln, err := net.Listen("tcp", os.Args[3])
	if err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "listening on http://%s\n", ln.Addr())
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var der []byte
		switch r.Method {
		case http.MethodPost:
			der, err = io.ReadAll(io.LimitReader(r.Body, 10000))
		case http.MethodGet:
			der, err = base64.StdEncoding.DecodeString(strings.TrimPrefix(r.URL.Path, "/"))
		}
		if err != nil || der == nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		req, err := ocsp.ParseRequest(der)
		if err != nil {
			w.Write(ocsp.MalformedRequestErrorResponse)
			return
		}
		now := time.Now().Truncate(time.Minute)
		resp, err := ocsp.CreateResponse(ca, responder, ocsp.Response{Status: ocsp.Good, SerialNumber: req.SerialNumber,
			ThisUpdate: now, NextUpdate: now.Add(time.Hour), Certificate: responder}, key)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(resp)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fail(srv.Serve(ln))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(2)
}
