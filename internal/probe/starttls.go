package probe

import (
	"bufio"
	"fmt"
	"net"
	"sort"
	"strings"
)

// upgrader speaks a protocol's plain-text prologue up to the point where
// the server expects a TLS ClientHello, and returns the connection to run
// TLS on.
type upgrader func(conn net.Conn) (net.Conn, error)

var upgraders = map[string]upgrader{
	"smtp":     smtpUpgrade,
	"imap":     imapUpgrade,
	"pop3":     pop3Upgrade,
	"ftp":      ftpUpgrade,
	"ldap":     ldapUpgrade,
	"postgres": postgresUpgrade,
	"mysql":    mysqlUpgrade,
}

// StartTLSProtocols lists the accepted values of Options.StartTLS.
func StartTLSProtocols() []string {
	var out []string
	for k := range upgraders {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ProtocolError is a server that answered the STARTTLS dialogue
// unexpectedly; Reply is what it said (trimmed).
type ProtocolError struct {
	Protocol string
	Reply    string
	Err      error // ErrNoStartTLS when the server declined
}

func (e *ProtocolError) Error() string {
	msg := e.Protocol + ": unexpected reply"
	if e.Err != nil {
		msg = e.Protocol + ": " + e.Err.Error()
	}
	if e.Reply != "" {
		msg += fmt.Sprintf(" (server said %q)", e.Reply)
	}
	return msg
}

func (e *ProtocolError) Unwrap() error { return e.Err }

// lineConn reads CRLF lines from a text protocol; conn() hands over the
// connection, replaying anything read ahead.
type lineConn struct {
	net.Conn
	r *bufio.Reader
}

func newLineConn(c net.Conn) *lineConn { return &lineConn{Conn: c, r: bufio.NewReaderSize(c, 4096)} }

const maxLine = 8192

func (l *lineConn) line() (string, error) {
	var b []byte
	for {
		frag, isPrefix, err := l.r.ReadLine()
		if err != nil {
			return "", err
		}
		b = append(b, frag...)
		if len(b) > maxLine {
			return "", fmt.Errorf("line longer than %d bytes", maxLine)
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

func (l *lineConn) send(s string) error {
	_, err := l.Conn.Write([]byte(s + "\r\n"))
	return err
}

// Read replays buffered bytes before reading from the connection.
func (l *lineConn) Read(p []byte) (int, error) {
	if l.r.Buffered() > 0 {
		return l.r.Read(p)
	}
	return l.Conn.Read(p)
}

// reply reads a numbered reply of SMTP (RFC 5321 section 4.2.1) or FTP
// (RFC 959 section 4.2): "250-..." lines continue, "250 ..." ends it.
// It returns the code and every line.
func (l *lineConn) reply() (string, []string, error) {
	var lines []string
	for {
		s, err := l.line()
		if err != nil {
			return "", lines, err
		}
		lines = append(lines, s)
		if len(s) >= 4 && s[3] == ' ' || len(s) == 3 {
			return s[:3], lines, nil
		}
		if len(lines) > 1000 {
			return "", lines, fmt.Errorf("reply too long")
		}
		// FTP multi-line replies may have lines without the code prefix
		// between "NNN-" and "NNN "; keep reading either way.
	}
}

func trimReply(lines []string) string {
	s := strings.Join(lines, " | ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
