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
	"math/big"
	"net"
	"os"
	"path/filepath"
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
	// Days of validity, the period from notBefore to notAfter counted
	// inclusively as RFC 5280 does (see [validity]); 0 takes the CA's
	// issue days (capped silently at the CA's own expiry). A value beyond
	// the cap is [ErrValidity].
	Days int
	Now  time.Time
	// Out is the file the certificate is delivered to (replaced atomically;
	// an existing one only with Force, else [ErrOutExists]). Chain appends
	// the CA certificate after it.
	Out   string
	Force bool
	Chain bool
	// Deliver hands the certificate over when Out is empty, once it is
	// recorded: [Issued.PEM] to standard output, alone or inside a report.
	// When it fails, the serial is recorded as not issued. With neither
	// Out nor Deliver, the caller keeps [Issued.PEM].
	Deliver func(*Issued) error
	// lifetime, when set, is the validity instead of Days (the OCSP
	// responder's delegated certificate), still within the caps.
	lifetime time.Duration
}

// Issued is a certificate the CA has signed, recorded and delivered.
type Issued struct {
	Cert *x509.Certificate
	// PEM is what was delivered: the certificate, and the CA's after it
	// with Chain.
	PEM    []byte
	Record *Record
	// Capped is set when the default validity was shortened to end with
	// the CA certificate.
	Capped bool
	// Warnings say what a careful reader of the certificate would want to
	// know: a server certificate without a host name, a CSR that asked
	// for more than the profile gives.
	Warnings []string
}

// CheckOut fails with [ErrOutExists] when out exists and force is not
// set, and when its directory does not exist: what [CA.Sign] refuses
// before anything is written, for a caller to ask before it unlocks a key.
func CheckOut(out string, force bool) error {
	if _, err := os.Stat(out); err == nil && !force {
		return fmt.Errorf("%s %w", out, ErrOutExists)
	}
	if fi, err := os.Stat(filepath.Dir(out)); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: no such directory", filepath.Dir(out))
	}
	return nil
}

