package conformance

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/cli"
)

var update = flag.Bool("update", false, "rewrite the lists of known disagreements (with TRUSTCTL_CONFORMANCE_REPORT=1)")

// A verdict is SUCCESS, FAILURE, CRASH (trustctl panicked), or SKIP (the
// tool was not run).
const (
	success = "SUCCESS"
	failure = "FAILURE"
	crash   = "CRASH"
	skip    = "-"
)

// result is one case of a suite run through every tool.
type result struct {
	id       string
	section  string
	expected string
	trustctl string
	exit     int
	reason   string
	x509     string
	openssl  string
	note     string // what the case is about, for the report
	output   string // trustctl's stdout: every problem it found
}

func repoRoot(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", "..", ".."))
}

func enabled(t *testing.T) (report bool) {
	report = os.Getenv("TRUSTCTL_CONFORMANCE_REPORT") != ""
	if os.Getenv("TRUSTCTL_CONFORMANCE") == "" && !report {
		t.Skip("set TRUSTCTL_CONFORMANCE=1 to run the conformance suites (make conformance)")
	}
	return report
}

// runTrustctl runs trustctl verify in-process, as a person would.
func runTrustctl(r *result, args []string) {
	var stdout, stderr bytes.Buffer
	defer func() {
		if p := recover(); p != nil {
			r.trustctl, r.exit, r.reason = crash, -1, fmt.Sprint(p)
		}
	}()
	r.exit = cli.Run(append([]string{"trustctl", "verify"}, args...), &cli.Env{Stdout: &stdout, Stderr: &stderr, Now: time.Now})
	r.output = stdout.String()
	if r.exit == 0 {
		r.trustctl = success
		return
	}
	r.trustctl, r.reason = failure, firstError(stderr.String())
}

func firstError(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if r, ok := strings.CutPrefix(line, "trustctl: error: "); ok {
			return strings.TrimPrefix(r, "the chain is invalid: ")
		}
	}
	return strings.TrimSpace(s)
}

// runOpenSSL runs openssl verify; exit 0 is SUCCESS.
func runOpenSSL(args []string) string {
	cmd := exec.Command("openssl", append([]string{"verify"}, args...)...)
	if err := cmd.Run(); err != nil {
		return failure
	}
	return success
}

func haveOpenSSL() bool {
	_, err := exec.LookPath("openssl")
	return err == nil
}

// parallel runs f for every index on GOMAXPROCS workers, each with its own
// scratch directory; all work is done when it returns.
func parallel(t *testing.T, n int, f func(dir string, i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		dir := t.TempDir()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(dir, i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// checkExpectations fails the test for every case that disagrees with the
// suite and is not in the list of known disagreements, and for every
// crash or exit 2. It logs the known ones that now agree.
func checkExpectations(t *testing.T, rs []*result, listFile string) {
	known := map[string]bool{}
	if f, err := os.Open(listFile); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line != "" && !strings.HasPrefix(line, "#") {
				known[strings.Fields(line)[0]] = true
			}
		}
		f.Close()
	} else if !*update {
		t.Fatalf("reading the known disagreements: %v", err)
	}
	var now []string
	for _, r := range rs {
		if r.trustctl == crash {
			t.Errorf("%s: trustctl crashed: %s", r.id, r.reason)
		}
		if r.exit == 2 {
			t.Errorf("%s: trustctl exited 2: %s", r.id, r.reason)
		}
		if r.trustctl != r.expected {
			now = append(now, r.id)
			if !known[r.id] && !*update {
				t.Errorf("%s: expected %s, trustctl says %s (%s); a regression, or a new disagreement to add to %s",
					r.id, r.expected, r.trustctl, r.reason, filepath.Base(listFile))
			}
		} else if known[r.id] {
			t.Logf("%s now agrees with the suite; take it off %s", r.id, filepath.Base(listFile))
		}
	}
	if *update {
		sort.Strings(now)
		body := "# Cases where trustctl disagrees with the suite's expected result.\n# Written by make conformance-report -update; a case not listed here that\n# disagrees fails make conformance.\n" + strings.Join(now, "\n") + "\n"
		if err := os.WriteFile(listFile, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// table is agreement by section, for one suite.
type table struct {
	rows  []string
	stats map[string]*row
	total *row
}

type row struct {
	cases, must, tc, tcMust, x, xMust, o, oMust, exit2, crashes int
}

func tabulate(rs []*result) *table {
	tb := &table{stats: map[string]*row{}, total: &row{}}
	for _, r := range rs {
		s := tb.stats[r.section]
		if s == nil {
			s = &row{}
			tb.stats[r.section] = s
			tb.rows = append(tb.rows, r.section)
		}
		for _, s := range []*row{s, tb.total} {
			s.cases++
			must := r.expected == success
			if must {
				s.must++
			}
			if r.trustctl == r.expected {
				s.tc++
				if must {
					s.tcMust++
				}
			}
			if r.x509 == r.expected {
				s.x++
				if must {
					s.xMust++
				}
			}
			if r.openssl == r.expected {
				s.o++
				if must {
					s.oMust++
				}
			}
			if r.exit == 2 {
				s.exit2++
			}
			if r.trustctl == crash {
				s.crashes++
			}
		}
	}
	return tb
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

func (tb *table) write(b *strings.Builder, sortRows func([]string), openssl bool) {
	sortRows(tb.rows)
	osl := func(a, b int) string {
		if !openssl {
			return "-"
		}
		return fmt.Sprintf("%d (%s)", a, pct(a, b))
	}
	fmt.Fprintf(b, "| section | cases | must pass | trustctl | crypto/x509 | openssl | trustctl must-pass | crypto/x509 must-pass | openssl must-pass |\n")
	fmt.Fprintf(b, "|---|---|---|---|---|---|---|---|---|\n")
	line := func(name string, s *row) {
		om := "-"
		if openssl {
			om = fmt.Sprint(s.oMust)
		}
		fmt.Fprintf(b, "| %s | %d | %d | %d (%s) | %d (%s) | %s | %d | %d | %s |\n", name, s.cases, s.must,
			s.tc, pct(s.tc, s.cases), s.x, pct(s.x, s.cases), osl(s.o, s.cases), s.tcMust, s.xMust, om)
	}
	for _, n := range tb.rows {
		line(n, tb.stats[n])
	}
	line("**all**", tb.total)
}

// disagreements lists the cases where trustctl disagrees with the suite.
func disagreements(b *strings.Builder, rs []*result) {
	var bad []*result
	for _, r := range rs {
		if r.trustctl != r.expected {
			bad = append(bad, r)
		}
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].id < bad[j].id })
	fmt.Fprintf(b, "| case | expected | trustctl | crypto/x509 | openssl | trustctl's reason, or what the case is about |\n|---|---|---|---|---|---|\n")
	for _, r := range bad {
		why := r.reason
		if why == "" {
			why = "accepted; the case: " + strings.Join(strings.Fields(r.note), " ")
		}
		why = strings.ReplaceAll(why, "|", "\\|")
		if len(why) > 300 {
			why = why[:300] + "…"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s | %s |\n", r.id, r.expected, r.trustctl, r.x509, r.openssl, why)
	}
}

func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}
