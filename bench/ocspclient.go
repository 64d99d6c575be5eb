package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

// ocspClient POSTs OCSP requests over HTTP/1.1 with as little work of its
// own as it can: one connection, kept open where the server allows it and
// reopened where the server closes it (openssl ocsp -port answers HTTP/1.0
// and closes after each response), one reused buffer each way. The load
// generator shares the machine's cores with the responder it measures;
// net/http's client spent about 110 µs of CPU per request here, as much as
// the responder itself, which held back whichever server was faster.
type ocspClient struct {
	addr, host, path string
	timeout          time.Duration

	conn net.Conn
	br   *bufio.Reader
	out  []byte
	body []byte
}

func newOCSPClient(rawURL string, timeout time.Duration) (*ocspClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("%s: want an http:// URL", rawURL)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return &ocspClient{addr: u.Host, host: u.Host, path: path, timeout: timeout}, nil
}

// post sends req and returns the response body, valid until the next call.
func (c *ocspClient) post(req []byte) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		reused := c.conn != nil
		body, err := c.roundTrip(req)
		if err == nil {
			return body, nil
		}
		c.close()
		// A kept-alive connection the server has since closed fails on
		// first use; one fresh connection settles it.
		if !reused || attempt > 0 {
			return nil, err
		}
	}
}

func (c *ocspClient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn, c.br = nil, nil
	}
}

func (c *ocspClient) roundTrip(req []byte) ([]byte, error) {
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", c.addr, c.timeout)
		if err != nil {
			return nil, err
		}
		c.conn, c.br = conn, bufio.NewReaderSize(conn, 4096)
	}
	_ = c.conn.SetDeadline(time.Now().Add(c.timeout))
	c.out = append(c.out[:0], "POST "...)
	c.out = append(c.out, c.path...)
	c.out = append(c.out, " HTTP/1.1\r\nHost: "...)
	c.out = append(c.out, c.host...)
	c.out = append(c.out, "\r\nContent-Type: application/ocsp-request\r\nContent-Length: "...)
	c.out = strconv.AppendInt(c.out, int64(len(req)), 10)
	c.out = append(c.out, "\r\n\r\n"...)
	c.out = append(c.out, req...)
	if _, err := c.conn.Write(c.out); err != nil {
		return nil, err
	}

	line, err := c.line()
	if err != nil {
		return nil, err
	}
	// HTTP/1.x SP 3DIGIT SP reason
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return nil, fmt.Errorf("bad status line %q", line)
	}
	keepAlive := line[7] == '1'
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return nil, fmt.Errorf("bad status line %q", line)
	}
	length := -1
	for {
		line, err := c.line()
		if err != nil {
			return nil, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return nil, fmt.Errorf("bad header line %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 || length > 1<<20 {
				return nil, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")):
			keepAlive = bytes.EqualFold(value, []byte("keep-alive")) || (keepAlive && !bytes.EqualFold(value, []byte("close")))
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return nil, fmt.Errorf("unexpected Transfer-Encoding %q", value)
		}
	}
	if length >= 0 {
		if cap(c.body) < length {
			c.body = make([]byte, length)
		}
		c.body = c.body[:length]
		if _, err := io.ReadFull(c.br, c.body); err != nil {
			return nil, err
		}
	} else {
		// No length: the body runs to the end of the connection.
		keepAlive = false
		c.body = c.body[:0]
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, io.LimitReader(c.br, 1<<20)); err != nil {
			return nil, err
		}
		c.body = append(c.body, buf.Bytes()...)
	}
	if !keepAlive {
		c.close()
	}
	if status != 200 {
		return nil, fmt.Errorf("HTTP status %d", status)
	}
	return c.body, nil
}

// line reads one header line without its CRLF.
func (c *ocspClient) line() ([]byte, error) {
	l, err := c.br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, errors.New("header line too long")
		}
		return nil, err
	}
	return bytes.TrimRight(l, "\r\n"), nil
}
