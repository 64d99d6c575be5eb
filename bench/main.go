// Command bench times the trustctl binary side by side with keytool and
// openssl on the workflows of the issues (truststores, keystores, verify,
// probe, CA and OCSP), in one run on one machine, and rewrites the generated
// section of BENCHMARKS.md with the medians, ratios, peak memory and a
// PASS/MISS against each target.
//
// It builds trustctl itself and creates every input in a temporary directory
// (synthetic certificates are generated in Go). Servers it starts listen on
// 127.0.0.1 only and are stopped by process id. Slow keytool loops (one JVM
// per certificate) are timed on a sample and scaled; the report says so.
//
// It leaves out: statistics beyond the median, CPU pinning, and anything
// that needs the network.
//
// Usage:
//
//	go run ./bench [-quick] [-only startup,truststore,keystore,verify,probe,ca] [-md BENCHMARKS.md] [-tags TAGS] [-keep]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

type config struct {
	Quick  bool
	Only   []string
	MD     string
	Keep   bool
	Bin    string
	Tags   string // go build -tags for trustctl
	Work   string
	Runs   int // trustctl runs per median
	RefRun int // keytool/openssl runs per median
}

func (c config) argsText() string {
	var s string
	if c.Quick {
		s += " -quick"
	}
	if len(c.Only) > 0 {
		s += " -only " + strings.Join(c.Only, ",")
	}
	if c.Tags != "" {
		s += " -tags " + c.Tags
	}
	return s
}

func (c config) wants(area string) bool {
	return len(c.Only) == 0 || slices.Contains(c.Only, area)
}

// pick returns full, or quick under -quick.
func (c config) pick(full, quick int) int {
	if c.Quick {
		return quick
	}
	return full
}

var areas = []string{"startup", "truststore", "keystore", "verify", "probe", "ca"}

func areaKey(title string) string {
	for _, a := range areas {
		if strings.HasPrefix(strings.ToLower(title), a) {
			return a
		}
	}
	return strings.ToLower(title)
}

func main() {
	var cfg config
	var only string
	flag.BoolVar(&cfg.Quick, "quick", false, "smaller inputs and fewer runs (a smoke test of the harness)")
	flag.StringVar(&only, "only", "", "comma-separated areas to run: "+strings.Join(areas, ","))
	flag.StringVar(&cfg.MD, "md", "BENCHMARKS.md", "markdown file whose generated section is rewritten (empty: none)")
	flag.BoolVar(&cfg.Keep, "keep", false, "keep the temporary directory with the inputs")
	flag.StringVar(&cfg.Tags, "tags", "", "build tags for trustctl instead of the Makefile's TAGS")
	flag.Parse()
	if only != "" {
		for _, a := range strings.Split(only, ",") {
			a = strings.TrimSpace(a)
			if !slices.Contains(areas, a) {
				fmt.Fprintf(os.Stderr, "bench: unknown area %q (want %s)\n", a, strings.Join(areas, ","))
				os.Exit(2)
			}
			cfg.Only = append(cfg.Only, a)
		}
	}
	cfg.Runs = cfg.pick(5, 3)
	cfg.RefRun = cfg.pick(3, 1)
	if err := run(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	start := time.Now()
	for _, tool := range []string{"keytool", "openssl", "java"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not on PATH; the bench compares against it", tool)
		}
	}
	work, err := os.MkdirTemp("", "trustctl-bench-")
	if err != nil {
		return err
	}
	cfg.Work = work
	if cfg.Keep {
		fmt.Fprintf(os.Stderr, "bench: inputs kept in %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	cfg.Bin = filepath.Join(work, "trustctl")
	logf("building trustctl")
	loadFrom := loadavg()
	// The binary is built as users get it: by the Makefile's build target.
	build := []string{"-s", "build", "BIN=" + cfg.Bin}
	if cfg.Tags != "" {
		build = append(build, "TAGS="+cfg.Tags)
	}
	if out, err := exec.Command("make", build...).CombinedOutput(); err != nil {
		return fmt.Errorf("make build: %v\n%s", err, out)
	}
	var rows []Row
	var ksNotes []string
	if cfg.wants("startup") {
		rows = append(rows, benchStartup(cfg)...)
	}
	if cfg.wants("truststore") {
		rows = append(rows, benchTruststore(cfg)...)
	}
	if cfg.wants("keystore") {
		r, k := benchKeystore(cfg)
		rows = append(rows, r...)
		ksNotes = k
	}
	if cfg.wants("verify") {
		rows = append(rows, benchVerify(cfg)...)
	}
	if cfg.wants("probe") {
		rows = append(rows, benchProbe(cfg)...)
	}
	if cfg.wants("ca") {
		rows = append(rows, benchCA(cfg)...)
	}
	fmt.Println()
	printTable(os.Stdout, rows)
	for _, l := range ksNotes {
		fmt.Println("keystore:", l)
	}
	logf("done in %s", time.Since(start).Round(time.Second))
	if cfg.MD != "" {
		m := describeMachine(cfg.Bin)
		m.LoadFrom, m.LoadTo, m.Tags = loadFrom, loadavg(), cfg.Tags
		if err := writeMarkdown(cfg.MD, markdown(m, cfg, rows, ksNotes)); err != nil {
			return err
		}
		logf("wrote %s", cfg.MD)
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: %s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// errRow records a comparison that could not be made.
func errRow(area, task string, err error) Row {
	logf("%s / %s: %v", area, task, err)
	return Row{Area: area, Task: task, Err: err.Error()}
}

// isNotImplemented reports whether a trustctl command is still a stub.
func isNotImplemented(cfg config, args ...string) bool {
	out, _ := exec.Command(cfg.Bin, args...).CombinedOutput()
	return strings.Contains(string(out), "not implemented")
}

func cmdText(argv []string) string {
	s := slices.Clone(argv)
	for i, a := range s {
		if strings.HasPrefix(a, "/") {
			s[i] = filepath.Base(a)
		}
	}
	return strings.Join(s, " ")
}
