package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/safefile"
)

// Secret flag families. Each name N gives three flags: --N VALUE, --N-env
// NAME and --N-file PATH.
const (
	pwStore  = "password"
	pwSource = "source-password"
	pwKey    = "key-password"
	pwNew    = "new-password"
)

// maxSecretFile bounds a --*-password-file: a password, not a document.
const maxSecretFile = 64 << 10

// secretFlags returns the three flags of a password family.
func secretFlags(name, what string) []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: name, Usage: what + ` (an empty value is the empty password)`},
		&ucli.StringFlag{Name: name + "-env", Usage: what + " from the environment variable `NAME`"},
		&ucli.StringFlag{Name: name + "-file", Usage: what + " from the file or pipe `PATH`, less one trailing newline"},
	}
}

// secretGiven reports whether any flag of the family was set.
func secretGiven(c *ucli.Context, name string) bool {
	return c.IsSet(name) || c.IsSet(name+"-env") || c.IsSet(name+"-file")
}

// readSecret returns the password of a family and whether one was given.
// An empty --N ” is a given, empty password. --N-file drops one trailing
// newline. Giving two flags of one family is a usage error.
func readSecret(c *ucli.Context, name string) ([]byte, bool, error) {
	set := 0
	for _, f := range []string{name, name + "-env", name + "-file"} {
		if c.IsSet(f) {
			set++
		}
	}
	if set > 1 {
		return nil, false, usageErrorf("give only one of --%s, --%s-env and --%s-file", name, name, name)
	}
	env := envOf(c)
	switch {
	case c.IsSet(name):
		return []byte(c.String(name)), true, nil
	case c.IsSet(name + "-env"):
		v := c.String(name + "-env")
		s, ok := lookupEnv(env, v)
		if !ok {
			return nil, false, usageErrorf("--%s-env: the environment variable %s is not set", name, v)
		}
		return []byte(s), true, nil
	case c.IsSet(name + "-file"):
		// A pipe too: --password-file <(pass show store) keeps the password
		// off the command line and off the disk. It is read once.
		path := c.String(name + "-file")
		b, ok := env.secretFiles[path]
		if !ok {
			var err error
			if b, err = safefile.ReadFileOrPipe(path, maxSecretFile); err != nil {
				return nil, false, fmt.Errorf("--%s-file: %w", name, err)
			}
			env.secretFiles[path] = b
		}
		return []byte(trimNewline(string(b))), true, nil
	}
	return nil, false, nil
}

func lookupEnv(env *Env, name string) (string, bool) {
	if env.Getenv == nil {
		return "", false
	}
	if v := env.Getenv(name); v != "" {
		return v, true
	}
	// Getenv cannot tell unset from empty; the real environment can.
	if env.Stdin == os.Stdin {
		return os.LookupEnv(name)
	}
	return "", false
}

// needSecret returns the password of a family, prompting without echo when
// none was given and stdin is a terminal, and failing clearly otherwise.
func needSecret(c *ucli.Context, name, prompt string) ([]byte, error) {
	pw, ok, err := readSecret(c, name)
	if err != nil || ok {
		return pw, err
	}
	return promptSecret(c, name, prompt)
}

// promptSecret asks on the terminal, or fails naming the flags.
func promptSecret(c *ucli.Context, name, prompt string) ([]byte, error) {
	env := envOf(c)
	if !env.StdinTTY {
		return nil, usageErrorf("%s needed and no terminal to ask on: pass --%s, --%s-env or --%s-file", strings.ReplaceAll(name, "-", " "), name, name, name)
	}
	return env.ReadPassword(prompt + ": ")
}

// lazySecret returns a function that yields the password on first use,
// prompting only then (for a key that turns out to be encrypted).
func lazySecret(c *ucli.Context, name, prompt string) func() ([]byte, error) {
	var (
		done bool
		pw   []byte
		err  error
	)
	return func() ([]byte, error) {
		if !done {
			pw, err = needSecret(c, name, prompt)
			done = true
		}
		return pw, err
	}
}

