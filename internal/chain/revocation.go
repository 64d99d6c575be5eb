package chain

import (
	"context"
	"crypto/dsa" //lint:ignore SA1019 DSA parameters are carried down the path for verification only
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/trustctl/trustctl/internal/certs"
)

// Revocation statuses.
const (
	StatusGood    = "good"
	StatusRevoked = "revoked"
	StatusUnknown = "unknown"
	// StatusError: a CRL of the issuer was given but cannot be used (bad
	// signature, issuer not allowed to sign CRLs, malformed). The check
	// fails closed: someone handed trustctl a CRL that does not hold up.
	StatusError = "error"
)

// Revocation is one answer about whether a certificate is revoked.
type Revocation struct {
	Source    string     `json:"source"` // "crl" or "ocsp"
	Status    string     `json:"status"` // StatusGood, StatusRevoked, StatusUnknown or StatusError
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Reason    string     `json:"reason,omitempty"` // RFC 5280 §5.3.1 name, e.g. keyCompromise
	Detail    string     `json:"detail,omitempty"` // why the answer is unknown, or where it came from
}

// Revocation checking follows RFC 5280 §6.3: a CRL counts for a
// certificate only when it is in scope (its issuer is the certificate's
// issuer, or the CRL issuer its distribution point names, for an indirect
// CRL; its issuing distribution point names the certificate's
// distribution point; its onlyContains... flags admit the certificate),
// it is signed by a key of its issuer that has its own valid path to the
// same trust anchor and may sign CRLs, it is current, and it covers
// reasons not yet covered. A CRL that does not cover a certificate is set
// aside and never counted; the certificate's status is known only when
// the CRLs counted cover every reason. Delta CRLs update a complete CRL
// they match (§5.2.4, §6.3.3 (g)-(i)).

const allReasons = 0x1fe // keyCompromise .. aACompromise (RFC 5280 §4.2.1.13)

var (
	oidDeltaCRL     = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidIssuingDP    = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidCRLNumber    = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidCertIssuer   = asn1.ObjectIdentifier{2, 5, 29, 29}
	oidReasonCode   = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidInvalidity   = asn1.ObjectIdentifier{2, 5, 29, 24}
	oidHoldInstruct = asn1.ObjectIdentifier{2, 5, 29, 23}
)

// crlInfo is a CRL with what scope and delta processing need.
type crlInfo struct {
	rl        *x509.RevocationList
	issuer    dn
	issuerKey string
	number    *big.Int
	base      *big.Int // delta CRL indicator; nil for a complete CRL
	idp       *idpInfo
	rawIDP    []byte
	sigAlg    []byte
	sig       []byte
	sum       [32]byte
	unusable  string // why the CRL cannot be used at all
	freshest  bool
}

type idpInfo struct {
	dp                         *distPoint // nil: no distribution point name
	onlyUser, onlyCA, onlyAttr bool
	indirect                   bool
	someReasons                int
	hasSomeReasons             bool
}

func newCRLInfo(rl *x509.RevocationList) *crlInfo {
	ci := &crlInfo{rl: rl, sum: sha256.Sum256(rl.Raw)}
	var err error
	if ci.issuer, err = parseDN(rl.RawIssuer); err != nil {
		ci.unusable = "its issuer name cannot be read"
	}
	ci.issuerKey = ci.issuer.key()
	in := cryptobyte.String(rl.Raw)
	var seq, alg cryptobyte.String
	var bs asn1.BitString
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) || !seq.ReadASN1Element(&alg, cbasn1.SEQUENCE) || !seq.ReadASN1BitString(&bs) {
		ci.unusable = "it is malformed"
	}
	ci.sigAlg, ci.sig = alg, bs.RightAlign()
	for _, e := range rl.Extensions {
		switch {
		case e.Id.Equal(oidCRLNumber):
			if e.Critical {
				ci.unusable = "its CRL number extension is marked critical (RFC 5280 §5.2.3 says it must not be)"
			}
			ci.number = rl.Number
		case e.Id.Equal(oidDeltaCRL):
			v := cryptobyte.String(e.Value)
			ci.base = new(big.Int)
			if !v.ReadASN1Integer(ci.base) {
				ci.unusable = "its delta CRL indicator is malformed"
			}
		case e.Id.Equal(oidIssuingDP):
			ci.rawIDP = e.Value
			idp, ok := parseIDP(e.Value)
			if !ok {
				ci.unusable = "its issuing distribution point is malformed"
			}
			ci.idp = idp
		case e.Id.Equal(oidFreshestCRL):
			ci.freshest = true
		case e.Id.Equal(oidAKI), e.Id.Equal(oidIAN):
		default:
			if e.Critical {
				ci.unusable = "it has a critical extension trustctl does not process (OID " + e.Id.String() + "), so RFC 5280 §5.2 forbids using it"
			}
		}
	}
	if ci.number == nil && ci.unusable == "" {
		ci.unusable = "it has no CRL number (RFC 5280 §5.2.3 requires one)"
	}
	if ci.unusable == "" {
	entries:
		for _, e := range rl.RevokedCertificateEntries {
			for _, x := range e.Extensions {
				if x.Critical && !(x.Id.Equal(oidCertIssuer) || x.Id.Equal(oidReasonCode) || x.Id.Equal(oidInvalidity) || x.Id.Equal(oidHoldInstruct)) {
					ci.unusable = "an entry has a critical extension trustctl does not process (OID " + x.Id.String() + "), so RFC 5280 §5.3 forbids using the CRL"
					break entries
				}
			}
		}
	}
	return ci
}

