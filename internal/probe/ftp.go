package probe

import "net"

// ftpUpgrade: greeting 220, AUTH TLS answered 234 (RFC 4217 section 4).
func ftpUpgrade(c net.Conn) (net.Conn, error) {
	l := newLineConn(c)
	code, lines, err := l.reply()
	if err != nil {
		return nil, err
	}
	if code != "220" {
		return nil, &ProtocolError{Protocol: "ftp", Reply: trimReply(lines)}
	}
	if err := l.send("AUTH TLS"); err != nil {
		return nil, err
	}
	code, lines, err = l.reply()
	if err != nil {
		return nil, err
	}
	if code != "234" {
		return nil, &ProtocolError{Protocol: "ftp", Reply: trimReply(lines), Err: ErrNoStartTLS}
	}
	return l, nil
}
