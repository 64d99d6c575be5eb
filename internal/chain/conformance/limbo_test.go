package conformance

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/cli"
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

type outcome struct {
	c        *limboCase
	trustctl string // SUCCESS, FAILURE or CRASH
	exit     int
	reason   string
	x509     string
	x509Err  string
	skipped  int // certificates crypto/x509 could not parse in the pools
}

func repoRoot(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", "..", ".."))
}

// TestLimbo runs every case through trustctl verify (in-process, with the
// same flags a person would type) and through crypto/x509, then writes
// CONFORMANCE.md. TRUSTCTL_LIMBO=1 turns it on; TRUSTCTL_LIMBO_FILE and
// TRUSTCTL_CONFORMANCE_OUT override the input and output paths.
func TestLimbo(t *testing.T) {
	if os.Getenv("TRUSTCTL_LIMBO") == "" {
		t.Skip("set TRUSTCTL_LIMBO=1 to run the x509-limbo suite (make conformance)")
	}
	root := repoRoot(t)
	file := os.Getenv("TRUSTCTL_LIMBO_FILE")
	if file == "" {
		file = filepath.Join(root, "..", "shared", "conformance", "limbo.json.gz")
	}
	out := os.Getenv("TRUSTCTL_CONFORMANCE_OUT")
	if out == "" {
		out = filepath.Join(root, "CONFORMANCE.md")
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading the limbo suite: %v", err)
	}
	sum := sha256.Sum256(raw)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Version   int          `json:"version"`
		Testcases []*limboCase `json:"testcases"`
	}
	if err := json.NewDecoder(zr).Decode(&suite); err != nil {
		t.Fatalf("decoding %s: %v", file, err)
	}
	if filter := os.Getenv("TRUSTCTL_LIMBO_ONLY"); filter != "" {
		var keep []*limboCase
		for _, c := range suite.Testcases {
			if strings.Contains(c.ID, filter) {
				keep = append(keep, c)
			}
		}
		suite.Testcases = keep
	}

	start := time.Now()
	results := make([]*outcome, len(suite.Testcases))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		dir := t.TempDir()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = runCase(dir, suite.Testcases[i])
			}
		}()
	}
	for i := range suite.Testcases {
		next <- i
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)

	report, st := writeReport(results, hex.EncodeToString(sum[:]), elapsed)
	if err := os.WriteFile(out, report, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d cases in %v: trustctl agrees on %d, crypto/x509 on %d; wrote %s",
		len(results), elapsed.Round(time.Second), st.trustctl, st.x509, out)
	if st.crashes > 0 {
		t.Errorf("trustctl crashed on %d cases", st.crashes)
	}
	if st.trustctl < st.x509 {
		t.Errorf("trustctl agrees on %d cases, fewer than crypto/x509 (%d)", st.trustctl, st.x509)
	}
	if st.parseBroke > 0 {
		t.Errorf("%d should-pass cases failed with a certificate crypto/x509 cannot parse in a bundle", st.parseBroke)
	}
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
func hostOf(c *limboCase) string {
	if n := c.ExpectedPeerName; n != nil && (n.Kind == "DNS" || n.Kind == "IP") {
		return n.Value
	}
	return ""
}

func runCase(dir string, c *limboCase) (o *outcome) {
	o = &outcome{c: c}
	purpose, eku := purposeOf(c)
	host := hostOf(c)
	var at time.Time
	if c.ValidationTime != nil {
		at, _ = time.Parse(time.RFC3339, *c.ValidationTime)
	}

	// The baseline: crypto/x509 on the same inputs.
	o.x509, o.x509Err, o.skipped = baseline(c, host, eku, at)

	// trustctl, as a person would run it.
	write := func(name string, pems []string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(pems, "\n")), 0o644); err != nil {
			panic(err)
		}
		return p
	}
	args := []string{"trustctl", "verify", write("leaf.pem", []string{c.PeerCertificate}),
		"--roots", write("roots.pem", c.TrustedCerts), "--purpose", purpose}
	if len(c.UntrustedIntermediates) > 0 {
		args = append(args, "--intermediates", write("intermediates.pem", c.UntrustedIntermediates))
	}
	if host != "" {
		args = append(args, "--host", host)
	}
	if c.ValidationTime != nil {
		args = append(args, "--at", *c.ValidationTime)
	}
	if len(c.CRLs) > 0 {
		args = append(args, "--crl", write("crls.pem", c.CRLs))
	}
	var stderr bytes.Buffer
	defer func() {
		if r := recover(); r != nil {
			o.trustctl, o.reason = "CRASH", fmt.Sprint(r)
		}
	}()
	o.exit = cli.Run(args, &cli.Env{Stdout: io.Discard, Stderr: &stderr, Now: time.Now})
	if o.exit == 0 {
		o.trustctl = "SUCCESS"
	} else {
		o.trustctl = "FAILURE"
		o.reason = firstError(stderr.String())
	}
	return o
}

