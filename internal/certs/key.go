package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/trustctl/trustctl/internal/keys"
)

// keyInfo is what a subject public key info says, as far as it was read.
type keyInfo struct {
	// pub is the key when crypto/x509 reads it, or an EC key whose explicit
	// parameters are those of a curve it knows; nil otherwise.
	pub crypto.PublicKey
	// desc names the key for people ("RSA 2048", "ECDSA P-256 (explicit
	// curve parameters)", "DSA 1024"); "" when nothing could be read.
	desc string
}

var (
	oidRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidDSA = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
	oidEC  = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
)

// keyAlgorithms names the key algorithms and curves crypto/x509 does not
// read (RFC 3279, RFC 5639, RFC 8410, SEC 2).
var keyAlgorithms = map[string]string{
	"1.2.840.113549.1.1.10": "RSASSA-PSS",
	"1.3.101.110":           "X25519",
	"1.3.101.111":           "X448",
	"1.3.101.113":           "Ed448",
	"1.2.840.10046.2.1":     "DH",
	"1.2.156.10197.1.301":   "SM2",
	"1.3.132.0.10":          "secp256k1",
	"1.2.840.10045.3.1.1":   "P-192",
	"1.3.36.3.3.2.8.1.1.7":  "brainpoolP256r1",
	"1.3.36.3.3.2.8.1.1.11": "brainpoolP384r1",
	"1.3.36.3.3.2.8.1.1.13": "brainpoolP512r1",
}

// describeSPKI reads a SubjectPublicKeyInfo element (RFC 5280 section
// 4.1.2.7). What crypto/x509 reads is described by keys.Describe; for the
// rest, the algorithm and size are read from the structure.
func describeSPKI(spki []byte) keyInfo {
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err == nil {
		if desc := keys.Describe(pub); !strings.HasPrefix(desc, "*") {
			return keyInfo{pub: pub, desc: desc}
		}
		// A key crypto/x509 reads but keys.Describe does not name (DSA):
		// described from its structure below.
	} else {
		pub = nil
	}
	in := cryptobyte.String(spki)
	var body, alg, bits cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) || !body.ReadASN1(&bits, cbasn1.BIT_STRING) ||
		len(bits) == 0 || bits[0] != 0 {
		return keyInfo{}
	}
	key := []byte(bits[1:])
	switch {
	case oid.Equal(oidRSA):
		k := cryptobyte.String(key)
		var seq, n cryptobyte.String
		if k.ReadASN1(&seq, cbasn1.SEQUENCE) && seq.ReadASN1(&n, cbasn1.INTEGER) && len(n) > 0 {
			return keyInfo{desc: fmt.Sprintf("RSA %d", new(big.Int).SetBytes(n).BitLen())}
		}
		return keyInfo{desc: "RSA (unreadable modulus)"}
	case oid.Equal(oidDSA):
		var params, p cryptobyte.String
		if alg.ReadASN1(&params, cbasn1.SEQUENCE) && params.ReadASN1(&p, cbasn1.INTEGER) {
			return keyInfo{pub: pub, desc: fmt.Sprintf("DSA %d", twosComplement(p).BitLen())}
		}
		// RFC 3279 section 2.3.2: absent parameters are inherited from
		// the issuer's key.
		return keyInfo{desc: "DSA (parameters inherited from the issuer)"}
	case oid.Equal(oidEC):
		return describeEC(alg, key)
	}
	if name, ok := keyAlgorithms[oid.String()]; ok {
		return keyInfo{desc: name}
	}
	return keyInfo{desc: "key algorithm " + oid.String()}
}

// describeEC reads the parameters of an id-ecPublicKey (RFC 5480 section
// 2.1.1): a named curve, or explicit parameters (RFC 3279 section 2.3.5),
// which crypto/x509 refuses. Explicit parameters equal to those of P-224,
// P-256, P-384 or P-521 give a usable key.
func describeEC(params cryptobyte.String, point []byte) keyInfo {
	var named asn1.ObjectIdentifier
	if params.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		if !params.ReadASN1ObjectIdentifier(&named) {
			return keyInfo{desc: "ECDSA (unreadable curve)"}
		}
		if name, ok := keyAlgorithms[named.String()]; ok {
			return keyInfo{desc: "ECDSA " + name}
		}
		return keyInfo{desc: "ECDSA curve " + named.String()}
	}
	var ecp, field, curve cryptobyte.String
	var fieldType asn1.ObjectIdentifier
	var version int64
	var a, b, base cryptobyte.String
	var prime, order cryptobyte.String
	if !params.ReadASN1(&ecp, cbasn1.SEQUENCE) || !ecp.ReadASN1Integer(&version) ||
		!ecp.ReadASN1(&field, cbasn1.SEQUENCE) || !field.ReadASN1ObjectIdentifier(&fieldType) ||
		!ecp.ReadASN1(&curve, cbasn1.SEQUENCE) || !ecp.ReadASN1(&base, cbasn1.OCTET_STRING) ||
		!ecp.ReadASN1(&order, cbasn1.INTEGER) {
		return keyInfo{desc: "ECDSA (unreadable explicit curve parameters)"}
	}
	if !curve.ReadASN1(&a, cbasn1.OCTET_STRING) || !curve.ReadASN1(&b, cbasn1.OCTET_STRING) {
		return keyInfo{desc: "ECDSA (unreadable explicit curve parameters)"}
	}
	n := twosComplement(order)
	bits := 0
	if n != nil {
		bits = n.BitLen()
	}
	if fieldType.Equal(asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}) && field.ReadASN1(&prime, cbasn1.INTEGER) {
		p := twosComplement(prime)
		for _, c := range []elliptic.Curve{elliptic.P224(), elliptic.P256(), elliptic.P384(), elliptic.P521()} {
			cp := c.Params()
			three := big.NewInt(3)
			if p == nil || n == nil || p.Cmp(cp.P) != 0 || n.Cmp(cp.N) != 0 ||
				new(big.Int).SetBytes(b).Cmp(cp.B) != 0 ||
				new(big.Int).SetBytes(a).Cmp(new(big.Int).Sub(cp.P, three)) != 0 ||
				!sameBase(base, cp) {
				continue
			}
			desc := "ECDSA " + cp.Name + " (explicit curve parameters)"
			if pub, err := ecdsa.ParseUncompressedPublicKey(c, point); err == nil {
				return keyInfo{pub: pub, desc: desc}
			}
			return keyInfo{desc: desc}
		}
	}
	return keyInfo{desc: fmt.Sprintf("ECDSA %d-bit custom curve (explicit curve parameters)", bits)}
}

// sameBase reports whether an uncompressed base point is the generator of cp.
func sameBase(base []byte, cp *elliptic.CurveParams) bool {
	size := (cp.BitSize + 7) / 8
	if len(base) != 1+2*size || base[0] != 4 {
		return false
	}
	return new(big.Int).SetBytes(base[1:1+size]).Cmp(cp.Gx) == 0 &&
		new(big.Int).SetBytes(base[1+size:]).Cmp(cp.Gy) == 0
}
