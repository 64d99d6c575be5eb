package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// Row is one side-by-side comparison: trustctl against a reference tool.
type Row struct {
	Area    string
	Task    string
	Ours    Measure
	OursCmd string
	Ref     Measure
	RefCmd  string
	// PerCall compares one call of each side (loops of single calls) rather
	// than totals.
	PerCall bool
	// Target is the speed-up (reference time / trustctl time) required;
	// 0 means informational. MaxRSSMB is a cap on trustctl's peak memory
	// (0: none).
	Target   float64
	MaxRSSMB float64
	// RSSRatio caps trustctl's peak memory at this many times the
	// reference's (0: none); MaxP99 caps trustctl's 99th-percentile
	// latency under load (0: none).
	RSSRatio float64
	MaxP99   time.Duration
	// Pending is set when the trustctl command is not implemented yet;
	// Err when a side failed.
	Pending bool
	Err     string
	Note    string
}

// Ratio is how many times faster trustctl is than the reference.
func (r Row) Ratio() float64 {
	o, f := r.Ours.Wall, r.Ref.Wall
	if r.PerCall {
		o, f = r.Ours.PerCall(), r.Ref.PerCall()
	}
	if o <= 0 || f <= 0 {
		return 0
	}
	return float64(f) / float64(o)
}

// Verdict is PASS, MISS, PENDING, ERROR or "-" (no target).
func (r Row) Verdict() string {
	switch {
	case r.Pending:
		return "PENDING"
	case r.Err != "":
		return "ERROR"
	case r.Target == 0 && r.MaxRSSMB == 0 && r.RSSRatio == 0 && r.MaxP99 == 0:
		return "-"
	}
	ok := r.Target == 0 || r.Ratio() >= r.Target
	if r.MaxRSSMB > 0 && float64(r.Ours.RSSKB)/1024 >= r.MaxRSSMB {
		ok = false
	}
	if r.RSSRatio > 0 && (r.Ref.RSSKB <= 0 || float64(r.Ours.RSSKB) > r.RSSRatio*float64(r.Ref.RSSKB)) {
		ok = false
	}
	if r.MaxP99 > 0 && (r.Ours.P99 <= 0 || r.Ours.P99 > r.MaxP99) {
		ok = false
	}
	if ok {
		return "PASS"
	}
	return "MISS"
}

