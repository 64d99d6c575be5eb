package chain

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/trustctl/trustctl/internal/certs"
)

// Cert is a certificate as the validator reads it. The TBS structure and
// the extensions the validator processes are decoded here with cryptobyte,
// so a certificate crypto/x509 refuses (a DSA key that inherits its
// parameters, a CRL distribution point it does not read, a time with
// fractional seconds) is still validated on its merits. [Cert.X509] is
// crypto/x509's parse, made when first asked for (OCSP and callers that
// want an *x509.Certificate need it; validation does not).
type Cert struct {
	Raw, RawTBS               []byte
	RawSubject, RawIssuer     []byte
	RawSPKI                   []byte
	Version                   int // 1, 2 or 3
	Serial                    *big.Int
	rawSerial                 []byte // the INTEGER's content octets
	SigAlg, TBSSigAlg         []byte // AlgorithmIdentifier DER, outer and inner
	Signature                 []byte
	Subject, Issuer           dn
	NotBefore, NotAfter       time.Time
	Exts                      []ext
	sum                       [32]byte
	spkiSum                   [32]byte
	nameKey                   string // subject and key, RFC 4158 §5.2's identity of a CA
	subjectKey, issuerKey     string // normalised names (RFC 5280 §7.1)
	subjectName, issuerString string

	// Decoded extensions.
	hasBC, IsCA          bool
	bcCritical           bool
	PathLen              int // -1: none
	hasKU                bool
	KeyUsage             x509.KeyUsage
	kuEmpty              bool
	hasEKU               bool
	EKU                  []asn1.ObjectIdentifier
	SKI, AKI             []byte
	akiIssuer, akiSerial bool
	hasSAN, sanCritical  bool
	SAN                  names
	hasNC, ncCritical    bool
	Permitted, Excluded  []subtree
	hasPolicies          bool
	Policies             []policyInfo
	PolicyMappings       [][2]string
	hasPC, pcCritical    bool
	RequireExplicit      int // -1: none
	InhibitMapping       int // -1: none
	InhibitAny           int // -1: none
	CRLDPs               []distPoint
	FreshestCRL          []distPoint
	OCSPServers          []string
	unhandledCritical    []string // OIDs
	extProblems          []string // extensions that do not decode
	duplicateExt         string
	spkiAlg              asn1.ObjectIdentifier
	spkiParams           []byte // raw parameters (nil when absent)
	otherNames           int

	keyOnce sync.Once
	key     any
	keyErr  error
	xOnce   sync.Once
	x       *x509.Certificate
}

type ext struct {
	ID       asn1.ObjectIdentifier
	Critical bool
	Value    []byte
}

// names are the general names of a SAN extension (or the ones a name
// constraint tests).
type names struct {
	DNS, Email, URI []string
	IP              []net.IP
	Dir             []dn
}

// subtree is one GeneralSubtree of a name constraints extension.
type subtree struct {
	kind  string // dns, email, uri, ip, dir, other
	value string
	ipNet *net.IPNet
	dir   dn
	bad   string // why it could not be read
	// excluded marks a subtree of excludedSubtrees.
	excluded bool
}

type policyInfo struct {
	oid        string
	qualifiers bool
}

// distPoint is one DistributionPoint (RFC 5280 §4.2.1.13), or the
// distribution point of a CRL's IDP extension.
type distPoint struct {
	fullNames   *names // nil: no fullName
	relative    *rdnSet
	reasons     int // bit mask of ReasonFlags; 0: all reasons
	hasReasons  bool
	crlIssuer   *names
	hasCRLIssue bool
}

