package probe

import (
	"net"
	"strings"
)

// imapUpgrade: greeting "* OK", then "a1 STARTTLS" answered "a1 OK"
// (RFC 3501 section 6.2.1); untagged lines before the answer are skipped.
func imapUpgrade(c net.Conn) (net.Conn, error) {
	l := newLineConn(c)
	greet, err := l.line()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(strings.ToUpper(greet), "* OK") {
		return nil, &ProtocolError{Protocol: "imap", Reply: trimReply([]string{greet})}
	}
	if err := l.send("a1 STARTTLS"); err != nil {
		return nil, err
	}
	for i := 0; i < 100; i++ {
		s, err := l.line()
		if err != nil {
			return nil, err
		}
		up := strings.ToUpper(s)
		switch {
		case strings.HasPrefix(up, "A1 OK"):
			return l, nil
		case strings.HasPrefix(up, "A1 "):
			return nil, &ProtocolError{Protocol: "imap", Reply: trimReply([]string{s}), Err: ErrNoStartTLS}
		}
	}
	return nil, &ProtocolError{Protocol: "imap", Reply: "too many untagged lines"}
}
