// Command profile runs one trustctl command line many times in this process
// under the CPU profiler, to find where a command that misses its bench
// target spends its time. Process start-up is not in the profile: compare
// with the bench's per-call figure to see how much that is.
//
// Usage:
//
//	go run ./bench/profile -n 200 -cpuprofile cpu.out -- verify leaf.pem --roots root.pem
//	go tool pprof -top cpu.out
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/trustctl/trustctl/internal/cli"
)

func main() {
	n := flag.Int("n", 100, "how many times to run the command")
	out := flag.String("cpuprofile", "cpu.out", "where to write the CPU profile")
	flag.Parse()
	args := append([]string{"trustctl"}, flag.Args()...)
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(1)
	}
	defer f.Close()
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(1)
	}
	env := cli.StdEnv()
	env.Stdout = devnull
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(1)
	}
	start := time.Now()
	codes := map[int]int{}
	for range *n {
		codes[cli.Run(args, env)]++
	}
	pprof.StopCPUProfile()
	fmt.Fprintf(os.Stderr, "profile: %d runs in %s (%s each), exit codes %v\n", *n, time.Since(start), time.Since(start)/time.Duration(*n), codes)
}