// Extension OIDs (RFC 5280 §4.2).
var (
	oidSKI              = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidSAN              = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidIAN              = asn1.ObjectIdentifier{2, 5, 29, 18}
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidNameConstraints  = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidCRLDP            = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidCertPolicies     = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidPolicyMappings   = asn1.ObjectIdentifier{2, 5, 29, 33}
	oidAKI              = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidPolicyConstr     = asn1.ObjectIdentifier{2, 5, 29, 36}
	oidExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidFreshestCRL      = asn1.ObjectIdentifier{2, 5, 29, 46}
	oidInhibitAny       = asn1.ObjectIdentifier{2, 5, 29, 54}
	oidAIA              = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidSIA              = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 11}
	oidOCSPMethod       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	oidEmailAttr        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidCNAttr           = asn1.ObjectIdentifier{2, 5, 4, 3}
)

const anyPolicy = "2.5.29.32.0"

// ParseCert decodes a DER certificate. It fails only when the outer
// structure or the TBS fields cannot be read at all; an extension that does
// not decode is recorded and reported by the validator as a problem of that
// certificate.
func ParseCert(der []byte) (*Cert, error) {
	c := &Cert{Raw: der, sum: sha256.Sum256(der), PathLen: -1, RequireExplicit: -1, InhibitMapping: -1, InhibitAny: -1}
	in := cryptobyte.String(der)
	var cert, tbs, sigAlg cryptobyte.String
	var sig asn1.BitString
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("not a DER certificate")
	}
	if !cert.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed certificate: no TBSCertificate")
	}
	c.RawTBS = tbs
	if !cert.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) || !cert.ReadASN1BitString(&sig) {
		return nil, errors.New("malformed certificate: no signature")
	}
	c.SigAlg, c.Signature = sigAlg, sig.RightAlign()
	if !tbs.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed TBSCertificate")
	}
	c.Version = 1
	var ver cryptobyte.String
	var hasVer bool
	if !tbs.ReadOptionalASN1(&ver, &hasVer, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errors.New("malformed version")
	}
	if hasVer {
		var v int
		if !ver.ReadASN1Integer(&v) || v < 0 || v > 2 {
			return nil, errors.New("malformed or unknown version")
		}
		c.Version = v + 1
	}
	var serial cryptobyte.String
	if !tbs.ReadASN1(&serial, cbasn1.INTEGER) {
		return nil, errors.New("malformed serial number")
	}
	c.rawSerial = serial
	c.Serial = new(big.Int).SetBytes(serial)
	if len(serial) > 0 && serial[0]&0x80 != 0 {
		c.Serial.Sub(c.Serial, new(big.Int).Lsh(big.NewInt(1), uint(len(serial))*8))
	}
	var inner, subj, iss, validity, spki cryptobyte.String
	if !tbs.ReadASN1Element(&inner, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed signature algorithm")
	}
	c.TBSSigAlg = inner
	if !tbs.ReadASN1Element(&iss, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed issuer")
	}
	c.RawIssuer = iss
	if !tbs.ReadASN1(&validity, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed validity")
	}
	var err error
	if c.NotBefore, err = readTime(&validity); err != nil {
		return nil, fmt.Errorf("notBefore: %w", err)
	}
	if c.NotAfter, err = readTime(&validity); err != nil {
		return nil, fmt.Errorf("notAfter: %w", err)
	}
	if !tbs.ReadASN1Element(&subj, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed subject")
	}
	c.RawSubject = subj
	if !tbs.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed subject public key info")
	}
	c.RawSPKI = spki
	if c.Subject, err = parseDN(subj); err != nil {
		return nil, fmt.Errorf("subject: %w", err)
	}
	if c.Issuer, err = parseDN(iss); err != nil {
		return nil, fmt.Errorf("issuer: %w", err)
	}
	{
		s := spki
		var alg, oidS cryptobyte.String
		if s.ReadASN1(&s, cbasn1.SEQUENCE) && s.ReadASN1(&alg, cbasn1.SEQUENCE) && alg.ReadASN1ObjectIdentifier(&c.spkiAlg) {
			_ = oidS
			if !alg.Empty() {
				c.spkiParams = alg
			}
		}
	}
	// issuerUniqueID [1], subjectUniqueID [2]: skipped.
	for _, tag := range []cbasn1.Tag{cbasn1.Tag(1).ContextSpecific(), cbasn1.Tag(2).ContextSpecific()} {
		if !tbs.SkipOptionalASN1(tag) {
			return nil, errors.New("malformed unique identifier")
		}
	}
	var exts cryptobyte.String
	var hasExts bool
	if !tbs.ReadOptionalASN1(&exts, &hasExts, cbasn1.Tag(3).Constructed().ContextSpecific()) {
		return nil, errors.New("malformed extensions")
	}
	if hasExts {
		if !exts.ReadASN1(&exts, cbasn1.SEQUENCE) {
			return nil, errors.New("malformed extensions")
		}
		seen := map[string]bool{}
		for !exts.Empty() {
			var e cryptobyte.String
			var x ext
			var val cryptobyte.String
			if !exts.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1ObjectIdentifier(&x.ID) ||
				!readOptBool(&e, &x.Critical) || !e.ReadASN1(&val, cbasn1.OCTET_STRING) {
				return nil, errors.New("malformed extension")
			}
			x.Value = val
			if seen[x.ID.String()] {
				c.duplicateExt = x.ID.String()
			}
			seen[x.ID.String()] = true
			c.Exts = append(c.Exts, x)
		}
	}
	for _, e := range c.Exts {
		c.decodeExt(e)
	}
	c.subjectKey, c.issuerKey = c.Subject.key(), c.Issuer.key()
	c.spkiSum = sha256.Sum256(c.RawSPKI)
	c.nameKey = c.subjectKey + "\x02" + string(c.spkiSum[:])
	c.subjectName, c.issuerString = c.Subject.String(), c.Issuer.String()
	return c, nil
}

