package chain

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"net"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// decodeExt reads one extension into c. An extension that does not decode
// is recorded in extProblems; a critical one the validator does not
// process is recorded in unhandledCritical (RFC 5280 §6.1.4 (o)).
func (c *Cert) decodeExt(e ext) {
	s := cryptobyte.String(e.Value)
	bad := func(what string) {
		c.extProblems = append(c.extProblems, fmt.Sprintf("has a malformed %s extension", what))
	}
	switch {
	case e.ID.Equal(oidBasicConstraints):
		c.hasBC, c.bcCritical = true, e.Critical
		var seq cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !readOptBool(&seq, &c.IsCA) {
			bad("basic constraints")
			return
		}
		if seq.PeekASN1Tag(cbasn1.INTEGER) {
			var n int
			if !seq.ReadASN1Integer(&n) || n < 0 {
				bad("basic constraints")
				return
			}
			c.PathLen = n
		}
	case e.ID.Equal(oidKeyUsage):
		c.hasKU = true
		var bs asn1.BitString
		if !s.ReadASN1BitString(&bs) {
			bad("key usage")
			return
		}
		for i := 0; i < bs.BitLength && i < 9; i++ {
			if bs.At(i) != 0 {
				c.KeyUsage |= x509.KeyUsage(1 << i)
			}
		}
		c.kuEmpty = c.KeyUsage == 0
	case e.ID.Equal(oidExtKeyUsage):
		c.hasEKU = true
		var seq cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
			bad("extended key usage")
			return
		}
		for !seq.Empty() {
			var oid asn1.ObjectIdentifier
			if !seq.ReadASN1ObjectIdentifier(&oid) {
				bad("extended key usage")
				return
			}
			c.EKU = append(c.EKU, oid)
		}
	case e.ID.Equal(oidSKI):
		var v cryptobyte.String
		if !s.ReadASN1(&v, cbasn1.OCTET_STRING) {
			bad("subject key identifier")
			return
		}
		c.SKI = v
		if c.SKI == nil {
			c.SKI = []byte{}
		}
	case e.ID.Equal(oidAKI):
		var seq, v cryptobyte.String
		var has bool
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadOptionalASN1(&v, &has, cbasn1.Tag(0).ContextSpecific()) {
			bad("authority key identifier")
			return
		}
		if has {
			c.AKI = append([]byte{}, v...)
		}
		c.akiIssuer = seq.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed())
		if c.akiIssuer {
			seq.SkipASN1(cbasn1.Tag(1).ContextSpecific().Constructed())
		}
		c.akiSerial = seq.PeekASN1Tag(cbasn1.Tag(2).ContextSpecific())
	case e.ID.Equal(oidSAN):
		c.hasSAN, c.sanCritical = true, e.Critical
		var seq cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
			bad("subject alternative name")
			return
		}
		n, err := parseGeneralNames(seq, &c.SAN)
		if err != nil {
			bad("subject alternative name")
		}
		c.otherNames = n
	case e.ID.Equal(oidNameConstraints):
		c.hasNC, c.ncCritical = true, e.Critical
		if !c.decodeNameConstraints(s) {
			bad("name constraints")
		}
	case e.ID.Equal(oidCertPolicies):
		c.hasPolicies = true
		var seq cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
			bad("certificate policies")
			return
		}
		seen := map[string]bool{}
		for !seq.Empty() {
			var pi cryptobyte.String
			var oid asn1.ObjectIdentifier
			if !seq.ReadASN1(&pi, cbasn1.SEQUENCE) || !pi.ReadASN1ObjectIdentifier(&oid) {
				bad("certificate policies")
				return
			}
			if seen[oid.String()] {
				// RFC 5280 §4.2.1.4: a policy OID MUST NOT appear twice.
				bad("certificate policies (a policy listed twice)")
				return
			}
			seen[oid.String()] = true
			c.Policies = append(c.Policies, policyInfo{oid: oid.String(), qualifiers: !pi.Empty()})
		}
	case e.ID.Equal(oidPolicyMappings):
		var seq cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
			bad("policy mappings")
			return
		}
		for !seq.Empty() {
			var m cryptobyte.String
			var a, b asn1.ObjectIdentifier
			if !seq.ReadASN1(&m, cbasn1.SEQUENCE) || !m.ReadASN1ObjectIdentifier(&a) || !m.ReadASN1ObjectIdentifier(&b) {
				bad("policy mappings")
				return
			}
			c.PolicyMappings = append(c.PolicyMappings, [2]string{a.String(), b.String()})
		}
	case e.ID.Equal(oidPolicyConstr):
		c.hasPC, c.pcCritical = true, e.Critical
		var seq cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
			bad("policy constraints")
			return
		}
		for _, f := range []struct {
			tag cbasn1.Tag
			dst *int
		}{{cbasn1.Tag(0).ContextSpecific(), &c.RequireExplicit}, {cbasn1.Tag(1).ContextSpecific(), &c.InhibitMapping}} {
			var v cryptobyte.String
			var has bool
			if !seq.ReadOptionalASN1(&v, &has, f.tag) {
				bad("policy constraints")
				return
			}
			if has {
				n, ok := smallUint(v)
				if !ok {
					bad("policy constraints")
					return
				}
				*f.dst = n
			}
		}
		if c.RequireExplicit < 0 && c.InhibitMapping < 0 {
			// RFC 5280 §4.2.1.11: the two MUST NOT both be absent.
			bad("policy constraints (empty)")
		}
	case e.ID.Equal(oidInhibitAny):
		var v cryptobyte.String
		if !s.ReadASN1(&v, cbasn1.INTEGER) {
			bad("inhibit anyPolicy")
			return
		}
		n, ok := smallUint(v)
		if !ok {
			bad("inhibit anyPolicy")
			return
		}
		c.InhibitAny = n
	case e.ID.Equal(oidCRLDP), e.ID.Equal(oidFreshestCRL):
		dps, ok := parseDistPoints(s)
		if !ok {
			bad("CRL distribution points")
			return
		}
		if e.ID.Equal(oidCRLDP) {
			c.CRLDPs = dps
		} else {
			c.FreshestCRL = dps
		}
	case e.ID.Equal(oidAIA):
		var seq cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
			bad("authority information access")
			return
		}
		for !seq.Empty() {
			var ad cryptobyte.String
			var m asn1.ObjectIdentifier
			var loc cryptobyte.String
			var tag cbasn1.Tag
			if !seq.ReadASN1(&ad, cbasn1.SEQUENCE) || !ad.ReadASN1ObjectIdentifier(&m) || !ad.ReadAnyASN1(&loc, &tag) {
				bad("authority information access")
				return
			}
			if m.Equal(oidOCSPMethod) && tag == cbasn1.Tag(6).ContextSpecific() {
				c.OCSPServers = append(c.OCSPServers, string(loc))
			}
		}
	case e.ID.Equal(oidSIA), e.ID.Equal(oidIAN):
		// Read by nobody here; understood enough to be accepted when critical.
	default:
		if e.Critical {
			c.unhandledCritical = append(c.unhandledCritical, e.ID.String())
		}
	}
}