func firstError(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if r, ok := strings.CutPrefix(line, "trustctl: error: "); ok {
			return strings.TrimPrefix(r, "the chain is invalid: ")
		}
	}
	return strings.TrimSpace(s)
}

func parsePEMs(pems []string) (out []*x509.Certificate, skipped int) {
	for _, p := range pems {
		b, _ := pem.Decode([]byte(p))
		if b == nil {
			skipped++
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			skipped++
			continue
		}
		out = append(out, c)
	}
	return out, skipped
}

// baseline is crypto/x509's verdict, as Go's own limbo test computes it.
func baseline(c *limboCase, host string, eku x509.ExtKeyUsage, at time.Time) (string, string, int) {
	leaves, _ := parsePEMs([]string{c.PeerCertificate})
	roots, s1 := parsePEMs(c.TrustedCerts)
	inters, s2 := parsePEMs(c.UntrustedIntermediates)
	if len(leaves) == 0 {
		return "FAILURE", "leaf does not parse", s1 + s2
	}
	rp, ip := x509.NewCertPool(), x509.NewCertPool()
	for _, r := range roots {
		rp.AddCert(r)
	}
	for _, i := range inters {
		ip.AddCert(i)
	}
	_, err := leaves[0].Verify(x509.VerifyOptions{Roots: rp, Intermediates: ip, DNSName: host, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{eku}})
	if err != nil {
		return "FAILURE", err.Error(), s1 + s2
	}
	return "SUCCESS", "", s1 + s2
}

type stats struct {
	trustctl, x509, crashes, parseBroke int
}

func category(id string) string {
	parts := strings.Split(id, "::")
	if len(parts) > 2 {
		return parts[0] + "::" + parts[1]
	}
	return parts[0]
}

