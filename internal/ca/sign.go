package ca

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/safefile"
)

// Profiles lists the profiles [CA.Sign] knows.
var Profiles = []string{"server", "client", "server-client", "intermediate", "codesign"}

// SignOptions says how to sign one CSR.
type SignOptions struct {
	// Profile is one of [Profiles].
	Profile string
	// Days of validity; 0 takes the CA's issue days (capped silently at
	// the CA's own expiry). A value beyond the cap is [ErrValidity].
	Days int
	Now  time.Time
	// extra adjusts the template before signing (the OCSP responder's
	// delegated certificate sets its short validity).
	extra func(*x509.Certificate)
}

// Issued is a certificate the CA has signed and recorded.
type Issued struct {
	Cert   *x509.Certificate
	PEM    []byte
	Record *Record
	// Capped is set when the default validity was shortened to end with
	// the CA certificate.
	Capped bool
}

// Sign checks csr, issues a certificate under the profile and records it.
// The serial is taken under the directory's lock, so concurrent signers
// (goroutines or processes) never share one. Nothing is written when a
// check fails. The CA key must be loaded.
func (c *CA) Sign(csr *x509.CertificateRequest, o SignOptions) (*Issued, error) {
	if c.Signer == nil {
		return nil, fmt.Errorf("the CA key is not loaded")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCSR, err)
	}
	tmpl, err := c.template(csr, o)
	if err != nil {
		return nil, err
	}
	notAfter, capped, err := c.notAfter(o)
	if err != nil {
		return nil, err
	}
	tmpl.NotBefore = o.Now.Add(-5 * time.Minute).UTC().Truncate(time.Second)
	tmpl.NotAfter = notAfter.UTC().Truncate(time.Second)
	if o.extra != nil {
		o.extra(tmpl)
	}

	// Signing needs the lock and the counter, not the index: the record
	// is appended to the journal (journal.go).
	unlock, err := safefile.Lock(c.path(SerialFile))
	if err != nil {
		return nil, err
	}
	defer unlock()
	next, err := readSerial(c.path(SerialFile))
	if err != nil {
		return nil, err
	}
	// A crash after the certificate file below was written and before the
	// counter moved leaves the counter behind; the files win, and serials
	// are never reused.
	for {
		_, err := os.Stat(c.path(fileName(next)))
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
		next = new(big.Int).Add(next, big.NewInt(1))
	}
	tmpl.SerialNumber = next
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.Cert, csr.PublicKey, c.Signer)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pc := certs.FromX509(cert)
	rec := &Record{
		Serial:    Serial{next},
		Subject:   cert.Subject.String(),
		NotBefore: cert.NotBefore,
		NotAfter:  cert.NotAfter,
		Profile:   o.Profile,
		SHA256:    pc.SHA256Hex(),
		SHA1:      pc.SHA1Hex(),
		CA:        fingerprint(c.Cert.Raw),
		File:      fileName(next),
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	// Certificate file, then record, then counter: after a crash at any
	// point the next signer still moves past this serial.
	if err := safefile.Write(c.path(rec.File), certPEM, safefile.Options{Perm: 0o644, NoOverwrite: true}); err != nil {
		return nil, fmt.Errorf("recording serial %s: %w", hexSerial(next), err)
	}
	if err := appendJournal(c.path(JournalFile), rec); err != nil {
		return nil, fmt.Errorf("recording serial %s: %w", hexSerial(next), err)
	}
	nn := new(big.Int).Add(next, big.NewInt(1))
	if err := safefile.Write(c.path(SerialFile), []byte(hexSerial(nn)+"\n"), safefile.Options{Perm: 0o644}); err != nil {
		return nil, err
	}
	return &Issued{Cert: cert, PEM: certPEM, Record: rec, Capped: capped}, nil
}

// notAfter applies the caps: --max-days and the CA certificate's own end.
func (c *CA) notAfter(o SignOptions) (time.Time, bool, error) {
	days := o.Days
	if days < 0 {
		return time.Time{}, false, fmt.Errorf("negative validity")
	}
	asked := days != 0
	if !asked {
		days = c.Config.IssueDays
		if days == 0 {
			days = 365
		}
	}
	if c.Config.MaxDays > 0 && days > c.Config.MaxDays {
		if asked {
			return time.Time{}, false, fmt.Errorf("%w: %d days asked, at most %d allowed (--max-days)", ErrValidity, days, c.Config.MaxDays)
		}
		days = c.Config.MaxDays
	}
	end := o.Now.AddDate(0, 0, days)
	if end.After(c.Cert.NotAfter) {
		if asked {
			return time.Time{}, false, fmt.Errorf("%w: %d days would outlive the CA certificate, which expires %s", ErrValidity, days, c.Cert.NotAfter.UTC().Format("2006-01-02"))
		}
		// RFC 5280 does not forbid it, but a certificate outliving its
		// issuer is unusable then; most clients fail the chain.
		return c.Cert.NotAfter, true, nil
	}
	return end, false, nil
}

var oidOCSPNoCheck = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}

