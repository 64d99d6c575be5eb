package ocsp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Server answers OCSP requests over HTTP/1.1 with the part of the protocol
// OCSP clients use (RFC 6960 appendix A, RFC 5019): GET with the request in
// the path and POST with a Content-Length body, on connections kept open
// between requests. It is what `ocsp serve` runs instead of net/http's
// server, whose generality (a goroutine per request to watch for the
// client closing, header maps, chunked bodies) cost a busy responder about
// as much CPU as signing its answers. Anything else gets a status and the
// connection closes: 400 for a malformed request, 411 for a POST without
// Content-Length, 413 for a body over 64 KiB, 431 for headers over 8 KiB,
// 405 for other methods, 505 for HTTP other than 1.0 and 1.1.
type Server struct {
	// ReadTimeout bounds reading one request, headers and body (default
	// 10s); IdleTimeout the wait for the next request on a kept-open
	// connection (default 60s); WriteTimeout writing one answer (default
	// 10s).
	ReadTimeout, IdleTimeout, WriteTimeout time.Duration
	// Log receives one line per connection that ends in an error
	// (nil: discarded).
	Log func(string)

	responder atomic.Pointer[Responder]

	mu       sync.Mutex
	ln       net.Listener
	conns    map[*serverConn]struct{}
	shutdown atomic.Bool // set under mu; read without it between requests
	wg       sync.WaitGroup
}

// ErrServerClosed is what [Server.Serve] returns after [Server.Shutdown].
var ErrServerClosed = errors.New("OCSP server closed")

// Limits of a request; an OCSP request is about 100 bytes.
const (
	serverMaxHeader = 8 << 10
	serverMaxLines  = 100
)

// SetResponder sets the responder that answers from now on; requests
// already being answered finish with the previous one.
func (s *Server) SetResponder(r *Responder) { s.responder.Store(r) }

// Serve accepts connections on ln until Shutdown, and answers each on its
// own goroutine. It needs a responder set first.
func (s *Server) Serve(ln net.Listener) error {
	if s.responder.Load() == nil {
		return errors.New("OCSP server: no responder set")
	}
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.ln = ln
	if s.conns == nil {
		s.conns = map[*serverConn]struct{}{}
	}
	s.mu.Unlock()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.shutdown.Load() {
				return ErrServerClosed
			}
			// Out of file descriptors and the like: back off and try
			// again, as net/http does.
			var te interface{ Temporary() bool }
			if errors.As(err, &te) && te.Temporary() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		sc := &serverConn{c: c}
		s.mu.Lock()
		if s.shutdown.Load() {
			s.mu.Unlock()
			c.Close()
			return ErrServerClosed
		}
		s.conns[sc] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serveConn(sc)
	}
}

