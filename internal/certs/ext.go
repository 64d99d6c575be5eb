package certs

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"net"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Extensions is what a certificate's extensions say, with names as
// RFC 5280 and OpenSSL write them, for people and for JSON.
type Extensions struct {
	DNSNames    []string
	IPAddresses []string
	Emails      []string
	URIs        []string
	// KeyUsage holds RFC 5280 names ("digitalSignature", "keyCertSign").
	KeyUsage []string
	// ExtKeyUsage holds names ("serverAuth") or dotted OIDs.
	ExtKeyUsage                        []string
	SubjectKeyID, AuthorityKeyID       []byte
	OCSPServers, CRLDistributionPoints []string
	// Unreadable names the extensions of a certificate crypto/x509 refused
	// that are present but could not be read either; what they would have
	// said is unknown, not absent.
	Unreadable []string
}

// Extension identifiers (RFC 5280 section 4.2).
var (
	oidSKI  = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidKU   = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidSAN  = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidBC   = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidCRL  = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidAKI  = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidEKU  = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidAIA  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidOCSP = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
)

// keyUsageNames are the bits of RFC 5280 section 4.2.1.3, in bit order.
var keyUsageNames = []string{"digitalSignature", "nonRepudiation", "keyEncipherment",
	"dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"}

// KeyUsageNames names the bits set in ku.
func KeyUsageNames(ku x509.KeyUsage) []string {
	var out []string
	for i, n := range keyUsageNames {
		if ku&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// extKeyUsages is trustctl's table of key purposes (RFC 5280 section
// 4.2.1.12): name is OpenSSL's short name, which show prints; purpose says
// in words what verify checks the certificate for.
var extKeyUsages = []struct {
	eku     x509.ExtKeyUsage
	oid     asn1.ObjectIdentifier
	name    string
	purpose string
}{
	{x509.ExtKeyUsageAny, asn1.ObjectIdentifier{2, 5, 29, 37, 0}, "any", "any"},
	{x509.ExtKeyUsageServerAuth, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}, "serverAuth", "TLS server authentication"},
	{x509.ExtKeyUsageClientAuth, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}, "clientAuth", "TLS client authentication"},
	{x509.ExtKeyUsageCodeSigning, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}, "codeSigning", "code signing"},
	{x509.ExtKeyUsageEmailProtection, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}, "emailProtection", "e-mail protection"},
	{x509.ExtKeyUsageIPSECEndSystem, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 5}, "ipsecEndSystem", ""},
	{x509.ExtKeyUsageIPSECTunnel, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 6}, "ipsecTunnel", ""},
	{x509.ExtKeyUsageIPSECUser, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 7}, "ipsecUser", ""},
	{x509.ExtKeyUsageTimeStamping, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}, "timeStamping", "time stamping"},
	{x509.ExtKeyUsageOCSPSigning, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}, "OCSPSigning", "OCSP signing"},
	{x509.ExtKeyUsageMicrosoftServerGatedCrypto, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 3}, "msSGC", ""},
	{x509.ExtKeyUsageNetscapeServerGatedCrypto, asn1.ObjectIdentifier{2, 16, 840, 1, 113730, 4, 1}, "nsSGC", ""},
	{x509.ExtKeyUsageMicrosoftCommercialCodeSigning, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 22}, "msCodeCom", ""},
	{x509.ExtKeyUsageMicrosoftKernelCodeSigning, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 61, 1, 1}, "msKernelCodeSigning", ""},
}

// ExtKeyUsageOID returns the OID of a key purpose crypto/x509 names, or
// nil for one it does not.
func ExtKeyUsageOID(u x509.ExtKeyUsage) asn1.ObjectIdentifier {
	for _, e := range extKeyUsages {
		if e.eku == u {
			return e.oid
		}
	}
	return nil
}

// ExtKeyUsagePurpose says in words what a key purpose is for ("TLS server
// authentication"), or gives its dotted OID when there are no such words.
func ExtKeyUsagePurpose(oid asn1.ObjectIdentifier) string {
	for _, e := range extKeyUsages {
		if e.oid.Equal(oid) && e.purpose != "" {
			return e.purpose
		}
	}
	return oid.String()
}

