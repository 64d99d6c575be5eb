package probe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// DefaultPort is used when a target names no port.
const DefaultPort = "443"

// Target is one endpoint to probe.
type Target struct {
	Host string // a DNS name or an IP address, without brackets
	Port string
	// ServerName is the name to send in SNI and to match the certificate
	// against; empty means "the host, when it is a name".
	ServerName string
	// Input is the target as the user wrote it, for messages.
	Input string
}

// Addr is host:port, with brackets around an IPv6 host.
func (t Target) Addr() string { return net.JoinHostPort(t.Host, t.Port) }

// String is the target as written by the user, or its address.
func (t Target) String() string {
	if t.Input != "" {
		return t.Input
	}
	return t.Addr()
}

// HostIsIP reports whether the host is an IP address.
func (t Target) HostIsIP() bool { return net.ParseIP(t.Host) != nil }

// TargetError is a target string that cannot be probed.
type TargetError struct {
	Input  string
	Reason string
}

func (e *TargetError) Error() string { return fmt.Sprintf("bad target %q: %s", e.Input, e.Reason) }

// ParseTarget reads HOST, HOST:PORT, IPv4:PORT, [IPv6]:PORT or a bare IPv6
// address. The port defaults to [DefaultPort]. It returns a *TargetError.
func ParseTarget(s string) (Target, error) {
	in := s
	s = strings.TrimSpace(s)
	bad := func(r string) (Target, error) { return Target{}, &TargetError{Input: in, Reason: r} }
	if s == "" {
		return bad("empty")
	}
	// Tolerate a URL-ish prefix people paste (https://host:port/path).
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
		if j := strings.IndexByte(s, '/'); j >= 0 {
			s = s[:j]
		}
	}
	var host, port string
	switch {
	case net.ParseIP(s) != nil: // bare IPv4 or IPv6 (::1)
		host, port = s, DefaultPort
	case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
		host, port = s[1:len(s)-1], DefaultPort
	case strings.Contains(s, ":"):
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			return bad("want HOST:PORT, [IPv6]:PORT or HOST")
		}
		host, port = h, p
	default:
		host, port = s, DefaultPort
	}
	if host == "" {
		return bad("no host")
	}
	if strings.HasPrefix(host, "[") || strings.Contains(host, "]") {
		return bad("unbalanced brackets")
	}
	if strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return bad("not an IPv6 address: " + host)
	}
	if net.ParseIP(host) == nil && !validHostname(host) {
		return bad("not a host name: " + host)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return bad("port must be a number from 1 to 65535")
	}
	return Target{Host: host, Port: strconv.Itoa(n), Input: in}, nil
}

// validHostname accepts the names a resolver would: letters, digits,
// hyphens, underscores and dots, labels of at most 63 bytes (RFC 1035
// section 2.3.4, relaxed for underscores as real zones use them).
func validHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}

// ParseTargets reads a targets file: one "HOST:PORT [SERVERNAME]" a line;
// blank lines and text after '#' are ignored. Errors name the line.
func ParseTargets(r io.Reader) ([]Target, error) {
	var out []Target
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	var errs []error
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		if len(fields) > 2 {
			errs = append(errs, fmt.Errorf("line %d: want HOST:PORT [SERVERNAME], got %d fields", line, len(fields)))
			continue
		}
		t, err := ParseTarget(fields[0])
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", line, err))
			continue
		}
		if len(fields) == 2 {
			if !validHostname(fields[1]) {
				errs = append(errs, fmt.Errorf("line %d: bad server name %q", line, fields[1]))
				continue
			}
			t.ServerName = fields[1]
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading targets: %w", err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}
