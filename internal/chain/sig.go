package chain

import (
	"crypto"
	"crypto/dsa" //lint:ignore SA1019 DSA is verified, not made: PKITS and old private PKIs still sign with it (RFC 3279 §2.2.2)
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Signatures are checked by crypto/x509 (RSA, RSA-PSS, ECDSA, Ed25519),
// except DSA, which crypto/x509 parses but no longer verifies: trustctl
// verifies DSA with crypto/dsa (FIPS 186) so that chains of old private
// PKIs, and a DSA key that inherits its domain parameters from its issuer
// (RFC 3279 §2.3.2, RFC 5280 §6.1.4 (d)-(f)), are judged on their merits.

var (
	oidDSA          = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
	oidDSAWithSHA1  = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 3}
	oidDSAWithSHA2  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 2}
	oidRSAPSS       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidSHA256       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	errDSAInherited = errors.New("the DSA key inherits its parameters from its issuer")
)

var sigAlgs = map[string]x509.SignatureAlgorithm{
	"1.2.840.113549.1.1.2":   x509.MD2WithRSA,
	"1.2.840.113549.1.1.4":   x509.MD5WithRSA,
	"1.2.840.113549.1.1.5":   x509.SHA1WithRSA,
	"1.3.14.3.2.29":          x509.SHA1WithRSA,
	"1.2.840.113549.1.1.11":  x509.SHA256WithRSA,
	"1.2.840.113549.1.1.12":  x509.SHA384WithRSA,
	"1.2.840.113549.1.1.13":  x509.SHA512WithRSA,
	"1.2.840.10045.4.1":      x509.ECDSAWithSHA1,
	"1.2.840.10045.4.3.2":    x509.ECDSAWithSHA256,
	"1.2.840.10045.4.3.3":    x509.ECDSAWithSHA384,
	"1.2.840.10045.4.3.4":    x509.ECDSAWithSHA512,
	"1.3.101.112":            x509.PureEd25519,
	"1.2.840.10040.4.3":      x509.DSAWithSHA1,
	"2.16.840.1.101.3.4.3.2": x509.DSAWithSHA256,
}

// sigAlgorithm maps an AlgorithmIdentifier to crypto/x509's enumeration.
func sigAlgorithm(algID []byte) (x509.SignatureAlgorithm, asn1.ObjectIdentifier) {
	s := cryptobyte.String(algID)
	var seq cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&oid) {
		return x509.UnknownSignatureAlgorithm, nil
	}
	if oid.Equal(oidRSAPSS) {
		// RSASSA-PSS-params: hashAlgorithm [0] (default SHA-1, which
		// crypto/x509 does not take).
		var params, h, hAlg cryptobyte.String
		var has bool
		var hOID asn1.ObjectIdentifier
		if seq.ReadASN1(&params, cbasn1.SEQUENCE) && params.ReadOptionalASN1(&h, &has, cbasn1.Tag(0).Constructed().ContextSpecific()) && has &&
			h.ReadASN1(&hAlg, cbasn1.SEQUENCE) && hAlg.ReadASN1ObjectIdentifier(&hOID) {
			switch {
			case hOID.Equal(oidSHA256):
				return x509.SHA256WithRSAPSS, oid
			case hOID.Equal(oidSHA384):
				return x509.SHA384WithRSAPSS, oid
			case hOID.Equal(oidSHA512):
				return x509.SHA512WithRSAPSS, oid
			}
		}
		return x509.UnknownSignatureAlgorithm, oid
	}
	return sigAlgs[oid.String()], oid
}

// dsaKey is a DSA public key whose parameters may still be unknown.
type dsaKey struct {
	y      *big.Int
	params *dsa.Parameters // nil: inherited from the issuer
}

// publicKey parses c's key: a crypto.PublicKey from crypto/x509, or a
// *dsaKey.
func (c *Cert) publicKey() (any, error) {
	c.keyOnce.Do(func() {
		if c.spkiAlg.Equal(oidDSA) {
			c.key, c.keyErr = parseDSAKey(c.RawSPKI, c.spkiParams)
			return
		}
		c.key, c.keyErr = x509.ParsePKIXPublicKey(c.RawSPKI)
	})
	return c.key, c.keyErr
}