func writeReport(rs []*outcome, sum string, elapsed time.Duration) ([]byte, stats) {
	type row struct{ cases, tc, x, tcMust, xMust, must int }
	cats := map[string]*row{}
	var st stats
	total := &row{}
	exit2 := 0
	var disagree, differ []*outcome
	for _, o := range rs {
		cat := category(o.c.ID)
		r := cats[cat]
		if r == nil {
			r = &row{}
			cats[cat] = r
		}
		for _, r := range []*row{r, total} {
			r.cases++
			if o.c.ExpectedResult == "SUCCESS" {
				r.must++
				if o.trustctl == "SUCCESS" {
					r.tcMust++
				}
				if o.x509 == "SUCCESS" {
					r.xMust++
				}
			}
			if o.trustctl == o.c.ExpectedResult {
				r.tc++
			}
			if o.x509 == o.c.ExpectedResult {
				r.x++
			}
		}
		if o.trustctl == "CRASH" {
			st.crashes++
		}
		if o.exit == 2 {
			exit2++
		}
		if o.trustctl != o.c.ExpectedResult {
			disagree = append(disagree, o)
			if o.c.ExpectedResult == "SUCCESS" && o.skipped > 0 {
				st.parseBroke++
			}
		}
		if o.trustctl != o.x509 {
			differ = append(differ, o)
		}
	}
	st.trustctl, st.x509 = total.tc, total.x

	var b strings.Builder
	fmt.Fprintf(&b, "# x509-limbo conformance\n\n")
	fmt.Fprintf(&b, "Generated by `make conformance` (`TRUSTCTL_LIMBO=1 go test ./internal/chain/conformance/`); do not edit by hand.\n\n")
	fmt.Fprintf(&b, "- suite: `../shared/conformance/limbo.json.gz`, sha256 `%s`, %d cases\n", sum, len(rs))
	fmt.Fprintf(&b, "- run: %s, %s, %d workers, %v\n", time.Now().UTC().Format("2006-01-02"), runtime.Version(), runtime.GOMAXPROCS(0), elapsed.Round(time.Second))
	fmt.Fprintf(&b, "- trustctl: `trustctl verify leaf.pem --roots trusted.pem --intermediates untrusted.pem --purpose P --host NAME --at TIME [--crl crls.pem]`, in-process; ")
	fmt.Fprintf(&b, "exit 0 counts as SUCCESS, 1 or 2 as FAILURE\n")
	fmt.Fprintf(&b, "- baseline: crypto/x509 `Certificate.Verify` with the same roots, intermediates, DNS name/IP, time and EKU\n")
	fmt.Fprintf(&b, "- mapping: `extended_key_usage` serverAuth/clientAuth/anyExtendedKeyUsage → `--purpose server/client/any`; none → server for SERVER cases, client for CLIENT cases; ")
	fmt.Fprintf(&b, "DNS and IP peer names → `--host`; RFC822 peer names, `max_chain_depth`, `key_usage` and `signature_algorithms` are not checked\n\n")
	fmt.Fprintf(&b, "## Summary\n\n")
	fmt.Fprintf(&b, "| | agrees with expected | must-pass cases passed | crashes | exit 2 |\n|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| trustctl | %d / %d (%.2f%%) | %d / %d | %d | %d |\n", total.tc, total.cases, pct(total.tc, total.cases), total.tcMust, total.must, st.crashes, exit2)
	fmt.Fprintf(&b, "| crypto/x509 | %d / %d (%.2f%%) | %d / %d | - | - |\n\n", total.x, total.cases, pct(total.x, total.cases), total.xMust, total.must)
	fmt.Fprintf(&b, "About 90%% of the cases must fail, so read the agreement next to the must-pass column.\n\n")
	fmt.Fprintf(&b, "Should-pass cases that failed while a certificate in their bundles could not be parsed: %d.\n\n", st.parseBroke)
	fmt.Fprintf(&b, "trustctl runs crypto/x509's Verify and refuses a chain it accepts only for: revocation from `--crl` ")
	fmt.Fprintf(&b, "(a listed serial; a CRL of the issuer that fails its signature, cRLSign, CRL-number or critical-extension checks, RFC 5280 §5.2, §6.3.3); ")
	fmt.Fprintf(&b, "and four RFC 5280 profile rules (a CA whose key usage lacks keyCertSign, keyCertSign in a non-CA, name constraints in an end-entity ")
	fmt.Fprintf(&b, "certificate, an empty extended key usage extension). It accepts nothing crypto/x509 refuses, so every must-pass case crypto/x509 ")
	fmt.Fprintf(&b, "fails (self-issued certificates and pathlen, fractional validity times, DN name constraints) fails in trustctl too.\n\n")
	fmt.Fprintf(&b, "## By category\n\n| category | cases | must pass | trustctl agrees | trustctl must-pass | crypto/x509 agrees | crypto/x509 must-pass |\n|---|---|---|---|---|---|---|\n")
	names := make([]string, 0, len(cats))
	for n := range cats {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := cats[n]
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d |\n", n, r.cases, r.must, r.tc, r.tcMust, r.x, r.xMust)
	}
	sortOutcomes(disagree)
	fmt.Fprintf(&b, "\n## Every case where trustctl disagrees with the expected result (%d)\n\n", len(disagree))
	fmt.Fprintf(&b, "| id | expected | trustctl | crypto/x509 | trustctl's reason |\n|---|---|---|---|---|\n")
	for _, o := range disagree {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", o.c.ID, o.c.ExpectedResult, o.trustctl, o.x509, cell(o.reason, o.c))
	}
	sortOutcomes(differ)
	fmt.Fprintf(&b, "\n## Cases where trustctl and crypto/x509 differ (%d)\n\n", len(differ))
	fmt.Fprintf(&b, "| id | expected | trustctl | crypto/x509 | why |\n|---|---|---|---|---|\n")
	for _, o := range differ {
		why := o.reason
		if o.trustctl == "SUCCESS" {
			why = "crypto/x509: " + o.x509Err
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", o.c.ID, o.c.ExpectedResult, o.trustctl, o.x509, cell(why, o.c))
	}
	return []byte(b.String()), st
}

func sortOutcomes(os []*outcome) {
	sort.Slice(os, func(i, j int) bool { return os[i].c.ID < os[j].c.ID })
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// cell makes a reason fit a table cell; a passing verdict gets the
// case's description instead, which says what should have failed it.
func cell(s string, c *limboCase) string {
	if s == "" {
		s = "accepted; limbo: " + strings.Join(strings.Fields(c.Description), " ")
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