func (r Row) targetText() string {
	var parts []string
	if r.Target > 0 {
		parts = append(parts, fmt.Sprintf(">=%.2fx", r.Target))
	}
	if r.MaxRSSMB > 0 {
		parts = append(parts, fmt.Sprintf("RSS<%gMB", r.MaxRSSMB))
	}
	if r.RSSRatio > 0 {
		parts = append(parts, fmt.Sprintf("RSS<=%gx", r.RSSRatio))
	}
	if r.MaxP99 > 0 {
		parts = append(parts, "p99<"+fmtDur(r.MaxP99))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
}

func fmtMeasure(m Measure, perCall bool) string {
	if m.Wall <= 0 {
		return "-"
	}
	s := fmtDur(m.Wall)
	if m.P99 > 0 {
		s += fmt.Sprintf(" (%.0f req/s, p99 %s)", float64(m.Calls)/m.Wall.Seconds(), fmtDur(m.P99))
		return s
	}
	if m.Calls > 1 {
		s = fmt.Sprintf("%s (%s/call)", s, fmtDur(m.PerCall()))
	}
	if m.Scale > 1 {
		s += fmt.Sprintf(" [scaled x%.1f]", m.Scale)
	}
	return s
}

func fmtRSS(kb int64) string {
	if kb <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MB", float64(kb)/1024)
}

// CPURatio is the reference's CPU time over trustctl's, per call where the
// row compares per call (the loops' totals have the same call counts).
func (r Row) CPURatio() float64 {
	if r.Ours.CPU <= 0 || r.Ref.CPU <= 0 {
		return 0
	}
	o, f := float64(r.Ours.CPU), float64(r.Ref.CPU)
	if r.PerCall {
		o /= float64(max(r.Ours.Calls, 1))
		f /= float64(max(r.Ref.Calls, 1))
	}
	return f / o
}

func fmtCPU(m Measure) string {
	if m.CPU <= 0 {
		return "-"
	}
	if m.Calls > 1 {
		return fmt.Sprintf("%s (%s/call)", fmtDur(m.CPU), fmtDur(m.CPU/time.Duration(m.Calls)))
	}
	return fmtDur(m.CPU)
}

func fmtCPURatio(r Row) string {
	if r.Pending || r.CPURatio() == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fx", r.CPURatio())
}

func fmtRatio(r Row) string {
	if r.Pending || r.Ratio() == 0 {
		return "-"
	}
	if r.Ratio() < 10 {
		return fmt.Sprintf("%.2fx", r.Ratio())
	}
	return fmt.Sprintf("%.1fx", r.Ratio())
}

// printTable writes the rows as aligned columns for the terminal.
func printTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AREA\tTASK\tTRUSTCTL\tCPU\tRSS\tREFERENCE\tREF TIME\tREF CPU\tREF RSS\tRATIO\tCPU RATIO\tTARGET\tVERDICT")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Area, r.Task,
			fmtMeasure(r.Ours, r.PerCall), fmtCPU(r.Ours), fmtRSS(r.Ours.RSSKB), r.refName(), fmtMeasure(r.Ref, r.PerCall),
			fmtCPU(r.Ref), fmtRSS(r.Ref.RSSKB), fmtRatio(r), fmtCPURatio(r), r.targetText(), r.Verdict())
	}
	tw.Flush()
	for _, r := range rows {
		if r.Err != "" {
			fmt.Fprintf(w, "error: %s / %s: %s\n", r.Area, r.Task, r.Err)
		}
	}
}

func (r Row) refName() string {
	f := strings.Fields(r.RefCmd)
	if len(f) == 0 {
		return "-"
	}
	if len(f) > 1 && !strings.HasPrefix(f[1], "-") && f[0] != "go" {
		return f[0] + " " + f[1]
	}
	if f[0] == "go" {
		return "in-process Go"
	}
	return f[0]
}

// Machine describes where the figures come from.
type Machine struct {
	Date     time.Time
	CPU      string
	NProc    int
	Kernel   string
	Go       string
	Java     string
	OpenSSL  string
	Trustctl string
	LoadFrom string // /proc/loadavg when the run started
	LoadTo   string // and when it ended
	Tags     string // go build -tags
}

