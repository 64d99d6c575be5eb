package ocsp

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
)

// The parts of RFC 6960's ASN.1 that the client (Check) and the responder
// share. Where they need different shapes (the client decodes a response
// it must verify, the responder encodes one), each keeps its own types.

// oidNonce is id-pkix-ocsp-nonce (RFC 6960 section 4.4.1).
var oidNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}

// oidBasicResponse is id-pkix-ocsp-basic (RFC 6960 section 4.2.1).
var oidBasicResponse = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}

// hashOIDs are the CertID hash algorithms both sides understand.
var hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 3, 14, 3, 2, 26},
	crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

// hashFromOID returns the hash of a CertID algorithm, or 0.
func hashFromOID(oid asn1.ObjectIdentifier) crypto.Hash {
	for h, o := range hashOIDs {
		if o.Equal(oid) {
			return h
		}
	}
	return 0
}

// certID identifies a certificate by its issuer and serial (RFC 6960
// section 4.1.1).
type certID struct {
	HashAlgorithm  pkix.AlgorithmIdentifier
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	SerialNumber   *big.Int
}

// ocspResponse is the outer OCSPResponse of RFC 6960 section 4.2.1.
type ocspResponse struct {
	Status   asn1.Enumerated
	Response responseBytes `asn1:"explicit,tag:0,optional"`
}

type responseBytes struct {
	ResponseType asn1.ObjectIdentifier
	Response     []byte
}
