package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/store"
	"github.com/trustctl/trustctl/internal/testpki"
)

// The crash tests kill trustctl with SIGKILL at random moments while it
// writes, and check that every file is in its old or its new state and
// that the next command leaves no temporary or lock file behind.
//
// `make test-crash` runs them in full (TRUSTCTL_CRASH=1: 385 kills over
// all cases, at least 200 promised); a plain `go test` runs a few kills of
// each case, so that the harness itself stays tested.
//
// Adding a case (crash_ca_test.go does this for the CA): build the files
// in a directory, then call killAtRandom with a crashCase whose args is the
// command to kill, whose check says whether the files are in the state
// before or after that command (and remembers the new one), and whose
// settle runs the next command on the same files unkilled; killAtRandom
// then looks for litter in the directory. Record the result in the
// crashFigures TestCrash hands each group of cases.

// TestCrash kills the commands that write at random moments: import,
// sync, passwd and convert on stores, ca sign and ca init --force on a CA
// directory. It reports the figures of every case and their total.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills many processes; skipped with -short")
	}
	fig := &crashFigures{results: map[string]crashResult{}}
	t.Run("stores", func(t *testing.T) { crashStoreWrites(t, fig) })
	t.Run("ca", func(t *testing.T) { crashCA(t, fig) })
	total := fig.report(t)
	if os.Getenv("TRUSTCTL_CRASH") == "1" && total.Kills < 200 {
		t.Errorf("%d kills; the crash test promises at least 200", total.Kills)
	}
}

// crashFigures collects what each case did.
type crashFigures struct {
	mu      sync.Mutex
	results map[string]crashResult
	notes   []string
}

func (f *crashFigures) add(name string, r crashResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.results[name] = r
}

// note keeps a line of figures particular to a case, for the report.
func (f *crashFigures) note(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notes = append(f.notes, fmt.Sprintf(format, args...))
}

// report logs every case, its notes and the total, and returns the total.
func (f *crashFigures) report(t *testing.T) crashResult {
	names := make([]string, 0, len(f.results))
	for n := range f.results {
		names = append(names, n)
	}
	sort.Strings(names)
	var total crashResult
	for _, n := range names {
		r := f.results[n]
		t.Logf("%-14s %3d runs, %3d killed, %3d checked, %2d temporary or lock files left by kills (removed by the next command)", n, r.Runs, r.Kills, r.Checked, r.Litter)
		total.Runs += r.Runs
		total.Kills += r.Kills
		total.Checked += r.Checked
		total.Litter += r.Litter
	}
	for _, n := range f.notes {
		t.Log(n)
	}
	t.Logf("total          %3d runs, %3d killed, %3d stores and records checked, %d litter files left by kills, 0 after the next command", total.Runs, total.Kills, total.Checked, total.Litter)
	return total
}

// trustctlProcess returns a command that runs this test binary as trustctl.
func trustctlProcess(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TRUSTCTL_TEST_AS_MAIN=1", "GORACE="+quickExitGORACE())
	return cmd
}

// crashKills is how many runs of each case are to be killed.
func crashKills() int {
	if os.Getenv("TRUSTCTL_CRASH") == "1" {
		return 55
	}
	return 2
}

// crashCase is one command killed at random moments.
type crashCase struct {
	// dir holds the files the command writes, where litter is looked for.
	dir string
	// kind names the command of run i when a case runs commands that take
	// different times (ca sign, ca init): the first run of each kind is
	// timed, not killed, and kills aim at that kind's time. nil: one kind.
	kind func(i int) string
	// args is the command of run i.
	args func(i int) []string
	// check is called after run i, killed or not (finished says whether it
	// ran to its end), and fails the test unless the files are in the state
	// before run i or the one after it. It counts the files it checked.
	check func(t *testing.T, i int, finished bool) (checked int)
	// settle runs the next command on the same files, not killed: after it
	// no temporary or lock file may be left in dir. It is not called after
	// the runs that time a kind.
	settle func(t *testing.T, i int)
}