func parseIDP(v []byte) (*idpInfo, bool) {
	s := cryptobyte.String(v)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	idp := &idpInfo{}
	var name cryptobyte.String
	var has bool
	if !seq.ReadOptionalASN1(&name, &has, cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, false
	}
	if has {
		idp.dp = &distPoint{}
		if !readDPName(name, idp.dp) {
			return nil, false
		}
	}
	for _, f := range []struct {
		tag int
		dst *bool
	}{{1, &idp.onlyUser}, {2, &idp.onlyCA}} {
		var b cryptobyte.String
		var has bool
		if !seq.ReadOptionalASN1(&b, &has, cbasn1.Tag(f.tag).ContextSpecific()) {
			return nil, false
		}
		*f.dst = has && len(b) == 1 && b[0] != 0
	}
	var r cryptobyte.String
	if !seq.ReadOptionalASN1(&r, &idp.hasSomeReasons, cbasn1.Tag(3).ContextSpecific()) {
		return nil, false
	}
	if idp.hasSomeReasons {
		idp.someReasons = reasonMask(r)
	}
	for _, f := range []struct {
		tag int
		dst *bool
	}{{4, &idp.indirect}, {5, &idp.onlyAttr}} {
		var b cryptobyte.String
		var has bool
		if !seq.ReadOptionalASN1(&b, &has, cbasn1.Tag(f.tag).ContextSpecific()) {
			return nil, false
		}
		*f.dst = has && len(b) == 1 && b[0] != 0
	}
	return idp, seq.Empty()
}

// revChecker checks the revocation of every certificate of a path.
type revChecker struct {
	ctx      context.Context
	crls     []*crlInfo
	ocsp     RevocationFunc
	require  bool
	e        *engine
	depth    int
	inFlight map[[32]byte]bool // CRL issuers whose path is being validated, in this search
	signers  *signerCache
}

// signerCache remembers, per CRL signer and trust anchor, whether the
// signer's own path is valid ("") or why not; leaves verified at once
// share it.
type signerCache struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *signerCache) get(k string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok
}

func (s *signerCache) put(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
}

// checkPath checks every certificate below the anchor; the problems say
// which is revoked or has no answer.
func (r *revChecker) checkPath(path []*Cert) ([]problem, [][]*Revocation) {
	revs := make([][]*Revocation, len(path))
	var ps []problem
	if len(r.crls) == 0 && r.ocsp == nil && !r.require {
		return nil, revs
	}
	for i := 0; i+1 < len(path); i++ {
		cert, issuer := path[i], path[i+1]
		if len(r.crls) > 0 {
			if rv := r.checkCRLs(path, i); rv != nil {
				revs[i] = append(revs[i], rv)
			}
		}
		if r.ocsp != nil && cert.X509() != nil && issuer.X509() != nil {
			rv, err := r.ocsp(r.ctx, cert.X509(), issuer.X509())
			if err != nil {
				rv = &Revocation{Source: "ocsp", Status: StatusUnknown, Detail: err.Error()}
			}
			if rv != nil {
				revs[i] = append(revs[i], rv)
			}
		}
		if p, bad := r.verdict(cert, issuer, revs[i], i, len(path)); bad {
			ps = append(ps, p)
		}
	}
	return ps, revs
}

