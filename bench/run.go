package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Measure is the outcome of timing one command (or one loop of calls).
type Measure struct {
	Wall  time.Duration // median wall time of the runs (or of one loop)
	RSSKB int64         // largest peak resident set size of any child, in KiB
	// CPU is the user+system time of the children for the same work as
	// Wall (median of runs, or the loop's total): steadier than wall time
	// on a shared, loaded machine.
	CPU   time.Duration
	Runs  int // how many runs the median is over
	Calls int // calls per run (a loop of one call per item), 1 otherwise
	// Scale is the factor a sampled loop was multiplied by (0 or 1: none).
	Scale float64
	// P99 is the 99th-percentile latency of one request under load (0:
	// not a load).
	P99 time.Duration
}

// PerCall is the wall time of one call of a loop.
func (m Measure) PerCall() time.Duration {
	if m.Calls <= 1 {
		return m.Wall
	}
	return m.Wall / time.Duration(m.Calls)
}

// cmdTimeout bounds any single child process: nothing in the bench should
// take this long, and a hung keytool must not hang the run.
const cmdTimeout = 3 * time.Minute

// CmdError is a child that failed; the tail of its stderr says why.
type CmdError struct {
	Cmd    string
	Err    error
	Stderr string
}

func (e *CmdError) Error() string {
	return fmt.Sprintf("%s: %v: %s", e.Cmd, e.Err, strings.TrimSpace(tail(e.Stderr, 400)))
}

func (e *CmdError) Unwrap() error { return e.Err }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// timeBin is GNU time, which reports a child's peak RSS truthfully: Go
// starts children with clone(CLONE_VM|CLONE_VFORK), and Linux carries the
// high-water RSS of the mm a process had before exec (here the bench's own)
// into its ru_maxrss, so wait4's figure is never below the bench's size.
// GNU time forks (a small process), so the RSS it reports is the child's.
const timeBin = "/usr/bin/time"

// runOnce runs argv with dir as working directory and returns its wall time,
// CPU time (wait4 rusage of the child and what it waited for) and peak RSS
// (from GNU time, see [timeBin]). okCodes lists exit codes besides 0 that
// count as success. The wall time includes GNU time's fork and exec, about
// a millisecond, for every tool alike.
func runOnce(dir string, stdin []byte, argv []string, okCodes ...int) (time.Duration, usage, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	rssFile, err := os.CreateTemp("", "bench-rss-")
	if err != nil {
		return 0, usage{}, nil, err
	}
	rssFile.Close()
	defer os.Remove(rssFile.Name())
	cmd := exec.CommandContext(ctx, timeBin, append([]string{"-f", "%M", "-o", rssFile.Name(), "--"}, argv...)...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	start := time.Now()
	err = cmd.Run()
	d := time.Since(start)
	var u usage
	if cmd.ProcessState != nil {
		u = rusageOf(cmd.ProcessState)
		u.RSSKB = 0
		if b, rerr := os.ReadFile(rssFile.Name()); rerr == nil {
			// The last line is %M; a line before it says "Command exited
			// with non-zero status N" when it did.
			f := strings.Fields(string(b))
			if len(f) > 0 {
				u.RSSKB, _ = strconv.ParseInt(f[len(f)-1], 10, 64)
			}
		}
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && slices.Contains(okCodes, ee.ExitCode()) {
			err = nil
		}
	}
	if err != nil {
		return d, u, out.Bytes(), &CmdError{Cmd: strings.Join(shortArgv(argv), " "), Err: err, Stderr: errb.String() + out.String()}
	}
	return d, u, out.Bytes(), nil
}

// usage is what wait4 (and GNU time) report about a child.
type usage struct {
	RSSKB int64
	CPU   time.Duration
}

// hwmKB is the peak RSS of a live process (VmHWM in /proc/PID/status),
// which belongs to the mm exec made, so it is the program's own.
func hwmKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

func rusageOf(ps *os.ProcessState) usage {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return usage{}
	}
	return usage{RSSKB: ru.Maxrss, CPU: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
}

func shortArgv(argv []string) []string {
	s := slices.Clone(argv)
	if len(s) > 8 {
		s = append(s[:8], fmt.Sprintf("... (%d args)", len(argv)))
	}
	return s
}

// Bench describes one timed command: Setup runs before each run, untimed
// (removing the output of the previous run), Argv is the command.
type Bench struct {
	Dir     string
	Runs    int
	Setup   func() error
	Argv    []string
	Stdin   []byte
	OKCodes []int
}

// median runs b.Runs times and returns the median wall time and the largest
// peak RSS.
func (b Bench) median() (Measure, error) {
	ms, err := medians(b)
	return ms[0], err
}

// medians times several commands in turns, one run of each per round,
// until each has had its Runs, so that a busy spell of the shared machine
// falls on all of them alike rather than on whichever ran then. It returns
// each one's median wall and CPU time and largest peak RSS.
func medians(bs ...Bench) ([]Measure, error) {
	walls := make([][]time.Duration, len(bs))
	cpus := make([][]time.Duration, len(bs))
	ms := make([]Measure, len(bs))
	rounds := 0
	for _, b := range bs {
		rounds = max(rounds, b.Runs, 1)
	}
	for r := range rounds {
		for i, b := range bs {
			if r >= max(b.Runs, 1) {
				continue
			}
			if b.Setup != nil {
				if err := b.Setup(); err != nil {
					return ms, err
				}
			}
			d, u, _, err := runOnce(b.Dir, b.Stdin, b.Argv, b.OKCodes...)
			if err != nil {
				return ms, err
			}
			walls[i] = append(walls[i], d)
			cpus[i] = append(cpus[i], u.CPU)
			ms[i].RSSKB = max(ms[i].RSSKB, u.RSSKB)
		}
	}
	for i := range bs {
		ms[i].Wall, ms[i].CPU = medianOf(walls[i]), medianOf(cpus[i])
		ms[i].Runs, ms[i].Calls = len(walls[i]), 1
	}
	return ms, nil
}

func medianOf(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// loop runs one call per item, sequentially, as a shell loop would, and
// returns the total wall time; when sample < n only the first sample items
// are run and the total is scaled by n/sample (the report says so).
func loop(dir string, n, sample int, setup func() error, argv func(i int) []string, okCodes ...int) (Measure, error) {
	if sample <= 0 || sample > n {
		sample = n
	}
	if setup != nil {
		if err := setup(); err != nil {
			return Measure{}, err
		}
	}
	var total, cpu time.Duration
	var rss int64
	for i := range sample {
		d, u, _, err := runOnce(dir, nil, argv(i), okCodes...)
		if err != nil {
			return Measure{}, err
		}
		total += d
		cpu += u.CPU
		rss = max(rss, u.RSSKB)
	}
	m := Measure{Wall: total, CPU: cpu, RSSKB: rss, Runs: 1, Calls: n}
	if sample < n {
		m.Scale = float64(n) / float64(sample)
		m.Wall = time.Duration(float64(total) * m.Scale)
		m.CPU = time.Duration(float64(cpu) * m.Scale)
	}
	return m, nil
}

func removeAll(paths ...string) func() error {
	return func() error {
		for _, p := range paths {
			if err := os.RemoveAll(p); err != nil {
				return err
			}
		}
		return nil
	}
}