// crashResult is what one case did.
type crashResult struct {
	Runs, Kills, Checked int
	// Litter counts the temporary and lock files kills left, all of
	// which the next command removed.
	Litter int
}

// killAtRandom runs c until kills runs were killed before they finished
// (or four times as many runs were made), each after a random delay within
// the time one whole run of its kind takes (measured on its first run, and
// adjusted by the runs that finish before their kill).
func killAtRandom(t *testing.T, c crashCase, kills int) crashResult {
	t.Helper()
	var res crashResult
	whole := map[string]time.Duration{}
	for i := 0; res.Kills < kills && i < 4*kills; i++ {
		kind := ""
		if c.kind != nil {
			kind = c.kind(i)
		}
		args := c.args(i)
		if _, timed := whole[kind]; !timed {
			start := time.Now()
			out, err := trustctlProcess(args...).CombinedOutput()
			if err != nil {
				t.Fatalf("trustctl %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			whole[kind] = time.Since(start)
			res.Checked += c.check(t, i, true)
			noLitter(t, c.dir)
			continue
		}
		cmd := trustctlProcess(args...)
		began := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
			// It finished first: aim the next kills at the time runs
			// take now.
			whole[kind] = (3*whole[kind] + time.Since(began)) / 4
		case <-time.After(time.Duration(rand.Int64N(int64(whole[kind])))):
			cmd.Process.Kill()
			<-done
		}
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		killed := ws.Signaled()
		if killed {
			res.Kills++
		}
		res.Runs++
		res.Checked += c.check(t, i, !killed)
		res.Litter += len(litter(t, c.dir))
		if t.Failed() {
			t.Fatalf("run %d (killed: %v) left the files in neither the old nor the new state", i, killed)
		}
		c.settle(t, i)
		noLitter(t, c.dir)
	}
	return res
}

// litter lists the hidden files under dir: the temporary, lock and
// staged files of a write (".NAME.tmp-...", ".NAME.lock", ".ca.key.new"),
// none of which may outlast the command after a kill.
func litter(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir && strings.HasPrefix(d.Name(), ".") {
			out = append(out, strings.TrimPrefix(p, dir+"/"))
		}
		return nil
	})
	return out
}

func noLitter(t *testing.T, dir string) {
	t.Helper()
	if l := litter(t, dir); len(l) > 0 {
		t.Fatalf("left behind after the next command: %v", l)
	}
}

// entriesOf returns a store's entries as sorted "alias sha256" lines, or
// fails the test when the store does not load.
func entriesOf(t *testing.T, path, pw string) []string {
	t.Helper()
	st, err := store.Open(path, store.Options{Passwords: store.Passwords{Store: []byte(pw), StoreGiven: true}})
	if err != nil {
		t.Fatalf("the store no longer loads: %v", err)
	}
	var out []string
	for _, e := range st.Entries {
		out = append(out, strings.ToLower(e.Alias)+" "+e.Cert().SHA256Hex())
	}
	sort.Strings(out)
	return out
}

func countEntries(t *testing.T, path, pw string) int { return len(entriesOf(t, path, pw)) }

// keytoolSample has JDK 17's keytool list a store every few checks, and
// compares the number of entries with what trustctl read.
type keytoolSample struct {
	keytool string
	every   int
	max     int
	done    int
}

func newKeytoolSample(t *testing.T) *keytoolSample {
	kt := "/usr/lib/jvm/java-17-openjdk-amd64/bin/keytool"
	if _, err := os.Stat(kt); err != nil {
		t.Logf("no JDK 17 keytool at %s: stores are checked by trustctl alone", kt)
		return &keytoolSample{}
	}
	if os.Getenv("TRUSTCTL_CRASH") == "1" {
		return &keytoolSample{keytool: kt, every: 20, max: 1 << 30}
	}
	return &keytoolSample{keytool: kt, every: 1, max: 1} // once, to keep the harness honest
}