var jsonFlag = &ucli.BoolFlag{Name: "json", Usage: "print one JSON document on stdout instead of text"}

var typeFlag = &ucli.StringFlag{Name: "type", Usage: "type of a store that does not exist yet: `jks|pkcs12|pem` (default: from the file name)"}

var forceFlag = &ucli.BoolFlag{Name: "force", Usage: "overwrite what exists"}

var cacertsFlag = &ucli.BoolFlag{Name: "cacerts", Usage: "use the running JDK's default truststore (password changeit unless given)"}

var encryptionFlag = &ucli.StringFlag{
	Name:  "encryption",
	Value: "",
	Usage: "PKCS#12 protection: `modern` (AES-256, PBKDF2-SHA-256, SHA-256 MAC) or legacy (3DES, SHA-1 MAC, for old Windows and pre-2021 JDKs); default modern, or the form an existing store has",
}

// maxDurationDays bounds durations: time.Duration holds about 292 years,
// and 100,000 days (274 years) is more than any validity or window needs.
const maxDurationDays = 100000

// parseDuration reads a duration in days or hours: 60d, 168h, 1d12h.
// A bare number is days.
func parseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if _, err := strconv.Atoi(s); err == nil {
		s += "d"
	}
	const limit = maxDurationDays * 24 * time.Hour
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) {
			return 0, fmt.Errorf("bad duration %q: use days and hours, like 60d or 168h", orig)
		}
		n, err := strconv.Atoi(s[:i])
		if err != nil || n > maxDurationDays*24 {
			return 0, fmt.Errorf("duration %q out of range (at most %d days)", orig, maxDurationDays)
		}
		var d time.Duration
		switch s[i] {
		case 'd':
			if n > maxDurationDays {
				return 0, fmt.Errorf("duration %q out of range (at most %d days)", orig, maxDurationDays)
			}
			d = time.Duration(n) * 24 * time.Hour
		case 'h':
			d = time.Duration(n) * time.Hour
		default:
			return 0, fmt.Errorf("bad duration %q: use days and hours, like 60d or 168h", orig)
		}
		if d > limit || total > limit-d {
			return 0, fmt.Errorf("duration %q out of range (at most %d days)", orig, maxDurationDays)
		}
		total += d
		s = s[i+1:]
	}
	return total, nil
}

// lastCertDay is the last day X.509 dates can name (GeneralizedTime ends
// with year 9999, RFC 5280 section 4.1.2.5).
var lastCertDay = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// parseDays reads the value of a --days-like flag: a number of days (90),
// or one with its unit, 90d or 2160h (hours that make whole days). Zero,
// negative, and a count that would end after 9999-12-31 from now are
// refused, as the command contract says.
func parseDays(s string, now time.Time) (int, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	unit := byte('d')
	if n := len(t); n > 0 && (t[n-1] == 'd' || t[n-1] == 'h') {
		unit, t = t[n-1], t[:n-1]
	}
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("%q: a number of days must be positive", s)
	}
	if t == "" || strings.Trim(t, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a number of days (write 90, 90d or 2160h)", s)
	}
	n, err := strconv.ParseInt(t, 10, 64)
	last := (lastCertDay.Unix() - now.Unix()) / 86400
	if err != nil || n/24 > last {
		return 0, fmt.Errorf("%q would end after 9999-12-31, the last date a certificate can hold", s)
	}
	if unit == 'h' {
		if n%24 != 0 {
			return 0, fmt.Errorf("%q is not a whole number of days", s)
		}
		n /= 24
	}
	switch {
	case n == 0:
		return 0, fmt.Errorf("%q: a number of days must be positive", s)
	case n > last:
		return 0, fmt.Errorf("%q would end after 9999-12-31, the last date a certificate can hold", s)
	}
	return int(n), nil
}

// daysFlag returns a --days-like flag's value, read by parseDays.
func daysFlag(c *ucli.Context, name string) (int, error) {
	n, err := parseDays(c.String(name), envOf(c).Now())
	if err != nil {
		return 0, usageErrorf("--%s %v", name, err)
	}
	return n, nil
}
