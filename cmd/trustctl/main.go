// Probing old servers needs SHA-1 signatures in TLS 1.2 handshakes,
// which Go refuses by default since 1.25 (GODEBUG tlssha1).
//go:debug tlssha1=1

// Command trustctl manages Java truststores and keystores, PKCS#12 bundles,
// certificate chains, a small CA and TLS endpoint probes.
package main

import (
	"os"
	"runtime/debug"

	"github.com/trustctl/trustctl/internal/cli"
	// Imported for its effect: it maps memory ahead, initialised before
	// every other package (see its documentation).
	_ "github.com/trustctl/trustctl/internal/prefault"
)

func main() {
	if tuneGC() {
		presizeHeap(os.Args[1:])
	}
	os.Exit(cli.Run(os.Args, cli.StdEnv()))
}

// tuneGC fits the collector to a command that runs for milliseconds: no
// collection until the heap nears 24 MiB, then the usual pacing under that
// soft limit. Most commands never collect; a 2,000-entry store stays well
// under 40 MB of resident memory; long-running ones (ocsp serve, many
// probes) collect as usual once they reach the limit. GOGC and GOMEMLIMIT
// in the environment take precedence; tuneGC reports whether it set the
// collector, so that presizeHeap only runs under these settings.
func tuneGC() bool {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return false
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(24 << 20)
	return true
}