// template builds the certificate for a profile from the CSR: subject and
// SANs copied, extensions decided by the profile, never by the CSR.
func (c *CA) template(csr *x509.CertificateRequest, o SignOptions) (*x509.Certificate, error) {
	if err := keyFits(csr); err != nil {
		return nil, err
	}
	ski, err := subjectKeyID(csr.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProfile, err)
	}
	t := &x509.Certificate{
		RawSubject:     csr.RawSubject,
		DNSNames:       slices.Clone(csr.DNSNames),
		IPAddresses:    slices.Clone(csr.IPAddresses),
		EmailAddresses: slices.Clone(csr.EmailAddresses),
		URIs:           slices.Clone(csr.URIs),
		SubjectKeyId:   ski,
		// AuthorityKeyId comes from the CA's SubjectKeyId (crypto/x509).
		BasicConstraintsValid: true,
	}
	if c.Config.OCSPURL != "" {
		t.OCSPServer = []string{c.Config.OCSPURL}
	}
	if c.Config.CRLURL != "" {
		t.CRLDistributionPoints = []string{c.Config.CRLURL}
	}
	_, isRSA := csr.PublicKey.(*rsa.PublicKey)
	server := func() error {
		// A CN that is a DNS name is added as a SAN: clients ignore the CN
		// since RFC 6125 (Chrome 58, Go 1.15).
		cn := csr.Subject.CommonName
		if cn != "" && looksLikeDNSName(cn) && !slices.Contains(t.DNSNames, strings.ToLower(cn)) && !slices.Contains(t.DNSNames, cn) {
			t.DNSNames = append(t.DNSNames, cn)
		}
		if ip := net.ParseIP(cn); ip != nil && !slices.ContainsFunc(t.IPAddresses, ip.Equal) {
			t.IPAddresses = append(t.IPAddresses, ip)
		}
		if len(t.DNSNames)+len(t.IPAddresses) == 0 {
			return fmt.Errorf("%w: the %s profile needs at least one DNS or IP subject alternative name (or a CN that is a host name)", ErrProfile, o.Profile)
		}
		return nil
	}
	switch o.Profile {
	case "server":
		if err := server(); err != nil {
			return nil, err
		}
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		t.KeyUsage = x509.KeyUsageDigitalSignature
		if isRSA {
			// RSA key transport (TLS 1.2 RSA suites) needs keyEncipherment,
			// RFC 5246 section 7.4.2 and RFC 5280 section 4.2.1.3.
			t.KeyUsage |= x509.KeyUsageKeyEncipherment
		}
	case "server-client":
		if err := server(); err != nil {
			return nil, err
		}
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		t.KeyUsage = x509.KeyUsageDigitalSignature
		if isRSA {
			t.KeyUsage |= x509.KeyUsageKeyEncipherment
		}
	case "client":
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		t.KeyUsage = x509.KeyUsageDigitalSignature
	case "codesign":
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
		t.KeyUsage = x509.KeyUsageDigitalSignature
	case "intermediate":
		if c.Cert.MaxPathLen == 0 && c.Cert.MaxPathLenZero {
			return nil, fmt.Errorf("%w: this CA has pathlen:0 and may not sign intermediates", ErrProfile)
		}
		t.IsCA = true
		t.MaxPathLen = 0
		t.MaxPathLenZero = true
		t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	case "ocsp":
		// The responder's delegated certificate, RFC 6960 section 4.2.2.2:
		// id-kp-OCSPSigning, and id-pkix-ocsp-nocheck so clients do not
		// ask about the responder itself (section 4.2.2.2.1).
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
		t.KeyUsage = x509.KeyUsageDigitalSignature
		t.OCSPServer, t.CRLDistributionPoints = nil, nil
		t.ExtraExtensions = append(t.ExtraExtensions, pkixNoCheck())
	default:
		return nil, fmt.Errorf("%w: unknown profile %q (want %s)", ErrProfile, o.Profile, strings.Join(Profiles, ", "))
	}
	return t, nil
}

// keyFits refuses keys no profile should certify: RSA below 2048 bits
// (NIST SP 800-131A; the JDK's jdk.certpath.disabledAlgorithms refuses
// RSA keySize < 1024 and browsers < 2048), ECDSA curves other than
// P-256/384/521 (P-224 is not in TLS 1.3 or CA/B Forum rules), and
// DSA, which TLS 1.3 dropped and crypto/x509 cannot verify.
func keyFits(csr *x509.CertificateRequest) error {
	switch k := csr.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("%w: RSA key of %d bits; at least 2048 are required", ErrProfile, k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return fmt.Errorf("%w: ECDSA curve %s is not accepted (use P-256, P-384 or P-521)", ErrProfile, k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
		// Ed25519 (RFC 8410) serves every profile: TLS 1.3 signs with it
		// (RFC 8446 section 4.2.3) and OpenSSL 3 and JDK 15+ verify it.
	default:
		return fmt.Errorf("%w: a %s key cannot be certified", ErrProfile, csr.PublicKeyAlgorithm)
	}
	return nil
}

func pkixNoCheck() pkix.Extension {
	return pkix.Extension{Id: oidOCSPNoCheck, Value: []byte{0x05, 0x00}} // NULL
}

func looksLikeDNSName(s string) bool {
	if !strings.Contains(s, ".") && s != "localhost" {
		return false
	}
	if net.ParseIP(s) != nil {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '*':
		default:
			return false
		}
	}
	return true
}