// ExtKeyUsageNames names crypto/x509's key purposes and unknown OIDs.
func ExtKeyUsageNames(ekus []x509.ExtKeyUsage, unknown []asn1.ObjectIdentifier) []string {
	var out []string
	for _, u := range ekus {
		for _, e := range extKeyUsages {
			if e.eku == u {
				out = append(out, e.name)
			}
		}
	}
	for _, o := range unknown {
		out = append(out, o.String())
	}
	return out
}

func extKeyUsageName(oid asn1.ObjectIdentifier) string {
	for _, e := range extKeyUsages {
		if e.oid.Equal(oid) {
			return e.name
		}
	}
	return oid.String()
}

// extensionNames are the names [Extensions.Unreadable] uses.
var extensionNames = map[string]string{
	"2.5.29.14": "subjectKeyIdentifier", "2.5.29.15": "keyUsage", "2.5.29.17": "subjectAltName",
	"2.5.29.19": "basicConstraints", "2.5.29.30": "nameConstraints", "2.5.29.31": "cRLDistributionPoints",
	"2.5.29.32": "certificatePolicies", "2.5.29.35": "authorityKeyIdentifier", "2.5.29.36": "policyConstraints",
	"2.5.29.37": "extKeyUsage", "1.3.6.1.5.5.7.1.1": "authorityInfoAccess",
}

func extensionName(oid asn1.ObjectIdentifier) string {
	if n, ok := extensionNames[oid.String()]; ok {
		return n
	}
	return oid.String()
}

// fromX509 describes the extensions crypto/x509 parsed.
func fromX509(x *x509.Certificate) Extensions {
	e := Extensions{
		DNSNames:              x.DNSNames,
		Emails:                x.EmailAddresses,
		KeyUsage:              KeyUsageNames(x.KeyUsage),
		ExtKeyUsage:           ExtKeyUsageNames(x.ExtKeyUsage, x.UnknownExtKeyUsage),
		SubjectKeyID:          x.SubjectKeyId,
		AuthorityKeyID:        x.AuthorityKeyId,
		OCSPServers:           x.OCSPServer,
		CRLDistributionPoints: x.CRLDistributionPoints,
	}
	for _, ip := range x.IPAddresses {
		e.IPAddresses = append(e.IPAddresses, ip.String())
	}
	for _, u := range x.URIs {
		e.URIs = append(e.URIs, u.String())
	}
	return e
}

// readExtensionValues reads the extensions [Extensions] describes from a
// certificate crypto/x509 refused, each on its own; one that does not
// decode is named in Unreadable and the others are still read. The
// extensions a certificate may hold without show describing them
// (nameConstraints, certificatePolicies, ...) are not read here.
func readExtensionValues(f *fields) Extensions {
	var e Extensions
	if f.extsBroken {
		e.Unreadable = append(e.Unreadable, "the extensions field")
	}
	for _, x := range f.exts {
		ok := true
		v := cryptobyte.String(x.Value)
		switch {
		case x.Id.Equal(oidSAN):
			ok = readSAN(v, &e)
		case x.Id.Equal(oidKU):
			var bits cryptobyte.String
			ok = v.ReadASN1(&bits, cbasn1.BIT_STRING) && len(bits) > 0 && bits[0] < 8
			for i := 0; ok && i < len(keyUsageNames); i++ {
				if 1+i/8 < len(bits) && bits[1+i/8]&(0x80>>(i%8)) != 0 {
					e.KeyUsage = append(e.KeyUsage, keyUsageNames[i])
				}
			}
		case x.Id.Equal(oidEKU):
			var seq cryptobyte.String
			ok = v.ReadASN1(&seq, cbasn1.SEQUENCE)
			for ok && !seq.Empty() {
				var oid asn1.ObjectIdentifier
				if ok = seq.ReadASN1ObjectIdentifier(&oid); ok {
					e.ExtKeyUsage = append(e.ExtKeyUsage, extKeyUsageName(oid))
				}
			}
		case x.Id.Equal(oidSKI):
			var id cryptobyte.String
			if ok = v.ReadASN1(&id, cbasn1.OCTET_STRING); ok {
				e.SubjectKeyID = id
			}
		case x.Id.Equal(oidAKI):
			var seq, id cryptobyte.String
			var present bool
			ok = v.ReadASN1(&seq, cbasn1.SEQUENCE) &&
				seq.ReadOptionalASN1(&id, &present, cbasn1.Tag(0).ContextSpecific())
			if ok && present {
				e.AuthorityKeyID = id
			}
		case x.Id.Equal(oidAIA):
			ok = readAIA(v, &e)
		case x.Id.Equal(oidCRL):
			ok = readCRLDP(v, &e)
		case x.Id.Equal(oidBC):
			_, _, ok = readBasicConstraints(x.Value)
		}
		if !ok {
			e.Unreadable = append(e.Unreadable, extensionName(x.Id))
		}
	}
	return e
}

