package probe

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	ct "github.com/google/certificate-transparency-go"
	cttls "github.com/google/certificate-transparency-go/tls"
	ctx509 "github.com/google/certificate-transparency-go/x509"
	xocsp "golang.org/x/crypto/ocsp"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/ocsp"
)

// Kinds of [ChainProblem].
const (
	ProblemMissingIssuer = "missing-issuer" // an issuer was not sent
	ProblemOrder         = "order"          // an issuer was sent, but not right after its subject
	ProblemRootIncluded  = "root-included"  // a self-signed root was sent (allowed, useless: RFC 8446 section 4.4.2)
	ProblemExtra         = "extra"          // a certificate not on the leaf's path
	ProblemDuplicate     = "duplicate"      // the same certificate twice
	ProblemNotCA         = "not-ca"         // an issuer on the path is not a CA certificate
)

// ChainProblem is one thing wrong with the chain as sent. Index is the
// 0-based position of the certificate it is about.
type ChainProblem struct {
	Kind    string
	Index   int
	Message string
}

// maxSigChecks bounds the signatures one chain's analysis checks. A
// server can send hundreds of certificates under one name, each with its
// own key; checking every pair would take minutes (a P-521 signature
// takes a millisecond or two). Real chains need a few dozen at most.
const maxSigChecks = 100

// issuerCheck decides which certificate of a chain issued which.
type issuerCheck struct{ sigChecks int }

// issues reports whether parent signed child: by name, and by signature
// when both parse and the budget of signature checks lasts (by name alone
// after that).
func (ic *issuerCheck) issues(parent, child *certs.Cert) bool {
	if parent.RawSubject() == nil || !bytes.Equal(parent.RawSubject(), child.RawIssuer()) {
		return false
	}
	if parent.X509 != nil && child.X509 != nil && ic.sigChecks < maxSigChecks {
		ic.sigChecks++
		err := child.X509.CheckSignatureFrom(parent.X509)
		// A SHA-1 signature that Go refuses to check still names its issuer.
		var insecure x509.InsecureAlgorithmError
		return err == nil || errors.As(err, &insecure)
	}
	return true
}

// chainProblems walks from the leaf through the certificates as sent. TLS
// 1.2 requires each certificate to be followed by its issuer (RFC 5246
// section 7.4.2); TLS 1.3 relaxes the order but clients still prefer it
// (RFC 8446 section 4.4.2).
func chainProblems(chain []*certs.Cert) []ChainProblem {
	return new(issuerCheck).problems(chain)
}

func (ic *issuerCheck) problems(chain []*certs.Cert) []ChainProblem {
	var ps []ChainProblem
	if len(chain) == 0 {
		return nil
	}
	seen := map[[32]byte]int{}
	for i, c := range chain {
		sum := c.SHA256()
		if j, ok := seen[sum]; ok {
			ps = append(ps, ChainProblem{ProblemDuplicate, i, fmt.Sprintf("#%d (%s) is the same certificate as #%d", i, shortName(c), j)})
			continue
		}
		seen[sum] = i
	}
	used := map[int]bool{0: true}
	cur := 0
	for !chain[cur].SelfIssued() {
		next := -1
		for j := range chain {
			if !used[j] && ic.issues(chain[j], chain[cur]) {
				next = j
				break
			}
		}
		if next < 0 {
			// An intermediate whose issuer is absent is normal: servers
			// rightly leave the root out. Only a leaf alone is suspect.
			if cur == 0 {
				ps = append(ps, ChainProblem{ProblemMissingIssuer, 0, fmt.Sprintf("the issuer of the leaf, %s, was not sent: an intermediate is missing unless the client trusts that issuer directly", chain[0].Issuer())})
			}
			break
		}
		if next != cur+1 {
			ps = append(ps, ChainProblem{ProblemOrder, next, fmt.Sprintf("#%d (%s) issued #%d but was sent at position %d, not %d", next, shortName(chain[next]), cur, next, cur+1)})
		}
		if !chain[next].IsCA() {
			ps = append(ps, ChainProblem{ProblemNotCA, next, fmt.Sprintf("#%d (%s) issued #%d but is not a CA certificate", next, shortName(chain[next]), cur)})
		}
		used[next] = true
		cur = next
	}
	for i, c := range chain {
		if i > 0 && used[i] && c.SelfIssued() {
			ps = append(ps, ChainProblem{ProblemRootIncluded, i, fmt.Sprintf("#%d (%s) is a self-signed root; clients ignore it, so the server need not send it", i, shortName(c))})
		}
	}
	for i, c := range chain {
		if !used[i] {
			if _, dup := seen[c.SHA256()]; dup && seen[c.SHA256()] != i {
				continue
			}
			ps = append(ps, ChainProblem{ProblemExtra, i, fmt.Sprintf("#%d (%s) is not on the leaf's path and is not needed", i, shortName(c))})
		}
	}
	return ps
}