// Shutdown stops accepting, closes the connections waiting for a request,
// and waits for those answering one to finish or for ctx to end, when it
// closes them too.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown.Store(true)
	if s.ln != nil {
		s.ln.Close()
	}
	for sc := range s.conns {
		if sc.idle.Load() {
			sc.c.Close()
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for sc := range s.conns {
			sc.c.Close()
		}
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

type serverConn struct {
	c    net.Conn
	idle atomic.Bool
}

func (s *Server) timeouts() (read, idle, write time.Duration) {
	read, idle, write = s.ReadTimeout, s.IdleTimeout, s.WriteTimeout
	if read <= 0 {
		read = 10 * time.Second
	}
	if idle <= 0 {
		idle = 60 * time.Second
	}
	if write <= 0 {
		write = 10 * time.Second
	}
	return read, idle, write
}

func (s *Server) serveConn(sc *serverConn) {
	defer func() {
		sc.c.Close()
		s.mu.Lock()
		delete(s.conns, sc)
		s.mu.Unlock()
		s.wg.Done()
	}()
	readTimeout, idleTimeout, writeTimeout := s.timeouts()
	br := bufio.NewReaderSize(sc.c, 4096)
	var out []byte
	for {
		// Between requests the connection is idle: Shutdown may close it.
		// Either it sees idle set, or this sees shutdown set.
		sc.idle.Store(true)
		if s.shutdown.Load() {
			return
		}
		_ = sc.c.SetReadDeadline(time.Now().Add(idleTimeout))
		if _, err := br.Peek(1); err != nil {
			return
		}
		sc.idle.Store(false)
		_ = sc.c.SetReadDeadline(time.Now().Add(readTimeout))
		req, status := readServerRequest(br, sc.c)
		if status != 0 {
			out = appendServerError(out[:0], status)
			_ = sc.c.SetWriteDeadline(time.Now().Add(writeTimeout))
			sc.c.Write(out)
			if s.Log != nil {
				s.Log(sc.c.RemoteAddr().String() + ": " + strconv.Itoa(status) + " " + http.StatusText(status))
			}
			return
		}
		r := s.responder.Load()
		der, err := r.answer(req.method, req.path, req.body)
		if err != nil && r.o.Log != nil {
			r.o.Log(err.Error())
		}
		out = appendServerAnswer(out[:0], der, req, r.cacheControl)
		_ = sc.c.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := sc.c.Write(out); err != nil || !req.keepAlive {
			return
		}
	}
}

// serverRequest is what Server needs of an HTTP request.
type serverRequest struct {
	method    string // "GET" or "POST"
	path      string // the target's path, still escaped
	body      []byte
	http10    bool
	keepAlive bool
}

// readServerRequest reads one request from br, writing "100 Continue" to
// w when the client waits for it. A non-zero status is the error to
// answer before closing.
func readServerRequest(br *bufio.Reader, w net.Conn) (serverRequest, int) {
	var req serverRequest
	budget := serverMaxHeader
	line, status := readServerLine(br, &budget)
	if status != 0 {
		return req, status
	}
	method, rest, ok1 := bytes.Cut(line, []byte(" "))
	target, proto, ok2 := bytes.Cut(rest, []byte(" "))
	if !ok1 || !ok2 || len(method) == 0 || len(target) == 0 {
		return req, http.StatusBadRequest
	}
	switch string(proto) {
	case "HTTP/1.1":
		req.keepAlive = true
	case "HTTP/1.0":
		req.http10 = true
	default:
		if bytes.HasPrefix(proto, []byte("HTTP/")) {
			return req, http.StatusHTTPVersionNotSupported
		}
		return req, http.StatusBadRequest
	}
	switch string(method) {
	case http.MethodGet:
		req.method = http.MethodGet
	case http.MethodPost:
		req.method = http.MethodPost
	default:
		return req, http.StatusMethodNotAllowed
	}
	// origin-form ("/..."), or absolute-form from a proxy ("http://host/...").
	if i := bytes.Index(target, []byte("://")); i > 0 && target[0] != '/' {
		j := bytes.IndexByte(target[i+3:], '/')
		if j < 0 {
			target = []byte("/")
		} else {
			target = target[i+3+j:]
		}
	}
	if target[0] != '/' {
		return req, http.StatusBadRequest
	}
	if i := bytes.IndexByte(target, '?'); i >= 0 {
		target = target[:i]
	}
	req.path = string(target)

	length := -1
	expectContinue := false
	for n := 0; ; n++ {
		line, status := readServerLine(br, &budget)
		if status != 0 {
			return req, status
		}
		if len(line) == 0 {
			break
		}
		if n >= serverMaxLines {
			return req, http.StatusRequestHeaderFieldsTooLarge
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || name[0] == ' ' || name[0] == '\t' || bytes.ContainsAny(name, " \t") {
			return req, http.StatusBadRequest
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 || (length >= 0 && n != length) {
				return req, http.StatusBadRequest
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			// Chunked bodies are not for OCSP; a length is required.
			return req, http.StatusLengthRequired
		case bytes.EqualFold(name, []byte("Connection")):
			for _, tok := range bytes.Split(value, []byte(",")) {
				tok = bytes.TrimSpace(tok)
				switch {
				case bytes.EqualFold(tok, []byte("close")):
					req.keepAlive = false
				case bytes.EqualFold(tok, []byte("keep-alive")) && req.http10:
					req.keepAlive = true
				}
			}
		case bytes.EqualFold(name, []byte("Expect")):
			if !bytes.EqualFold(value, []byte("100-continue")) {
				return req, http.StatusExpectationFailed
			}
			expectContinue = !req.http10
		}
	}
	if req.method == http.MethodPost {
		switch {
		case length < 0:
			return req, http.StatusLengthRequired
		case length > responderMaxRequest:
			return req, http.StatusRequestEntityTooLarge
		}
		if expectContinue {
			if _, err := w.Write([]byte("HTTP/1.1 100 Continue\r\n\r\n")); err != nil {
				return req, http.StatusBadRequest
			}
		}
		req.body = make([]byte, length)
		if _, err := io.ReadFull(br, req.body); err != nil {
			return req, http.StatusBadRequest
		}
	} else if length > 0 {
		// A GET's body means nothing here, but it is read past so the next
		// request on the connection starts where it should.
		if length > responderMaxRequest {
			return req, http.StatusRequestEntityTooLarge
		}
		if _, err := br.Discard(length); err != nil {
			return req, http.StatusBadRequest
		}
	}
	return req, 0
}

// readServerLine reads one line of the request head without its line end,
// counting it against budget.
func readServerLine(br *bufio.Reader, budget *int) ([]byte, int) {
	line, err := br.ReadSlice('\n')
	*budget -= len(line)
	if errors.Is(err, bufio.ErrBufferFull) || *budget < 0 {
		return nil, http.StatusRequestHeaderFieldsTooLarge
	}
	if err != nil {
		return nil, http.StatusBadRequest
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, 0
}

// appendServerAnswer appends a 200 response carrying der, the OCSP answer
// (an OCSP error travels in a 200 too, RFC 6960 appendix A.1).
func appendServerAnswer(out, der []byte, req serverRequest, cacheControl string) []byte {
	out = append(out, "HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(len(der)), 10)
	out = append(out, "\r\nDate: "...)
	out = time.Now().UTC().AppendFormat(out, http.TimeFormat)
	if req.method == http.MethodGet {
		out = append(out, "\r\nCache-Control: "...)
		out = append(out, cacheControl...)
	}
	switch {
	case !req.keepAlive:
		out = append(out, "\r\nConnection: close"...)
	case req.http10:
		out = append(out, "\r\nConnection: keep-alive"...)
	}
	out = append(out, "\r\n\r\n"...)
	return append(out, der...)
}

// appendServerError appends an error response that closes the connection.
func appendServerError(out []byte, status int) []byte {
	text := http.StatusText(status)
	body := "OCSP responder: " + text + "\n"
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(status), 10)
	out = append(out, ' ')
	out = append(out, text...)
	out = append(out, "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(len(body)), 10)
	if status == http.StatusMethodNotAllowed {
		out = append(out, "\r\nAllow: GET, POST"...)
	}
	out = append(out, "\r\nConnection: close\r\n\r\n"...)
	return append(out, body...)
}
