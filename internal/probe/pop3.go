package probe

import (
	"net"
	"strings"
)

// pop3Upgrade: greeting "+OK", STLS answered "+OK" (RFC 2595 section 4).
func pop3Upgrade(c net.Conn) (net.Conn, error) {
	l := newLineConn(c)
	greet, err := l.line()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(greet, "+OK") {
		return nil, &ProtocolError{Protocol: "pop3", Reply: trimReply([]string{greet})}
	}
	if err := l.send("STLS"); err != nil {
		return nil, err
	}
	s, err := l.line()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(s, "+OK") {
		return nil, &ProtocolError{Protocol: "pop3", Reply: trimReply([]string{s}), Err: ErrNoStartTLS}
	}
	return l, nil
}