// readSAN reads GeneralNames (RFC 5280 section 4.2.1.6): DNS names, IP
// addresses, email addresses and URIs; other kinds are passed over.
func readSAN(v cryptobyte.String, e *Extensions) bool {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return false
	}
	for !seq.Empty() {
		var name cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1(&name, &tag) {
			return false
		}
		switch tag {
		case cbasn1.Tag(1).ContextSpecific():
			e.Emails = append(e.Emails, string(name))
		case cbasn1.Tag(2).ContextSpecific():
			e.DNSNames = append(e.DNSNames, string(name))
		case cbasn1.Tag(6).ContextSpecific():
			e.URIs = append(e.URIs, string(name))
		case cbasn1.Tag(7).ContextSpecific():
			if len(name) != 4 && len(name) != 16 {
				return false
			}
			e.IPAddresses = append(e.IPAddresses, net.IP(name).String())
		}
	}
	return true
}

// readAIA reads the OCSP locations of authorityInfoAccess (RFC 5280
// section 4.2.2.1).
func readAIA(v cryptobyte.String, e *Extensions) bool {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return false
	}
	for !seq.Empty() {
		var ad, loc cryptobyte.String
		var method asn1.ObjectIdentifier
		var tag cbasn1.Tag
		if !seq.ReadASN1(&ad, cbasn1.SEQUENCE) || !ad.ReadASN1ObjectIdentifier(&method) || !ad.ReadAnyASN1(&loc, &tag) {
			return false
		}
		if method.Equal(oidOCSP) && tag == cbasn1.Tag(6).ContextSpecific() {
			e.OCSPServers = append(e.OCSPServers, string(loc))
		}
	}
	return true
}

// readCRLDP reads the URIs of the full names of cRLDistributionPoints
// (RFC 5280 section 4.2.1.13).
func readCRLDP(v cryptobyte.String, e *Extensions) bool {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return false
	}
	for !seq.Empty() {
		var dp, dpName, fullName cryptobyte.String
		var present bool
		if !seq.ReadASN1(&dp, cbasn1.SEQUENCE) ||
			!dp.ReadOptionalASN1(&dpName, &present, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			return false
		}
		if !present || !dpName.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
			continue
		}
		if !dpName.ReadASN1(&fullName, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			return false
		}
		for !fullName.Empty() {
			var name cryptobyte.String
			var tag cbasn1.Tag
			if !fullName.ReadAnyASN1(&name, &tag) {
				return false
			}
			if tag == cbasn1.Tag(6).ContextSpecific() {
				e.CRLDistributionPoints = append(e.CRLDistributionPoints, string(name))
			}
		}
	}
	return true
}

// readBasicConstraints reads basicConstraints (RFC 5280 section
// 4.2.1.9): cA (default FALSE) and pathLenConstraint (-1 when absent).
func readBasicConstraints(value []byte) (isCA bool, pathLen int, ok bool) {
	v := cryptobyte.String(value)
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
		return false, 0, false
	}
	if seq.PeekASN1Tag(cbasn1.BOOLEAN) {
		var b cryptobyte.String
		if !seq.ReadASN1(&b, cbasn1.BOOLEAN) || len(b) != 1 {
			return false, 0, false
		}
		isCA = b[0] != 0
	}
	pathLen = -1
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		var n int64
		if !seq.ReadASN1Int64WithTag(&n, cbasn1.INTEGER) || n < 0 {
			return false, 0, false
		}
		pathLen = int(min(n, 1<<30))
	}
	return isCA, pathLen, seq.Empty()
}

// findExtension returns the first extension with id, or nil.
func findExtension(exts []pkix.Extension, id asn1.ObjectIdentifier) *pkix.Extension {
	for i := range exts {
		if exts[i].Id.Equal(id) {
			return &exts[i]
		}
	}
	return nil
}
