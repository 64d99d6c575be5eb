package conformance

import (
	"bufio"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pkitsTest is one line of testdata/pkits/tests.tsv.
type pkitsTest struct {
	num, title, ee, expected string
}

// pkitsAt is the validation time: every PKITS certificate and CRL is
// current then.
var pkitsAt = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

func loadPKITS(t *testing.T, root string) (dir string, tests []pkitsTest) {
	dir = filepath.Join(root, "testdata", "pkits")
	f, err := os.Open(filepath.Join(dir, "tests.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, "\t")
		if len(p) != 4 {
			t.Fatalf("tests.tsv: bad line %q", line)
		}
		exp := failure
		if p[3] == "valid" {
			exp = success
		}
		if only := os.Getenv("TRUSTCTL_CONFORMANCE_ONLY"); only == "" || strings.Contains(p[0]+" "+p[1], only) {
			tests = append(tests, pkitsTest{p[0], p[1], p[2], exp})
		}
	}
	return dir, tests
}

// pkitsMaterial writes the material every test gets, as PEM bundles: the
// trust anchor, every certificate that is not an end entity (the
// intermediates), and every CRL.
type pkitsMaterial struct {
	anchor, inter, crls string
	anchorCert          *x509.Certificate
	interCerts          []*x509.Certificate
}

func writePKITSMaterial(t *testing.T, dir string) *pkitsMaterial {
	out := t.TempDir()
	m := &pkitsMaterial{anchor: filepath.Join(out, "anchor.pem"), inter: filepath.Join(out, "intermediates.pem"), crls: filepath.Join(out, "crls.pem")}
	certs, _ := filepath.Glob(filepath.Join(dir, "certs", "*.crt"))
	var anchor, inter, crls []byte
	for _, p := range certs {
		der, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		base := filepath.Base(p)
		c, _ := x509.ParseCertificate(der)
		switch {
		case base == "TrustAnchorRootCertificate.crt":
			anchor, m.anchorCert = block, c
		case strings.HasSuffix(base, "EE.crt"):
		default:
			inter = append(inter, block...)
			if c != nil {
				m.interCerts = append(m.interCerts, c)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "crls", "*.crl"))
	for _, p := range files {
		der, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		crls = append(crls, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})...)
	}
	for p, b := range map[string][]byte{m.anchor: anchor, m.inter: inter, m.crls: crls} {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func pkitsSection(num string) string {
	p := strings.Split(num, ".")
	return p[0] + "." + p[1]
}

// runPKITS runs every test through trustctl with the settings of
// testdata/pkits/README.md (and, for the report, crypto/x509 without CRLs,
// and openssl with -policy anyPolicy -extended_crl -use_deltas
// -crl_check_all).
func runPKITS(t *testing.T, dir string, tests []pkitsTest, report, openssl bool) []*result {
	m := writePKITSMaterial(t, dir)
	rs := make([]*result, len(tests))
	parallel(t, len(tests), func(scratch string, i int) {
		tc := tests[i]
		r := &result{id: tc.num, section: pkitsSection(tc.num), expected: tc.expected, x509: skip, openssl: skip, note: tc.title}
		ee := filepath.Join(dir, "certs", tc.ee)
		runTrustctl(r, []string{ee, "--roots", m.anchor, "--intermediates", m.inter, "--crl", m.crls,
			"--at", pkitsAt.Format(time.RFC3339), "--purpose", "any", "--require-revocation"})
		der, err := os.ReadFile(ee)
		if err != nil {
			panic(err)
		}
		if report {
			r.x509 = failure
			if leaf, err := x509.ParseCertificate(der); err == nil && m.anchorCert != nil {
				rp, ip := x509.NewCertPool(), x509.NewCertPool()
				rp.AddCert(m.anchorCert)
				for _, c := range m.interCerts {
					ip.AddCert(c)
				}
				if _, err := leaf.Verify(x509.VerifyOptions{Roots: rp, Intermediates: ip, CurrentTime: pkitsAt,
					KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err == nil {
					r.x509 = success
				}
			}
		}
		if openssl {
			leafPEM := filepath.Join(scratch, "ee.pem")
			if err := os.WriteFile(leafPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
				panic(err)
			}
			r.openssl = runOpenSSL([]string{"-CAfile", m.anchor, "-untrusted", m.inter, "-CRLfile", m.crls,
				"-attime", itoa(pkitsAt.Unix()), "-purpose", "any",
				"-policy", "anyPolicy", "-extended_crl", "-use_deltas", "-crl_check_all", leafPEM})
		}
		rs[i] = r
	})
	return rs
}