// MatchName checks the leaf against a DNS name or IP address; "" always
// matches. It uses the lenient parse when crypto/x509 refused the leaf.
func MatchName(leaf *certs.Cert, name string) error {
	if name == "" {
		return nil
	}
	var dns []string
	var ips []net.IP
	switch {
	case leaf.X509 != nil:
		if err := leaf.X509.VerifyHostname(name); err != nil {
			return err
		}
		dns, ips = leaf.X509.DNSNames, leaf.X509.IPAddresses
	case leaf.Lenient != nil:
		if err := leaf.Lenient.VerifyHostname(name); err != nil {
			return fmt.Errorf("certificate is not valid for %s", name)
		}
		dns, ips = leaf.Lenient.DNSNames, leaf.Lenient.IPAddresses
	default:
		return fmt.Errorf("the certificate could not be parsed to check %s", name)
	}
	if w := certs.SuffixWildcardOnly(dns, ips, name); w != "" {
		return fmt.Errorf("certificate names %s only through the wildcard %q, over a whole public suffix, which matches no host", name, w)
	}
	return nil
}

// OCSPInfo is a decoded stapled OCSP response.
type OCSPInfo struct {
	Status        string // good, revoked, unknown
	ProducedAt    time.Time
	ThisUpdate    time.Time
	NextUpdate    time.Time
	RevokedAt     time.Time
	SerialMatches bool // the response is about the leaf
	// SignatureChecked says the response passed internal/ocsp's checks
	// with the issuer sent in the chain: signed by it or by a responder it
	// delegated, about the leaf, fresh at the time of the probe.
	SignatureChecked bool
	Err              error // why it did not
}

// decodeOCSP reads a stapled response: what it says, and whether
// internal/ocsp accepts it as [ocsp.Check] accepts a responder's answer.
func decodeOCSP(der []byte, leaf, issuer *certs.Cert, now time.Time) *OCSPInfo {
	info := &OCSPInfo{}
	// What it says, read without trusting it, so that a response that
	// does not check out is still shown.
	resp, err := xocsp.ParseResponse(der, nil)
	if err != nil {
		info.Err = err
		info.Status = "undecodable"
		return info
	}
	switch resp.Status {
	case xocsp.Good:
		info.Status = "good"
	case xocsp.Revoked:
		info.Status = "revoked"
		info.RevokedAt = resp.RevokedAt
	default:
		info.Status = "unknown"
	}
	info.ProducedAt, info.ThisUpdate, info.NextUpdate = resp.ProducedAt, resp.ThisUpdate, resp.NextUpdate
	if s := leaf.Serial(); s != nil && resp.SerialNumber != nil {
		info.SerialMatches = s.Cmp(resp.SerialNumber) == 0
	}
	switch {
	case issuer == nil:
		info.Err = errors.New("the server sent no issuer to check the signature with")
	case issuer.X509 == nil || leaf.X509 == nil:
		info.Err = errors.New("the leaf or its issuer could not be parsed to check the signature")
	default:
		_, info.Err = ocsp.Verify(der, leaf.X509, issuer.X509, ocsp.CheckOptions{Now: func() time.Time { return now }})
		info.SignatureChecked = info.Err == nil
	}
	return info
}

// SCT is one signed certificate timestamp (RFC 6962 section 3.2).
type SCT struct {
	Source string // "certificate" (embedded) or "tls" (extension)
	LogID  string // hex of the 32-byte log ID (SHA-256 of the log key)
	Time   time.Time
	Err    error
}

// oidSCTList is the embedded SCT list extension (RFC 6962 section 3.3).
var oidSCTList = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}

func collectSCTs(leaf *certs.Cert, fromTLS [][]byte) []SCT {
	var out []SCT
	var ext []byte
	switch {
	case leaf.X509 != nil:
		for _, e := range leaf.X509.Extensions {
			if e.Id.Equal(oidSCTList) {
				ext = e.Value
			}
		}
	case leaf.Lenient != nil:
		for _, e := range leaf.Lenient.Extensions {
			if asn1.ObjectIdentifier(e.Id).Equal(oidSCTList) {
				ext = e.Value
			}
		}
	}
	if ext != nil {
		out = append(out, ParseSCTList(ext)...)
	}
	for _, b := range fromTLS {
		s := parseSCT(b)
		s.Source = "tls"
		out = append(out, s)
	}
	return out
}

// ParseSCTList reads the value of the embedded SCT extension: an OCTET
// STRING holding a TLS-encoded SignedCertificateTimestampList.
func ParseSCTList(extValue []byte) []SCT {
	var octets []byte
	if rest, err := asn1.Unmarshal(extValue, &octets); err != nil || len(rest) > 0 {
		return []SCT{{Source: "certificate", Err: fmt.Errorf("bad SCT extension: not an OCTET STRING")}}
	}
	var list ctx509.SignedCertificateTimestampList
	if rest, err := cttls.Unmarshal(octets, &list); err != nil || len(rest) > 0 {
		return []SCT{{Source: "certificate", Err: fmt.Errorf("bad SCT list")}}
	}
	var out []SCT
	for _, s := range list.SCTList {
		sct := parseSCT(s.Val)
		sct.Source = "certificate"
		out = append(out, sct)
	}
	return out
}