func (r *revChecker) verdict(cert, issuer *Cert, answers []*Revocation, i, n int) (problem, bool) {
	var revoked, broken *Revocation
	answered := false
	var unknown []string
	for _, a := range answers {
		switch a.Status {
		case StatusRevoked:
			if revoked == nil {
				revoked = a
			}
		case StatusGood:
			answered = true
		case StatusError:
			broken = a
		default:
			if a.Detail != "" {
				unknown = append(unknown, a.Detail)
			}
		}
	}
	pos := position(i, n)
	switch {
	case revoked != nil:
		when := ""
		if revoked.RevokedAt != nil {
			when = " on " + day(*revoked.RevokedAt)
		}
		return problem{i, stRevoked, fmt.Sprintf("%s (%s) was revoked%s (reason: %s, from %s); replace it with a certificate that is not revoked",
			cert.Name(), pos, when, revoked.Reason, strings.ToUpper(revoked.Source))}, true
	case broken != nil && !answered:
		if broken.Source == "ocsp" {
			return problem{i, stOCSPErr, broken.Detail}, true
		}
		return problem{i, stRevocationErr, broken.Detail}, true
	case r.require && !answered:
		msg := fmt.Sprintf("no current revocation information for %s (%s)", cert.Name(), pos)
		if len(unknown) > 0 {
			msg += ": " + strings.Join(unknown, "; ")
		} else {
			msg += " (no CRL of " + issuer.Name() + " given"
			if r.ocsp == nil {
				msg += ", OCSP not asked)"
			} else {
				msg += ")"
			}
		}
		fix := "; give a current CRL of its issuer with --crl, or use --ocsp"
		if r.ocsp != nil {
			fix = "; give a current CRL of its issuer with --crl, or try again when the OCSP responder answers"
		}
		return problem{i, stNoRevInfo, msg + fix}, true
	}
	return problem{}, false
}

// checkCRLs is RFC 5280 §6.3.3 for path[i].
func (r *revChecker) checkCRLs(path []*Cert, i int) *Revocation {
	cert, issuer := path[i], path[i+1]
	dps := cert.CRLDPs
	if len(dps) == 0 {
		dps = []distPoint{{}}
	}
	mask := 0
	var notes []string
	var broken *Revocation
	var revoked *Revocation
	var from []string
	note := func(s string) {
		for _, n := range notes {
			if n == s {
				return
			}
		}
		notes = append(notes, s)
	}
	// Every CRL in scope is read, not only enough of them to cover every
	// reason: an older CRL must not hide a newer one that lists the
	// certificate. A revocation stands even on a stale CRL (it is for
	// good); a hold only while no later CRL leaves the certificate off.
	held := false // revoked is a hold, from a CRL issued holdFrom
	var holdFrom, clearedAt time.Time
	onCRL := func(e x509.RevocationListEntry, crl *crlInfo, what string) {
		switch {
		case e.ReasonCode == 8: // removeFromCRL
		case e.ReasonCode == 6: // certificateHold
			if revoked == nil || held && crl.rl.ThisUpdate.After(holdFrom) {
				revoked, held, holdFrom = revokedAnswer(e, crl, what), true, crl.rl.ThisUpdate
			}
		case revoked == nil || held:
			revoked, held = revokedAnswer(e, crl, what), false
		}
	}
	for _, dp := range dps {
		for _, crl := range r.crls {
			if crl.base != nil {
				continue
			}
			if why := crlScope(crl, &dp, cert); why != "" {
				if why != "-" {
					note(why)
				}
				continue
			}
			interim := allReasons
			if dp.hasReasons {
				interim &= dp.reasons
			}
			if crl.idp != nil && crl.idp.hasSomeReasons {
				interim &= crl.idp.someReasons
			}
			covers := interim&^mask != 0
			if crl.unusable != "" {
				if covers {
					broken = &Revocation{Source: "crl", Status: StatusError,
						Detail: fmt.Sprintf("the CRL of %s issued %s cannot be used: %s", crl.issuer.String(), day(crl.rl.ThisUpdate), crl.unusable)}
				}
				continue
			}
			signer, why := r.crlSigner(crl, path, i)
			if signer == nil {
				if covers {
					broken = &Revocation{Source: "crl", Status: StatusError,
						Detail: fmt.Sprintf("a CRL naming %s as issuer cannot be used: %s", crl.issuer.String(), why)}
				}
				continue
			}
			delta := r.findDelta(crl, signer, path, i)
			current := !r.e.in.at.Before(crl.rl.ThisUpdate) && (crl.rl.NextUpdate.IsZero() || !r.e.in.at.After(crl.rl.NextUpdate))
			if !current && delta == nil {
				if r.e.in.at.Before(crl.rl.ThisUpdate) {
					note(fmt.Sprintf("the CRL of %s is not valid before %s (thisUpdate)", crl.issuer.String(), stamp(crl.rl.ThisUpdate)))
					continue
				}
				if e, ok := listed(crl, cert); ok && e.ReasonCode != 6 {
					onCRL(e, crl, "expired CRL")
				}
				note(fmt.Sprintf("the CRL of %s is stale: its nextUpdate was %s", crl.issuer.String(), stamp(crl.rl.NextUpdate)))
				continue
			}
			if delta != nil {
				if e, ok := listed(delta, cert); ok {
					onCRL(e, delta, "delta CRL")
					if covers {
						mask |= interim
						from = append(from, "delta CRL of "+delta.issuer.String())
					}
					continue
				}
			}
			if e, ok := listed(crl, cert); ok {
				onCRL(e, crl, "CRL")
			} else if crl.rl.ThisUpdate.After(clearedAt) {
				clearedAt = crl.rl.ThisUpdate
			}
			if covers {
				mask |= interim
				from = append(from, "CRL of "+crl.issuer.String()+" issued "+day(crl.rl.ThisUpdate))
			}
		}
	}
	if held && clearedAt.After(holdFrom) {
		// A later CRL no longer lists the hold: released.
		revoked = nil
	}
	switch {
	case revoked != nil:
		return revoked
	case mask == allReasons:
		return &Revocation{Source: "crl", Status: StatusGood, Detail: "not on the " + strings.Join(from, ", ")}
	case broken != nil:
		return broken
	case len(notes) > 0 || mask != 0:
		d := strings.Join(notes, "; ")
		if mask != 0 {
			d = strings.TrimPrefix(d+"; the CRLs given do not cover every revocation reason", "; ")
		}
		return &Revocation{Source: "crl", Status: StatusUnknown, Detail: d}
	}
	_ = issuer
	return nil
}