func (k *keytoolSample) check(t *testing.T, i int, path, storetype, pw string, want int) {
	t.Helper()
	if k.keytool == "" || i%k.every != 0 || k.done >= k.max {
		return
	}
	k.done++
	out := tool(t, k.keytool, "-list", "-keystore", path, "-storetype", storetype, "-storepass", pw)
	if got := len(keytoolShortEntry.FindAllString(out, -1)); got != want {
		t.Errorf("keytool lists %d entries of %s, trustctl read %d:\n%s", got, path, want, out)
	}
}

// rootFiles writes n self-signed CA certificates named prefix0..n-1 and
// returns their paths.
func rootFiles(t *testing.T, dir, prefix string, n int) []string {
	t.Helper()
	var paths []string
	for i := 0; i < n; i++ {
		p, _ := testpki.Root(t, fmt.Sprintf("CN=%s Root %d", prefix, i)).Write(t, dir, fmt.Sprintf("%s%d", prefix, i))
		paths = append(paths, p)
	}
	return paths
}

func bundleOf(t *testing.T, path string, files []string) {
	t.Helper()
	var b []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, data...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sameLines(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }

// seedSize is how many roots the stores under test start with: enough
// that encoding and writing take long enough for kills to land in them.
func seedSize() int {
	if os.Getenv("TRUSTCTL_CRASH") == "1" {
		return 400
	}
	return 20
}

// crashStoreWrites kills import, sync, passwd and convert at random
// moments.
func crashStoreWrites(t *testing.T, fig *crashFigures) {
	kills := crashKills()
	kt := newKeytoolSample(t)
	record := fig.add
	src := t.TempDir()
	seed := rootFiles(t, src, "Seed", seedSize())
	extra := rootFiles(t, src, "Extra", 4*kills+1)

	t.Run("import", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "store.p12")
		mustRun(t, append([]string{"import", p, "--password", "pw"}, seed...)...)
		old := entriesOf(t, p, "pw")
		args := func(i int) []string { return []string{"import", p, extra[i], "--password", "pw"} }
		record("import", killAtRandom(t, crashCase{
			dir:  dir,
			args: args,
			check: func(t *testing.T, i int, finished bool) int {
				got := entriesOf(t, p, "pw")
				switch {
				case len(got) == len(old)+1:
					old = got
				case !sameLines(got, old):
					t.Errorf("after run %d: %d entries, want %d (old) or %d (new)", i, len(got), len(old), len(old)+1)
				case finished:
					t.Errorf("run %d finished but its root is not in the store", i)
				}
				kt.check(t, i, p, "PKCS12", "pw", len(got))
				return 1
			},
			settle: func(t *testing.T, i int) {
				mustRun(t, args(i)...)
				old = entriesOf(t, p, "pw")
			},
		}, kills))
	})

	t.Run("sync", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "store.jks")
		half := len(seed) / 2
		a, b := filepath.Join(src, "a.pem"), filepath.Join(src, "b.pem")
		bundleOf(t, a, seed[:half+half/2])
		bundleOf(t, b, seed[half/2:])
		sources := []string{a, b}
		want := make([][]string, 2)
		for k, s := range sources {
			mustRun(t, "sync", p, s, "--password", "pw", "--type", "jks")
			want[k] = entriesOf(t, p, "pw")
		}
		args := func(i int) []string { return []string{"sync", p, sources[i%2], "--password", "pw"} }
		record("sync", killAtRandom(t, crashCase{
			dir:  dir,
			args: args,
			check: func(t *testing.T, i int, finished bool) int {
				got := entriesOf(t, p, "pw")
				switch {
				case sameLines(got, want[i%2]):
				case finished || !sameLines(got, want[(i+1)%2]):
					t.Errorf("after run %d (finished %v): %d entries, in neither the old nor the new set", i, finished, len(got))
				}
				kt.check(t, i, p, "JKS", "pw", len(got))
				return 1
			},
			settle: func(t *testing.T, i int) { mustRun(t, args(i)...) },
		}, kills))
	})

	t.Run("passwd", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "store.p12")
		mustRun(t, append([]string{"import", p, "--password", "pw0"}, seed...)...)
		entries := entriesOf(t, p, "pw0")
		// Run i changes the password from pw(i+1) to pw(i), starting with
		// the store protected by pw1.
		pw := func(i int) string { return "pw" + strconv.Itoa(i%2) }
		mustRun(t, "passwd", p, "--password", "pw0", "--new-password", "pw1")
		args := func(i int) []string { return []string{"passwd", p, "--password", pw(i + 1), "--new-password", pw(i)} }
		record("passwd", killAtRandom(t, crashCase{
			dir:  dir,
			args: args,
			check: func(t *testing.T, i int, finished bool) int {
				newOpens := opens(p, pw(i))
				oldOpens := opens(p, pw(i+1))
				switch {
				case newOpens == oldOpens:
					t.Errorf("after run %d: the store opens with the new password %v, the old %v; want exactly one", i, newOpens, oldOpens)
					return 1
				case finished && !newOpens:
					t.Errorf("run %d finished but the store still has the old password", i)
				}
				have := pw(i)
				if oldOpens {
					have = pw(i + 1)
				}
				if got := entriesOf(t, p, have); !sameLines(got, entries) {
					t.Errorf("after run %d: the entries changed", i)
				}
				kt.check(t, i, p, "PKCS12", have, len(entries))
				return 1
			},
			// Passwd is harmless when the store already has the new
			// password.
			settle: func(t *testing.T, i int) { mustRun(t, args(i)...) },
		}, kills))
	})

	t.Run("convert", func(t *testing.T) {
		dir := t.TempDir()
		in := []string{filepath.Join(src, "in0.jks"), filepath.Join(src, "in1.jks")}
		half := len(seed) / 2
		mustRun(t, append([]string{"import", in[0], "--password", "pw"}, seed[:half+1]...)...)
		mustRun(t, append([]string{"import", in[1], "--password", "pw"}, seed[half-1:]...)...)
		want := [][]string{entriesOf(t, in[0], "pw"), entriesOf(t, in[1], "pw")}
		out := filepath.Join(dir, "out.p12")
		mustRun(t, "convert", in[1], out, "--password", "pw")
		args := func(i int) []string { return []string{"convert", in[i%2], out, "--password", "pw", "--force"} }
		record("convert", killAtRandom(t, crashCase{
			dir:  dir,
			args: args,
			check: func(t *testing.T, i int, finished bool) int {
				got := entriesOf(t, out, "pw")
				switch {
				case sameLines(got, want[i%2]):
				case finished || !sameLines(got, want[(i+1)%2]):
					t.Errorf("after run %d (finished %v): OUT holds %d entries, neither IN's old nor new", i, finished, len(got))
				}
				kt.check(t, i, out, "PKCS12", "pw", len(got))
				return 1
			},
			settle: func(t *testing.T, i int) { mustRun(t, args(i)...) },
		}, kills))
	})

	fig.note("stores: %d checked by JDK 17's keytool", kt.done)
}

func opens(path, pw string) bool {
	_, err := store.Open(path, store.Options{Passwords: store.Passwords{Store: []byte(pw), StoreGiven: true}})
	return err == nil
}

// TestParallelImportsLoseNothing runs imports into one store in parallel
// processes; the lock serializes them, every certificate arrives, and no
// lock file is left.
func TestParallelImportsLoseNothing(t *testing.T) {
	dir := t.TempDir()
	storeDir := filepath.Join(dir, "store")
	os.Mkdir(storeDir, 0o755)
	p := filepath.Join(storeDir, "shared.jks")
	const n = 8
	paths := rootFiles(t, dir, "Parallel", n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	outs := make([][]byte, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			outs[i], errs[i] = trustctlProcess("import", p, paths[i], "--password", "pw").CombinedOutput()
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("import %d: %v\n%s", i, err, outs[i])
		}
	}
	if got := countEntries(t, p, "pw"); got != n {
		t.Fatalf("store has %d entries after %d parallel imports", got, n)
	}
	noLitter(t, storeDir)
}