func parseSCT(b []byte) SCT {
	var s ct.SignedCertificateTimestamp
	if rest, err := cttls.Unmarshal(b, &s); err != nil || len(rest) > 0 {
		return SCT{Err: errors.New("bad SCT")}
	}
	ms := s.Timestamp
	if ms > math.MaxInt64 {
		ms = math.MaxInt64
	}
	return SCT{LogID: hex.EncodeToString(s.LogID.KeyID[:]), Time: time.UnixMilli(int64(ms)).UTC()}
}

// SignatureAlgorithm is the certificate's signature algorithm name.
func SignatureAlgorithm(c *certs.Cert) string {
	switch {
	case c.X509 != nil:
		return c.X509.SignatureAlgorithm.String()
	case c.Lenient != nil:
		return c.Lenient.SignatureAlgorithm.String()
	}
	return ""
}

// SANs lists the subject alternative names as "DNS:x", "IP:x", "email:x",
// "URI:x", as openssl prints them.
func SANs(c *certs.Cert) []string {
	var out []string
	add := func(p string, vs ...string) {
		for _, v := range vs {
			out = append(out, p+v)
		}
	}
	switch {
	case c.X509 != nil:
		add("DNS:", c.X509.DNSNames...)
		for _, ip := range c.X509.IPAddresses {
			add("IP:", ip.String())
		}
		add("email:", c.X509.EmailAddresses...)
		for _, u := range c.X509.URIs {
			add("URI:", u.String())
		}
	case c.Lenient != nil:
		add("DNS:", c.Lenient.DNSNames...)
		for _, ip := range c.Lenient.IPAddresses {
			add("IP:", net.IP(ip).String())
		}
		add("email:", c.Lenient.EmailAddresses...)
		for _, u := range c.Lenient.URIs {
			add("URI:", u.String())
		}
	}
	return out
}

// weaknesses lists what an up-to-date client would refuse or warn about.
func weaknesses(r *Result, now time.Time) []string {
	var w []string
	switch r.Version {
	case tls.VersionTLS10, tls.VersionTLS11:
		w = append(w, tls.VersionName(r.Version)+" is deprecated (RFC 8996)")
	}
	if r.Version != 0 {
		name := tls.CipherSuiteName(r.CipherSuite)
		switch {
		case strings.Contains(name, "RC4"):
			w = append(w, name+": RC4 is broken (RFC 7465)")
		case strings.Contains(name, "3DES"):
			w = append(w, name+": 3DES has 64-bit blocks (Sweet32)")
		}
		if strings.HasPrefix(name, "TLS_RSA_") {
			w = append(w, name+": RSA key exchange has no forward secrecy")
		}
	}
	if r.Legacy && r.Version != 0 {
		w = append(w, "the server refused Go's default TLS settings; it answered only to TLS 1.0-1.2 with legacy cipher suites offered")
	}
	for i, c := range r.Chain {
		root := i > 0 && c.SelfIssued()
		if !root {
			sig := SignatureAlgorithm(c)
			if strings.Contains(sig, "SHA1") || strings.Contains(sig, "MD5") || strings.Contains(sig, "MD2") {
				w = append(w, fmt.Sprintf("#%d (%s) is signed with %s", i, shortName(c), sig))
			}
		}
		if c.X509 != nil {
			switch k := c.X509.PublicKey.(type) {
			case *rsa.PublicKey:
				if k.N.BitLen() < 2048 {
					w = append(w, fmt.Sprintf("#%d (%s) has a %d-bit RSA key (under 2048)", i, shortName(c), k.N.BitLen()))
				}
			case *ecdsa.PublicKey:
				if k.Curve.Params().BitSize < 256 {
					w = append(w, fmt.Sprintf("#%d (%s) has a %d-bit EC key", i, shortName(c), k.Curve.Params().BitSize))
				}
			}
		} else {
			w = append(w, fmt.Sprintf("#%d (%s) is refused by Go's parser: %v", i, shortName(c), c.ParseErr))
		}
		if na := c.NotAfter(); !na.IsZero() && now.After(na) {
			w = append(w, fmt.Sprintf("#%d (%s) expired on %s", i, shortName(c), na.UTC().Format("2006-01-02")))
		}
		if nb := c.NotBefore(); !nb.IsZero() && now.Before(nb) {
			w = append(w, fmt.Sprintf("#%d (%s) is not valid before %s", i, shortName(c), nb.UTC().Format("2006-01-02")))
		}
	}
	return w
}

// DaysLeft is the whole days from now until the certificate expires
// (negative once expired).
func DaysLeft(c *certs.Cert, now time.Time) int {
	na := c.NotAfter()
	if na.IsZero() {
		return 0
	}
	return int(math.Floor(na.Sub(now).Hours() / 24))
}