// smallUint reads a non-negative INTEGER's content octets.
func smallUint(v []byte) (int, bool) {
	if len(v) == 0 || len(v) > 4 || v[0]&0x80 != 0 {
		return 0, false
	}
	n := 0
	for _, b := range v {
		n = n<<8 | int(b)
	}
	return n, true
}

func (c *Cert) decodeNameConstraints(s cryptobyte.String) bool {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return false
	}
	for _, f := range []struct {
		tag cbasn1.Tag
		dst *[]subtree
	}{{cbasn1.Tag(0).ContextSpecific().Constructed(), &c.Permitted}, {cbasn1.Tag(1).ContextSpecific().Constructed(), &c.Excluded}} {
		var trees cryptobyte.String
		var has bool
		if !seq.ReadOptionalASN1(&trees, &has, f.tag) {
			return false
		}
		if has && trees.Empty() {
			// RFC 5280 §4.2.1.10: present subtrees are never empty.
			return false
		}
		for !trees.Empty() {
			var st cryptobyte.String
			if !trees.ReadASN1(&st, cbasn1.SEQUENCE) {
				return false
			}
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !st.ReadAnyASN1(&v, &tag) {
				return false
			}
			t := subtree{}
			switch tag {
			case cbasn1.Tag(1).ContextSpecific():
				t.kind, t.value = "email", string(v)
			case cbasn1.Tag(2).ContextSpecific():
				t.kind, t.value = "dns", string(v)
			case cbasn1.Tag(6).ContextSpecific():
				t.kind, t.value = "uri", string(v)
			case cbasn1.Tag(7).ContextSpecific():
				t.kind = "ip"
				switch len(v) {
				case 8, 32:
					n := len(v) / 2
					ip, mask := net.IP(append([]byte(nil), v[:n]...)), net.IPMask(append([]byte(nil), v[n:]...))
					if ones, bits := mask.Size(); ones == 0 && bits == 0 && !allZero(mask) {
						t.bad = fmt.Sprintf("the IP constraint %v has a netmask that is not contiguous", ip)
					}
					t.ipNet = &net.IPNet{IP: ip.Mask(mask), Mask: mask}
					t.value = t.ipNet.String()
				default:
					t.bad = "an IP constraint that is neither 8 nor 32 bytes"
				}
			case cbasn1.Tag(4).ContextSpecific().Constructed():
				t.kind = "dir"
				var inner cryptobyte.String
				if !v.ReadASN1Element(&inner, cbasn1.SEQUENCE) {
					return false
				}
				d, err := parseDN(inner)
				if err != nil {
					return false
				}
				t.dir, t.value = d, d.String()
			default:
				t.kind = "other"
				t.value = fmt.Sprintf("a name of type [%d]", tag&0x1f)
			}
			// minimum MUST be zero and maximum absent (RFC 5280 §4.2.1.10).
			if !st.Empty() {
				var min cryptobyte.String
				var hasMin bool
				if !st.ReadOptionalASN1(&min, &hasMin, cbasn1.Tag(0).ContextSpecific()) {
					return false
				}
				if (hasMin && !(len(min) == 1 && min[0] == 0)) || !st.Empty() {
					t.bad = "a subtree with a minimum or maximum, which RFC 5280 §4.2.1.10 forbids"
				}
			}
			*f.dst = append(*f.dst, t)
		}
	}
	return true
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