func revokedAnswer(e x509.RevocationListEntry, crl *crlInfo, what string) *Revocation {
	t := e.RevocationTime
	return &Revocation{Source: "crl", Status: StatusRevoked, RevokedAt: &t, Reason: certs.ReasonName(e.ReasonCode),
		Detail: "listed on the " + what + " of " + crl.issuer.String() + " issued " + day(crl.rl.ThisUpdate)}
}

// listed finds cert on crl, following the certificateIssuer entry
// extensions of an indirect CRL (RFC 5280 §5.3.3).
func listed(crl *crlInfo, cert *Cert) (x509.RevocationListEntry, bool) {
	current := crl.issuerKey
	for _, e := range crl.rl.RevokedCertificateEntries {
		for _, x := range e.Extensions {
			if x.Id.Equal(oidCertIssuer) {
				var gn names
				s := cryptobyte.String(x.Value)
				var seq cryptobyte.String
				if s.ReadASN1(&seq, cbasn1.SEQUENCE) {
					if _, err := parseGeneralNames(seq, &gn); err == nil && len(gn.Dir) > 0 {
						current = gn.Dir[0].key()
					}
				}
			}
		}
		if current == cert.issuerKey && e.SerialNumber != nil && e.SerialNumber.Cmp(cert.Serial) == 0 {
			return e, true
		}
	}
	return x509.RevocationListEntry{}, false
}