func describeMachine(bin string) Machine {
	m := Machine{Date: time.Now().UTC(), NProc: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	m.Kernel = firstLine(output("uname", "-sr"))
	m.Java = firstLine(output("java", "-version"))
	m.OpenSSL = firstLine(output("openssl", "version"))
	m.Trustctl = firstLine(output("git", "log", "-1", "--format=%h %s"))
	return m
}

func output(name string, args ...string) string {
	b, err := exec.Command(name, args...).CombinedOutput()
	if err != nil && len(b) == 0 {
		return "unavailable"
	}
	return string(b)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

func beginMarker(block string) string {
	return "<!-- BEGIN GENERATED " + block + " by go run ./bench: do not edit by hand -->"
}

func endMarker(block string) string { return "<!-- END GENERATED " + block + " -->" }

// block is one generated part of BENCHMARKS.md: the machine, or one area.
// A run rewrites the blocks it has figures for and keeps the others, so
// "go run ./bench -only verify" fills in verify and leaves the rest.
type block struct {
	Name string
	Text []byte
}

// markdown renders the generated blocks of BENCHMARKS.md.
func markdown(m Machine, cfg config, rows []Row, ksNotes []string) []block {
	var b bytes.Buffer
	fmt.Fprintf(&b, "\n## Machine and tools (last run, %s)\n\n", m.Date.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- machine: %d CPU (%s), %s; shared with other work, so wall times carry noise (CPU times less so)\n", m.NProc, m.CPU, m.Kernel)
	fmt.Fprintf(&b, "- tools: %s; %s; %s\n\n", m.Go, m.Java, m.OpenSSL)
	blocks := []block{{"machine", bytes.Clone(b.Bytes())}}
	run := fmt.Sprintf("Run %s: `go run ./bench%s`, trustctl at %s", m.Date.Format("2006-01-02 15:04 MST"), cfg.argsText(), m.Trustctl)
	if m.Tags != "" {
		run += fmt.Sprintf(", built with -tags %s", m.Tags)
	}
	run += fmt.Sprintf("; load average (1, 5, 15 min) %s at the start of the run, %s at its end.", m.LoadFrom, m.LoadTo)
	for _, area := range areas {
		var ar []Row
		for _, r := range rows {
			if areaKey(r.Area) == area {
				ar = append(ar, r)
			}
		}
		if len(ar) == 0 {
			continue
		}
		b.Reset()
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n", area, run)
		fmt.Fprintln(&b, "| task | trustctl wall | CPU | RSS | reference | wall | CPU | RSS | ratio (wall) | CPU ratio | target | verdict |")
		fmt.Fprintln(&b, "|---|---|---|---|---|---|---|---|---|---|---|---|")
		for _, r := range ar {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | `%s` | %s | %s | %s | %s | %s | %s | **%s** |\n", r.Task,
				fmtMeasure(r.Ours, r.PerCall), fmtCPU(r.Ours), fmtRSS(r.Ours.RSSKB), mdEscape(r.refName()), fmtMeasure(r.Ref, r.PerCall),
				fmtCPU(r.Ref), fmtRSS(r.Ref.RSSKB), fmtRatio(r), fmtCPURatio(r), r.targetText(), r.Verdict())
		}
		fmt.Fprint(&b, "\nCommands and notes:\n\n")
		for _, r := range ar {
			fmt.Fprintf(&b, "- **%s**: trustctl `%s`; reference `%s`", r.Task, mdEscape(r.OursCmd), mdEscape(r.RefCmd))
			if r.Note != "" {
				fmt.Fprintf(&b, ". %s", r.Note)
			}
			if r.Pending {
				fmt.Fprintf(&b, ". PENDING: the trustctl command is not implemented in this build; re-run `go run ./bench -only %s` when it lands", area)
			}
			if r.Err != "" {
				fmt.Fprintf(&b, ". ERROR: %s", mdEscape(r.Err))
			}
			fmt.Fprintln(&b)
		}
		if area == "keystore" && len(ksNotes) > 0 {
			fmt.Fprint(&b, "\nMeasured alone in Go: the key derivations of the PKCS#12 profiles, and writing a file durably:\n\n")
			for _, l := range ksNotes {
				fmt.Fprintf(&b, "- %s\n", l)
			}
		}
		fmt.Fprintln(&b)
		blocks = append(blocks, block{area, bytes.Clone(b.Bytes())})
	}
	return blocks
}

func mdEscape(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

// writeMarkdown replaces each block between its markers in path, appends
// the blocks it does not have yet in area order, and creates the file with
// the hand-written header when it does not exist.
func writeMarkdown(path string, blocks []block) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	s := string(old)
	if len(old) == 0 {
		s = mdHeader
	}
	for _, bl := range blocks {
		text := beginMarker(bl.Name) + "\n" + string(bl.Text) + endMarker(bl.Name) + "\n"
		i, j := strings.Index(s, beginMarker(bl.Name)), strings.Index(s, endMarker(bl.Name))
		if i >= 0 && j > i {
			s = s[:i] + text + strings.TrimPrefix(s[j+len(endMarker(bl.Name)):], "\n")
			continue
		}
		if !strings.HasSuffix(s, "\n\n") {
			s += "\n"
		}
		s += text
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

const mdHeader = `# trustctl benchmarks

Generated by ` + "`go run ./bench`" + ` (or ` + "`make bench`" + `); see the method below the results.

`
