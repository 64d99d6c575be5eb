// Probing old servers needs SHA-1 signatures in TLS 1.2 handshakes,
// which Go refuses by default since 1.25 (GODEBUG tlssha1).
//go:debug tlssha1=1

// Command trustctl manages Java truststores and keystores, PKCS#12 bundles,
// certificate chains, a small CA and TLS endpoint probes.
package main

import (
	"os"

	"github.com/trustctl/trustctl/internal/cli"
)

func main() { os.Exit(cli.Run(os.Args, cli.StdEnv())) }