// Sign checks csr, issues a certificate under the profile, records it and
// delivers it, in the order the package documentation gives. The serial
// is taken under the directory's lock, so concurrent signers (goroutines
// or processes) never share one. Nothing is written when a check fails,
// and a failure before delivery leaves the directory as it was. The CA key
// must be loaded.
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
	tmpl, warnings, err := c.template(csr, o)
	if err != nil {
		return nil, err
	}
	tmpl.NotBefore = notBefore(o.Now)
	notAfter, capped, err := c.notAfter(o, tmpl.NotBefore)
	if err != nil {
		return nil, err
	}
	tmpl.NotAfter = notAfter.UTC()
	out := ""
	if o.Out != "" {
		if err := CheckOut(o.Out, o.Force); err != nil {
			return nil, err
		}
		if err := c.checkNotOwn(o.Out); err != nil {
			return nil, err
		}
		if out, err = filepath.Abs(o.Out); err != nil {
			return nil, err
		}
	}
	var iss *Issued
	err = c.withLedger(func(l *ledger) error {
		if err := c.sameCert(); err != nil {
			return err
		}
		n, err := l.nextSerial()
		if err != nil {
			return err
		}
		tmpl.SerialNumber = n
		der, err := x509.CreateCertificate(rand.Reader, tmpl, c.Cert, csr.PublicKey, c.Signer)
		if err != nil {
			return fmt.Errorf("signing: %w", err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return err
		}
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		data := certPEM
		if o.Chain {
			data = append(slices.Clone(certPEM), c.CertPEM()...)
		}
		pc := certs.FromX509(cert)
		rec := &Record{
			Serial:    Serial{n},
			Subject:   pc.Subject(),
			NotBefore: cert.NotBefore,
			NotAfter:  cert.NotAfter,
			Profile:   o.Profile,
			SHA256:    pc.SHA256Hex(),
			SHA1:      pc.SHA1Hex(),
			CA:        fingerprint(c.Cert.Raw),
			File:      fileName(n),
			State:     StatePending,
			Out:       out,
			Chain:     o.Chain,
		}
		iss = &Issued{Cert: cert, PEM: data, Capped: capped, Warnings: warnings}
		warn, err := l.issue(rec, certPEM, data, o, iss)
		if err != nil {
			return err
		}
		if warn != "" {
			iss.Warnings = append(iss.Warnings, warn)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return iss, nil
}

// issue records and delivers one signed certificate: the steps 1 to 5 of
// the package documentation, and the way back when one fails before the
// certificate is delivered. It sets iss.Record to the record as issued
// (before o.Deliver receives iss), and returns a warning when the record
// could not be completed after delivery.
func (l *ledger) issue(rec *Record, certPEM, data []byte, o SignOptions, iss *Issued) (string, error) {
	serial := hexSerial(rec.Serial.Int)
	m := l.mark()
	if err := l.appendLine(&journalLine{Record: rec}); err != nil {
		return "", fmt.Errorf("recording serial %s: %w", serial, err)
	}
	copyPath := l.path(rec.File)
	undo := func(cause error, copied bool) error {
		if copied {
			os.Remove(copyPath)
			safefile.SyncDir(filepath.Dir(copyPath))
		}
		if err := l.rollback(m); err != nil {
			return fmt.Errorf("%w; undoing the record failed too (%v): the next ca command settles serial %s", cause, err, serial)
		}
		return cause
	}
	if err := safefile.Write(copyPath, certPEM, safefile.Options{Perm: 0o644, NoOverwrite: true}); err != nil {
		return "", undo(fmt.Errorf("recording serial %s: %w", serial, err), false)
	}
	if rec.Out != "" {
		if err := safefile.Write(rec.Out, data, safefile.Options{Perm: 0o644, NoOverwrite: !o.Force}); err != nil {
			if errors.Is(err, safefile.ErrExists) {
				err = fmt.Errorf("%s %w", o.Out, ErrOutExists)
			}
			return "", undo(err, true)
		}
	}
	done := *rec
	done.State = StateIssued
	iss.Record = &done
	if err := l.appendLine(&journalLine{Record: &done}); err != nil {
		if rec.Out == "" {
			return "", undo(fmt.Errorf("recording serial %s: %w", serial, err), true)
		}
		// Delivered: the certificate is issued, and the pending line says
		// where it went.
		return fmt.Sprintf("serial %s was delivered, but its record could not be completed (%v); the next ca command completes it", serial, err), nil
	}
	// The counter last: the record already holds the serial, and the next
	// command moves a counter that lags (see recoverDir).
	writeCounter(l.path(SerialFile), new(big.Int).Add(rec.Serial.Int, bigOne))
	if rec.Out == "" && o.Deliver != nil {
		if err := o.Deliver(iss); err != nil {
			void := done
			void.State, void.File = StateVoid, ""
			os.Remove(copyPath)
			if verr := l.appendLine(&journalLine{Record: &void}); verr != nil {
				return "", fmt.Errorf("writing the certificate: %w (serial %s stays recorded as issued: %v)", err, serial, verr)
			}
			return "", fmt.Errorf("writing the certificate: %w (serial %s is recorded as not issued)", err, serial)
		}
	}
	return "", nil
}

// clockSkew is how far notBefore goes back from the time of signing, so
// that a certificate is valid at once on a machine whose clock is a little
// behind.
const clockSkew = 5 * time.Minute

// notBefore is the start of a certificate signed at now: clockSkew
// earlier, in whole seconds (X.509 times have no fractions here).
func notBefore(now time.Time) time.Time {
	return now.Add(-clockSkew).UTC().Truncate(time.Second)
}

// lastSecond is the notAfter of a certificate valid for days from
// notBefore. RFC 5280 section 4.1.2.5 counts the validity period
// inclusively, both dates being part of it, and so do the CA/Browser
// Forum's Baseline Requirements (section 1.6.1, "Validity Period"):
// a certificate valid for exactly N days ends one second before
// notBefore + N days. The backdating for clock skew thus comes out of
// the period, which never exceeds the days asked for or a cap.
func lastSecond(notBefore time.Time, days int) time.Time {
	return notBefore.UTC().AddDate(0, 0, days).Add(-time.Second)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// notAfter applies the caps to a certificate starting at nb: --max-days
// and the CA certificate's own end.
func (c *CA) notAfter(o SignOptions, nb time.Time) (time.Time, bool, error) {
	days := o.Days
	if days < 0 || days > MaxDays(o.Now) {
		return time.Time{}, false, fmt.Errorf("%w: %d days (want 1 to %d, ending by 9999-12-31)", ErrValidity, days, MaxDays(o.Now))
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
	end := lastSecond(nb, days)
	if o.lifetime > 0 {
		end = nb.Add(o.lifetime - time.Second)
		if c.Config.MaxDays > 0 {
			end = minTime(end, lastSecond(nb, c.Config.MaxDays))
		}
	}
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
// SANs copied, extensions decided by the profile, never by the CSR. The
// warnings say where the result differs from what a reader would expect.
func (c *CA) template(csr *x509.CertificateRequest, o SignOptions) (*x509.Certificate, []string, error) {
	if err := keyFits(csr); err != nil {
		return nil, nil, err
	}
	ski, err := subjectKeyID(csr.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrProfile, err)
	}
	var warnings []string
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
	server := func() {
		// A CN that is a DNS name is added as a SAN: clients ignore the CN
		// since RFC 6125 (Chrome 58, Go 1.15).
		cn := csr.Subject.CommonName
		if cn != "" && looksLikeDNSName(cn) && !slices.Contains(t.DNSNames, strings.ToLower(cn)) && !slices.Contains(t.DNSNames, cn) {
			t.DNSNames = append(t.DNSNames, cn)
		}
		if ip := net.ParseIP(cn); ip != nil && !slices.ContainsFunc(t.IPAddresses, ip.Equal) {
			t.IPAddresses = append(t.IPAddresses, ip)
		}
		// A CN that names a service rather than a host is signed as asked
		// (IRIS and other CA clients name instances that way); clients
		// that check host names will not accept it for any host.
		if len(t.DNSNames)+len(t.IPAddresses) == 0 {
			what := fmt.Sprintf("CN=%s is not a host name", cn)
			if cn == "" {
				what = "the subject has no CN"
			}
			warnings = append(warnings, fmt.Sprintf("%s and the CSR has no DNS or IP subject alternative name: TLS clients that check the host name will not accept this %s certificate for any host", what, o.Profile))
		}
	}
	if o.Profile != "intermediate" && requestsCA(csr) {
		warnings = append(warnings, fmt.Sprintf("the CSR asks for CA:TRUE (basicConstraints); the %s profile issues an end-entity certificate (CA:FALSE)", o.Profile))
	}
	switch o.Profile {
	case "server":
		server()
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		t.KeyUsage = x509.KeyUsageDigitalSignature
		if isRSA {
			// RSA key transport (TLS 1.2 RSA suites) needs keyEncipherment,
			// RFC 5246 section 7.4.2 and RFC 5280 section 4.2.1.3.
			t.KeyUsage |= x509.KeyUsageKeyEncipherment
		}
	case "server-client":
		server()
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
			return nil, nil, fmt.Errorf("%w: this CA has pathlen:0 and may not sign intermediates", ErrProfile)
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
		return nil, nil, fmt.Errorf("%w: unknown profile %q (want %s)", ErrProfile, o.Profile, strings.Join(Profiles, ", "))
	}
	return t, warnings, nil
}

var oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}

// requestsCA reports whether the CSR asks for basicConstraints CA:TRUE
// in its extension request (PKCS#9 extensionRequest, RFC 2986).
func requestsCA(csr *x509.CertificateRequest) bool {
	for _, e := range csr.Extensions {
		if !e.Id.Equal(oidBasicConstraints) {
			continue
		}
		var bc struct {
			IsCA       bool `asn1:"optional"`
			MaxPathLen int  `asn1:"optional,default:-1"`
		}
		if rest, err := asn1.Unmarshal(e.Value, &bc); err == nil && len(rest) == 0 {
			return bc.IsCA
		}
	}
	return false
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
