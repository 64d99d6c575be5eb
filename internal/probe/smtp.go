package probe

import (
	"net"
	"strings"
)

// smtpUpgrade: greeting 220, EHLO, STARTTLS offered in the EHLO reply,
// STARTTLS answered 220 (RFC 3207 section 4).
func smtpUpgrade(c net.Conn) (net.Conn, error) {
	l := newLineConn(c)
	fail := func(lines []string, err error) (net.Conn, error) {
		return nil, &ProtocolError{Protocol: "smtp", Reply: trimReply(lines), Err: err}
	}
	code, lines, err := l.reply()
	if err != nil {
		return nil, err
	}
	if code != "220" {
		return fail(lines, nil)
	}
	if err := l.send("EHLO trustctl.invalid"); err != nil {
		return nil, err
	}
	code, lines, err = l.reply()
	if err != nil {
		return nil, err
	}
	if code != "250" {
		return fail(lines, nil)
	}
	offered := false
	for _, s := range lines {
		if len(s) > 4 && strings.EqualFold(strings.TrimSpace(s[4:]), "STARTTLS") {
			offered = true
		}
	}
	if !offered {
		return fail(nil, ErrNoStartTLS)
	}
	if err := l.send("STARTTLS"); err != nil {
		return nil, err
	}
	code, lines, err = l.reply()
	if err != nil {
		return nil, err
	}
	if code != "220" {
		return fail(lines, ErrNoStartTLS)
	}
	return l, nil
}
