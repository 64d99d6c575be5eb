package conformance

import (
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// limboCase is one x509-limbo test case (schema version 1; see
// ../shared/conformance/README.md). Fields trustctl does not use are left out.
type limboCase struct {
	ID                     string   `json:"id"`
	Features               []string `json:"features"`
	Description            string   `json:"description"`
	ValidationKind         string   `json:"validation_kind"`
	TrustedCerts           []string `json:"trusted_certs"`
	UntrustedIntermediates []string `json:"untrusted_intermediates"`
	PeerCertificate        string   `json:"peer_certificate"`
	ValidationTime         *string  `json:"validation_time"`
	ExpectedPeerName       *struct {
		Kind  string `json:"kind"`
		Value string `json:"value"`
	} `json:"expected_peer_name"`
	ExtendedKeyUsage []string `json:"extended_key_usage"`
	CRLs             []string `json:"crls"`
	ExpectedResult   string   `json:"expected_result"`
}

func loadLimbo(t *testing.T, root string) ([]*limboCase, string) {
	file := os.Getenv("TRUSTCTL_LIMBO_FILE")
	if file == "" {
		file = filepath.Join(root, "..", "shared", "conformance", "limbo.json.gz")
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading the limbo suite: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Testcases []*limboCase `json:"testcases"`
	}
	if err := json.NewDecoder(zr).Decode(&suite); err != nil {
		t.Fatalf("decoding %s: %v", file, err)
	}
	cases := suite.Testcases
	if only := os.Getenv("TRUSTCTL_CONFORMANCE_ONLY"); only != "" {
		var keep []*limboCase
		for _, c := range cases {
			if strings.Contains(c.ID, only) {
				keep = append(keep, c)
			}
		}
		cases = keep
	}
	return cases, file
}

// purposeOf maps limbo's required EKUs to --purpose: a SERVER case with
// none implies serverAuth (limbo's README), a CLIENT case clientAuth.
func purposeOf(c *limboCase) (string, x509.ExtKeyUsage) {
	for _, e := range c.ExtendedKeyUsage {
		switch e {
		case "serverAuth":
			return "server", x509.ExtKeyUsageServerAuth
		case "clientAuth":
			return "client", x509.ExtKeyUsageClientAuth
		case "codeSigning":
			return "codesign", x509.ExtKeyUsageCodeSigning
		case "anyExtendedKeyUsage":
			return "any", x509.ExtKeyUsageAny
		}
	}
	if c.ValidationKind == "CLIENT" {
		return "client", x509.ExtKeyUsageClientAuth
	}
	return "server", x509.ExtKeyUsageServerAuth
}

// hostOf is the peer name trustctl can check: DNS names and IP addresses.
// E-mail (RFC822) names have no --host form and are not checked.
func hostOf(c *limboCase) (string, string) {
	if n := c.ExpectedPeerName; n != nil && (n.Kind == "DNS" || n.Kind == "IP") {
		return n.Value, n.Kind
	}
	return "", ""
}

func limboSection(id string) string {
	parts := strings.Split(id, "::")
	if len(parts) > 2 {
		return parts[0] + "::" + parts[1]
	}
	return parts[0]
}

// runLimbo runs every case through trustctl (and, for the report,
// crypto/x509 and openssl).
func runLimbo(t *testing.T, cases []*limboCase, report, openssl bool) []*result {
	rs := make([]*result, len(cases))
	parallel(t, len(cases), func(dir string, i int) {
		c := cases[i]
		r := &result{id: c.ID, section: limboSection(c.ID), expected: c.ExpectedResult, x509: skip, openssl: skip, note: c.Description}
		purpose, eku := purposeOf(c)
		host, kind := hostOf(c)
		var at time.Time
		if c.ValidationTime != nil {
			at, _ = time.Parse(time.RFC3339, *c.ValidationTime)
		}
		write := func(name string, pems []string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(strings.Join(pems, "\n")), 0o644); err != nil {
				panic(err)
			}
			return p
		}
		leaf, roots := write("leaf.pem", []string{c.PeerCertificate}), write("roots.pem", c.TrustedCerts)
		args := []string{leaf, "--roots", roots, "--purpose", purpose}
		if strings.HasPrefix(c.ID, "webpki::") {
			args = append(args, "--profile", "webpki")
		}
		var inter, crls string
		if len(c.UntrustedIntermediates) > 0 {
			inter = write("intermediates.pem", c.UntrustedIntermediates)
			args = append(args, "--intermediates", inter)
		}
		if host != "" {
			args = append(args, "--host", host)
		}
		if c.ValidationTime != nil {
			args = append(args, "--at", *c.ValidationTime)
		}
		if len(c.CRLs) > 0 {
			crls = write("crls.pem", c.CRLs)
			args = append(args, "--crl", crls)
		}
		runTrustctl(r, args)
		if report {
			r.x509 = limboX509(c, host, eku, at)
		}
		if openssl {
			r.openssl = limboOpenSSL(c, leaf, roots, inter, crls, host, kind, at)
		}
		rs[i] = r
	})
	return rs
}

func parsePEMs(pems []string) []*x509.Certificate {
	var out []*x509.Certificate
	for _, p := range pems {
		if b, _ := pem.Decode([]byte(p)); b != nil {
			if c, err := x509.ParseCertificate(b.Bytes); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// limboX509 is crypto/x509's verdict, as Go's own limbo test computes it.
func limboX509(c *limboCase, host string, eku x509.ExtKeyUsage, at time.Time) string {
	leaves := parsePEMs([]string{c.PeerCertificate})
	if len(leaves) == 0 {
		return failure
	}
	rp, ip := x509.NewCertPool(), x509.NewCertPool()
	for _, r := range parsePEMs(c.TrustedCerts) {
		rp.AddCert(r)
	}
	for _, i := range parsePEMs(c.UntrustedIntermediates) {
		ip.AddCert(i)
	}
	_, err := leaves[0].Verify(x509.VerifyOptions{Roots: rp, Intermediates: ip, DNSName: host, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{eku}})
	if err != nil {
		return failure
	}
	return success
}

// limboOpenSSL runs openssl verify as x509-limbo's own OpenSSL harness
// sets it up: strict X.509, partial chains (an anchor may be an
// intermediate), the purpose, the peer name, the time, and CRLs when the
// case has them.
func limboOpenSSL(c *limboCase, leaf, roots, inter, crls, host, kind string, at time.Time) string {
	args := []string{"-x509_strict", "-partial_chain", "-CAfile", roots}
	if inter != "" {
		args = append(args, "-untrusted", inter)
	}
	purpose, _ := purposeOf(c)
	switch purpose {
	case "server":
		args = append(args, "-purpose", "sslserver")
	case "client":
		args = append(args, "-purpose", "sslclient")
	}
	switch kind {
	case "DNS":
		args = append(args, "-verify_hostname", host)
	case "IP":
		args = append(args, "-verify_ip", host)
	}
	if !at.IsZero() {
		args = append(args, "-attime", itoa(at.Unix()))
	}
	if crls != "" {
		args = append(args, "-crl_check", "-CRLfile", crls)
	}
	return runOpenSSL(append(args, leaf))
}