// crlScope is RFC 5280 §6.3.3 (b): "" when crl covers cert through dp,
// otherwise why not ("-" when the CRL is simply another issuer's).
func crlScope(crl *crlInfo, dp *distPoint, cert *Cert) string {
	indirect := crl.idp != nil && crl.idp.indirect
	if dp.hasCRLIssue {
		match := false
		for _, d := range dp.crlIssuer.Dir {
			if d.key() == crl.issuerKey {
				match = true
			}
		}
		if !match {
			return "-"
		}
		if !indirect && crl.issuerKey != cert.issuerKey {
			return fmt.Sprintf("the CRL of %s is not marked as an indirect CRL, so it cannot speak for certificates of %s (RFC 5280 §6.3.3 (b)(1))", crl.issuer.String(), cert.issuerText())
		}
	} else if crl.issuerKey != cert.issuerKey {
		if indirect {
			// An indirect CRL may list certificates of other issuers, but
			// only for a distribution point that names it.
			if _, ok := listed(crl, cert); ok {
				return fmt.Sprintf("the indirect CRL of %s lists %s, but no distribution point of the certificate names that CRL issuer (RFC 5280 §6.3.3 (b)(1))", crl.issuer.String(), cert.Name())
			}
		}
		return "-"
	}
	if crl.idp == nil {
		return ""
	}
	idp := crl.idp
	if idp.dp != nil {
		idpNames := dpNames(idp.dp, crl.issuer)
		var certNames []names
		switch {
		case dp.fullNames != nil || dp.relative != nil:
			base := cert.Issuer
			if dp.hasCRLIssue && len(dp.crlIssuer.Dir) > 0 {
				base = dp.crlIssuer.Dir[0]
			}
			certNames = append(certNames, dpNames(dp, base))
		case dp.hasCRLIssue:
			certNames = append(certNames, *dp.crlIssuer)
		}
		ok := false
		for _, cn := range certNames {
			if namesOverlap(idpNames, cn) {
				ok = true
			}
		}
		if !ok {
			return fmt.Sprintf("the CRL of %s covers another distribution point than the one of %s (RFC 5280 §6.3.3 (b)(2)(i)); it is set aside", crl.issuer.String(), cert.Name())
		}
	}
	isCA := cert.hasBC && cert.IsCA
	switch {
	case idp.onlyUser && isCA:
		return fmt.Sprintf("the CRL of %s covers only end-entity certificates, and %s is a CA (RFC 5280 §6.3.3 (b)(2)(ii)); it is set aside", crl.issuer.String(), cert.Name())
	case idp.onlyCA && !isCA:
		return fmt.Sprintf("the CRL of %s covers only CA certificates, and %s is not a CA (RFC 5280 §6.3.3 (b)(2)(iii)); it is set aside", crl.issuer.String(), cert.Name())
	case idp.onlyAttr:
		return fmt.Sprintf("the CRL of %s covers only attribute certificates (RFC 5280 §6.3.3 (b)(2)(iv)); it is set aside", crl.issuer.String())
	}
	return ""
}

// dpNames are the names of a distribution point, a relative name made
// full under base (RFC 5280 §4.2.1.13).
func dpNames(dp *distPoint, base dn) names {
	if dp.fullNames != nil {
		return *dp.fullNames
	}
	if dp.relative != nil {
		full := append(append(dn(nil), base...), *dp.relative)
		return names{Dir: []dn{full}}
	}
	return names{}
}

func namesOverlap(a, b names) bool {
	for _, x := range a.Dir {
		for _, y := range b.Dir {
			if x.key() == y.key() {
				return true
			}
		}
	}
	eq := func(xs, ys []string, fold bool) bool {
		for _, x := range xs {
			for _, y := range ys {
				if x == y || fold && strings.EqualFold(x, y) {
					return true
				}
			}
		}
		return false
	}
	return eq(a.URI, b.URI, false) || eq(a.DNS, b.DNS, true) || eq(a.Email, b.Email, false)
}

// crlSigner is RFC 5280 §6.3.3 (f): the key that signed the CRL belongs
// to a certificate of the CRL issuer that may sign CRLs and has a valid
// path to the same trust anchor as the certificate checked. The
// certificate's own issuer is tried first; then every other certificate
// with the CRL issuer's name (a separate CRL-signing key, the other key
// around a rollover, an indirect CRL issuer).
func (r *revChecker) crlSigner(crl *crlInfo, path []*Cert, i int) (*Cert, string) {
	issuer := path[i+1]
	why := fmt.Sprintf("no certificate of %s given verifies its signature", crl.issuer.String())
	if issuer.subjectKey == crl.issuerKey {
		if err := r.verifyCRL(issuer, paramsAt(path, i+1), crl); err == nil {
			if issuer.hasKU && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
				why = fmt.Sprintf("%s may not sign CRLs: its key usage lacks cRLSign (RFC 5280 §6.3.3 (f))", issuer.Name())
			} else {
				return issuer, ""
			}
		} else {
			why = fmt.Sprintf("its signature does not verify with the key of %s (%v)", issuer.Name(), err)
		}
	}
	if r.depth >= 3 {
		return nil, why
	}
	anchor := path[len(path)-1]
	var cands []*Cert
	cands = append(cands, r.e.anchors[crl.issuerKey]...)
	cands = append(cands, r.e.pool[crl.issuerKey]...)
	for _, c := range path {
		if c.subjectKey == crl.issuerKey {
			cands = append(cands, c)
		}
	}
	tried := map[[32]byte]bool{issuer.sum: true}
	for _, c := range cands {
		if tried[c.sum] {
			continue
		}
		tried[c.sum] = true
		if err := r.verifyCRL(c, nil, crl); err != nil {
			continue
		}
		if c.hasKU && c.KeyUsage&x509.KeyUsageCRLSign == 0 {
			why = fmt.Sprintf("%s signed it but may not sign CRLs: its key usage lacks cRLSign (RFC 5280 §6.3.3 (f))", c.Name())
			continue
		}
		if msg := r.signerPath(c, anchor); msg != "" {
			why = fmt.Sprintf("%s signed it, but %s", c.Name(), msg)
			continue
		}
		return c, ""
	}
	return nil, why
}