// X509 returns crypto/x509's parse of the certificate, or nil when
// crypto/x509 refuses it.
func (c *Cert) X509() *x509.Certificate {
	c.xOnce.Do(func() { c.x, _ = x509.ParseCertificate(c.Raw) })
	return c.x
}

// FromX509 wraps a certificate crypto/x509 parsed.
func FromX509(x *x509.Certificate) (*Cert, error) {
	c, err := ParseCert(x.Raw)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func readTime(s *cryptobyte.String) (time.Time, error) {
	var t cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&t, &tag) {
		return time.Time{}, errors.New("malformed time")
	}
	switch tag {
	case cbasn1.UTCTime:
		tm, err := time.Parse("060102150405Z0700", string(t))
		if err != nil {
			return time.Time{}, errors.New("malformed UTCTime")
		}
		// RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY.
		if tm.Year() >= 2050 {
			tm = tm.AddDate(-100, 0, 0)
		}
		return tm, nil
	case cbasn1.GeneralizedTime:
		// Fractional seconds are tolerated (RFC 5280 §4.1.2.5.2 says
		// MUST NOT, but that is the issuer's profile, not a reason the
		// time cannot be read).
		tm, err := time.Parse("20060102150405.999999999Z0700", string(t))
		if err != nil {
			return time.Time{}, errors.New("malformed GeneralizedTime")
		}
		return tm, nil
	}
	return time.Time{}, errors.New("a time that is neither UTCTime nor GeneralizedTime")
}

// Name is the subject in RFC 4514 form, or the serial number when the
// subject is empty.
func (c *Cert) Name() string {
	if c.subjectName != "" {
		return c.subjectName
	}
	return fmt.Sprintf("(empty subject, serial %s)", certs.SerialHex(c.Serial))
}

func (c *Cert) issuerText() string {
	if c.issuerString != "" {
		return c.issuerString
	}
	return "(empty issuer name)"
}

func (c *Cert) selfIssued() bool { return c.subjectKey == c.issuerKey }

func (c *Cert) hasExt(oid asn1.ObjectIdentifier) (ext, bool) {
	for _, e := range c.Exts {
		if e.ID.Equal(oid) {
			return e, true
		}
	}
	return ext{}, false
}
