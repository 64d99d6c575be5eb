package cli

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/probe"
	"github.com/trustctl/trustctl/internal/safefile"
)

// startTLSFlag reads --starttls, refusing a protocol probe does not speak.
func startTLSFlag(c *ucli.Context) (string, error) {
	st := strings.ToLower(c.String("starttls"))
	if st != "" && !slices.Contains(probe.StartTLSProtocols(), st) {
		return "", usageErrorf("--starttls: unknown protocol %q (want one of %s)", st, strings.Join(probe.StartTLSProtocols(), ", "))
	}
	return st, nil
}

// parseTimeout reads 10s, 1m, 500ms or a bare number of seconds.
func parseTimeout(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("must be positive")
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("bad duration %q: use 10s, 1m or 500ms", s)
	}
	return d, nil
}

// readTargetsFile reads --targets-file: "HOST:PORT [SERVERNAME]" a line,
// blank lines and # comments allowed.
func readTargetsFile(p string) ([]probe.Target, error) {
	data, err := safefile.Read(p, safefile.MaxSize)
	if err != nil {
		return nil, fmt.Errorf("--targets-file: %w", err)
	}
	ts, err := probe.ParseTargets(bytes.NewReader(data))
	if err != nil {
		return nil, usageErrorf("--targets-file %s: %v", p, err)
	}
	return ts, nil
}