func parseDSAKey(spki, params []byte) (*dsaKey, error) {
	s := cryptobyte.String(spki)
	var seq cryptobyte.String
	var bs asn1.BitString
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) || !seq.ReadASN1BitString(&bs) {
		return nil, errors.New("malformed DSA public key")
	}
	k := &dsaKey{y: new(big.Int)}
	ys := cryptobyte.String(bs.RightAlign())
	if !ys.ReadASN1Integer(k.y) {
		return nil, errors.New("malformed DSA public key")
	}
	if len(params) > 0 && !(len(params) == 2 && params[0] == 5) { // absent or NULL: inherited
		p := cryptobyte.String(params)
		var ps cryptobyte.String
		k.params = &dsa.Parameters{P: new(big.Int), Q: new(big.Int), G: new(big.Int)}
		if !p.ReadASN1(&ps, cbasn1.SEQUENCE) || !ps.ReadASN1Integer(k.params.P) || !ps.ReadASN1Integer(k.params.Q) || !ps.ReadASN1Integer(k.params.G) {
			return nil, errors.New("malformed DSA parameters")
		}
	}
	return k, nil
}

// checkSignature verifies sig over tbs with the key pub. inherited are
// DSA parameters from the issuer's own key, used when pub has none.
func checkSignature(pub any, inherited *dsa.Parameters, algID, tbs, sig []byte) error {
	algo, oid := sigAlgorithm(algID)
	if k, ok := pub.(*dsaKey); ok {
		params := k.params
		if params == nil {
			params = inherited
		}
		if params == nil {
			return errDSAInherited
		}
		var h []byte
		switch {
		case oid.Equal(oidDSAWithSHA1):
			s := sha1.Sum(tbs)
			h = s[:]
		case oid.Equal(oidDSAWithSHA2):
			s := sha256.Sum256(tbs)
			h = s[:]
		default:
			return fmt.Errorf("a DSA key cannot check a signature of algorithm %v", oid)
		}
		if n := params.Q.BitLen() / 8; n < len(h) {
			h = h[:n]
		}
		in := cryptobyte.String(sig)
		var seq cryptobyte.String
		r, s := new(big.Int), new(big.Int)
		if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(r) || !seq.ReadASN1Integer(s) || !seq.Empty() || !in.Empty() {
			return errors.New("malformed DSA signature")
		}
		if r.Sign() <= 0 || s.Sign() <= 0 || !dsa.Verify(&dsa.PublicKey{Parameters: *params, Y: k.y}, h, r, s) {
			return errors.New("DSA verification failure")
		}
		return nil
	}
	if algo == x509.UnknownSignatureAlgorithm {
		return fmt.Errorf("unknown signature algorithm %v", oid)
	}
	if algo == x509.DSAWithSHA1 || algo == x509.DSAWithSHA256 {
		return errors.New("a DSA signature made with a key that is not DSA")
	}
	k, ok := pub.(crypto.PublicKey)
	if !ok {
		return errors.New("unsupported public key")
	}
	return (&x509.Certificate{PublicKey: k}).CheckSignature(algo, tbs, sig)
}

// sigCacheKey keys the cache by issuer key and the signed object's hash.
func sigCacheKey(issuer *Cert, inherited *dsa.Parameters, objSum [32]byte) sigKey {
	if inherited == nil {
		// The same key as checkSig's: the hash of the issuer's SPKI.
		return sigKey{issuer.spkiSum, objSum}
	}
	h := sha256.New()
	h.Write(issuer.RawSPKI)
	h.Write(inherited.P.Bytes())
	h.Write(inherited.Q.Bytes())
	h.Write(inherited.G.Bytes())
	var k sigKey
	copy(k[0][:], h.Sum(nil))
	k[1] = objSum
	return k
}

// verifyCert checks that issuer's key (with DSA parameters inherited from
// above when it has none) signed child, through the signature cache.
func verifyCert(issuer *Cert, inherited *dsa.Parameters, child *Cert) error {
	pub, err := issuer.publicKey()
	if err != nil {
		return fmt.Errorf("the key of %s cannot be read: %v", issuer.Name(), err)
	}
	k := sigCacheKey(issuer, inherited, child.sum)
	if err, ok := sigCache.get(k); ok {
		return err
	}
	err = checkSignature(pub, inherited, child.SigAlg, child.RawTBS, child.Signature)
	if err != errDSAInherited {
		sigCache.put(k, err)
	}
	return err
}

// dsaParams returns the DSA parameters a certificate's key carries.
func (c *Cert) dsaParams() *dsa.Parameters {
	if k, err := c.publicKey(); err == nil {
		if d, ok := k.(*dsaKey); ok {
			return d.params
		}
	}
	return nil
}