// signerPath validates the CRL signer's own path to anchor, with
// revocation, once per signer and anchor.
func (r *revChecker) signerPath(c, anchor *Cert) string {
	key := string(c.sum[:]) + string(anchor.sum[:])
	if msg, ok := r.signers.get(key); ok {
		return msg
	}
	if c.sum == anchor.sum {
		return ""
	}
	if r.inFlight[c.sum] {
		// The CRL issuer's own certificate is covered by the CRL it
		// signs (an indirect CRL issuer, PKITS 4.14.30): its key
		// verified that CRL, and the rest of its path is being
		// validated by the caller.
		return ""
	}
	r.inFlight[c.sum] = true
	defer delete(r.inFlight, c.sum)
	sub := *r.e
	sub.in.eku, sub.in.ekuName, sub.in.host, sub.in.crlIssuer = nil, "", "", true
	sub.restrictAnchor = anchor
	sub.sys = nil
	subRev := *r
	subRev.depth = r.depth + 1
	subRev.e = &sub
	sub.rev = &subRev
	o := sub.build(c, nil)
	msg := ""
	if o == nil || len(o.problems) > 0 {
		msg = "its own path to " + anchor.Name() + " is not valid"
		if o != nil && len(o.problems) > 0 {
			msg += ": " + o.problems[0].text
		}
	}
	r.signers.put(key, msg)
	return msg
}

func (r *revChecker) verifyCRL(signer *Cert, inherited *dsa.Parameters, crl *crlInfo) error {
	pub, err := signer.publicKey()
	if err != nil {
		return err
	}
	if inherited == nil {
		inherited = signer.dsaParams()
	}
	k := sigCacheKey(signer, inherited, crl.sum)
	if err, ok := sigCache.get(k); ok {
		return err
	}
	err = checkSignature(pub, inherited, crl.sigAlg, crl.rl.RawTBSRevocationList, crl.sig)
	if err != errDSAInherited {
		sigCache.put(k, err)
	}
	return err
}

// paramsAt returns the DSA parameters in force for path[j]'s key: its
// own, or those inherited from above.
func paramsAt(path []*Cert, j int) *dsa.Parameters {
	var p *dsa.Parameters
	for k := len(path) - 1; k >= j; k-- {
		if q := path[k].dsaParams(); q != nil {
			p = q
		}
	}
	return p
}

// findDelta returns a current delta CRL that updates crl (RFC 5280
// §5.2.4, §6.3.3 (g)): same issuer and scope, signed by the same key, based
// on a CRL no newer than crl, and newer than crl itself.
func (r *revChecker) findDelta(crl *crlInfo, signer *Cert, path []*Cert, i int) *crlInfo {
	var best *crlInfo
	for _, d := range r.crls {
		if d.base == nil || d.unusable != "" || d.issuerKey != crl.issuerKey || string(d.rawIDP) != string(crl.rawIDP) {
			continue
		}
		if d.base.Cmp(crl.number) > 0 || d.number == nil || d.number.Cmp(crl.number) <= 0 {
			continue
		}
		if r.e.in.at.Before(d.rl.ThisUpdate) || !d.rl.NextUpdate.IsZero() && r.e.in.at.After(d.rl.NextUpdate) {
			continue
		}
		inherited := (*dsa.Parameters)(nil)
		if signer == path[i+1] {
			inherited = paramsAt(path, i+1)
		}
		if r.verifyCRL(signer, inherited, d) != nil {
			continue
		}
		if best == nil || d.number.Cmp(best.number) > 0 {
			best = d
		}
	}
	return best
}
