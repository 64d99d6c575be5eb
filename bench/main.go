// Command bench times trustctl on work that grows (trees of thousands of
// certificate files, a thousand leaves to verify, hundreds of endpoints,
// an OCSP responder under load, stores of 20,000 entries) side by side, in
// one run, with the tools people use instead (openssl, keytool) and with a
// floor: the same work done by a small Go program (bench/floor). It
// prints a table and rewrites the generated blocks of BENCHMARKS.md with
// medians, ratios, peak memory and PASS/MISS against each goal.
//
// It builds trustctl and the floor programs itself and makes every input
// in a temporary directory. Servers listen on 127.0.0.1 only and are
// stopped by process id. Slow per-file loops of openssl and keytool are
// timed on a sample and scaled; the report says so. It is never part of
// the tests.
//
// Usage:
//
//	go run ./bench [-quick] [-only expiry,verify,probe,ocsp,stores] [-md BENCHMARKS.md] [-keep]
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

var areas = []string{"expiry", "verify", "probe", "ocsp", "stores"}

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
	cfg.Runs = cfg.pick(5, 1)
	cfg.RefRun = cfg.pick(1, 1)
	if err := run(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	start := time.Now()
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
	for _, name := range floors {
		if err := buildFloor(cfg, name); err != nil {
			return err
		}
	}
	var rows []Row
	for _, a := range []struct {
		name string
		run  func(config) []Row
	}{{"expiry", benchExpiry}, {"verify", benchVerify}, {"probe", benchProbe}, {"ocsp", benchOCSP}, {"stores", benchStores}} {
		if cfg.wants(a.name) {
			rows = append(rows, a.run(cfg)...)
		}
	}
	var ksNotes []string
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

func cmdText(argv []string) string {
	s := slices.Clone(argv)
	for i, a := range s {
		if strings.HasPrefix(a, "/") {
			s[i] = filepath.Base(a)
		}
	}
	return strings.Join(s, " ")
}

// floors are the reference programs under bench/floor.
var floors = []string{"expiry", "verify", "probe", "ocsp", "stores"}

// buildFloor builds bench/floor/NAME into the work directory as
// floor-NAME, the way trustctl is built: static and stripped.
func buildFloor(cfg config, name string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", cfg.floor(name), "./bench/floor/"+name)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the %s floor: %v\n%s", name, err, out)
	}
	return nil
}

func (c config) floor(name string) string { return filepath.Join(c.Work, "floor-"+name) }

// have reports whether a reference tool is installed; a comparison with a
// missing tool is skipped with a note.
func have(tool string) bool {
	_, err := exec.LookPath(tool)
	return err == nil
}

// skipRow records a comparison that was not made, and why.
func skipRow(area, task, why string) Row {
	logf("%s / %s: skipped: %s", area, task, why)
	return Row{Area: area, Task: task, Note: "not measured: " + why}
}