func parseDistPoints(s cryptobyte.String) ([]distPoint, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	var out []distPoint
	for !seq.Empty() {
		var d cryptobyte.String
		if !seq.ReadASN1(&d, cbasn1.SEQUENCE) {
			return nil, false
		}
		var dp distPoint
		var name cryptobyte.String
		var has bool
		if !d.ReadOptionalASN1(&name, &has, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			return nil, false
		}
		if has && !readDPName(name, &dp) {
			return nil, false
		}
		var reasons cryptobyte.String
		if !d.ReadOptionalASN1(&reasons, &dp.hasReasons, cbasn1.Tag(1).ContextSpecific()) {
			return nil, false
		}
		if dp.hasReasons {
			dp.reasons = reasonMask(reasons)
		}
		var issuer cryptobyte.String
		if !d.ReadOptionalASN1(&issuer, &dp.hasCRLIssue, cbasn1.Tag(2).ContextSpecific().Constructed()) {
			return nil, false
		}
		if dp.hasCRLIssue {
			dp.crlIssuer = &names{}
			if _, err := parseGeneralNames(issuer, dp.crlIssuer); err != nil {
				return nil, false
			}
		}
		out = append(out, dp)
	}
	return out, true
}

// readDPName reads a DistributionPointName CHOICE.
func readDPName(s cryptobyte.String, dp *distPoint) bool {
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) {
		return false
	}
	switch tag {
	case cbasn1.Tag(0).ContextSpecific().Constructed():
		dp.fullNames = &names{}
		_, err := parseGeneralNames(v, dp.fullNames)
		return err == nil
	case cbasn1.Tag(1).ContextSpecific().Constructed():
		var r rdnSet
		for !v.Empty() {
			var a cryptobyte.String
			var x atv
			var val cryptobyte.String
			if !v.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&x.oid) || !a.ReadAnyASN1(&val, &x.tag) {
				return false
			}
			x.raw = val
			r = append(r, x)
		}
		dp.relative = &r
		return true
	}
	return false
}

// reasonMask turns the content of a ReasonFlags BIT STRING (implicitly
// tagged, so with its unused-bits octet first) into a mask: bit i set for
// reason bit i of RFC 5280 §4.2.1.13.
func reasonMask(v []byte) int {
	if len(v) == 0 {
		return 0
	}
	m := 0
	for i, b := range v[1:] {
		for j := 0; j < 8; j++ {
			if b&(0x80>>j) != 0 {
				m |= 1 << (8*i + j)
			}
		}
	}
	return m
}

// readOptBool reads a BOOLEAN DEFAULT FALSE (cryptobyte's
// ReadOptionalASN1Boolean is for explicitly tagged ones).
func readOptBool(s *cryptobyte.String, out *bool) bool {
	*out = false
	if !s.PeekASN1Tag(cbasn1.BOOLEAN) {
		return true
	}
	return s.ReadASN1Boolean(out)
}
