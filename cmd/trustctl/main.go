// Command trustctl manages Java truststores and keystores, PKCS#12 bundles,
// certificate chains, a small CA and TLS endpoint probes.
package main

import (
	"os"

	"github.com/trustctl/trustctl/internal/cli"
)

func main() { os.Exit(cli.Run(os.Args, cli.StdEnv())) }
