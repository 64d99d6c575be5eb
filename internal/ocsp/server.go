package ocsp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// maxRequest bounds the body of a POST; a request about one certificate is
// about 100 bytes.
const maxRequest = 64 << 10

// Handler serves a [Responder] over HTTP as RFC 6960 appendix A and RFC
// 5019 describe: a GET whose path is the URL-escaped base64 of the DER
// request, or a POST of the DER request (application/ocsp-request, at most
// 64 KiB). Every OCSP answer, errors included, is a 200 of type
// application/ocsp-response (RFC 6960 appendix A.1). A GET answered
// without a nonce may be kept by HTTP caches for as long as the responder
// serves the same answer (half its validity), and carries its thisUpdate
// and nextUpdate as Last-Modified and Expires (RFC 5019 section 6.2); other
// answers are not to be cached. Other methods get
// 405, a body over the limit 413.
type Handler struct {
	responder atomic.Pointer[Responder]
	log       func(string)
}

// NewHandler returns a handler answering with r. log receives one line per
// request that fails (nil: discarded).
func NewHandler(r *Responder, logf func(string)) *Handler {
	h := &Handler{log: logf}
	h.responder.Store(r)
	return h
}

// SetResponder makes r answer from now on; requests already being answered
// finish with the previous responder.
func (h *Handler) SetResponder(r *Responder) { h.responder.Store(r) }

// Header values that never change, set into the header map directly
// rather than through Header.Set: a response answered from the cache
// then formats and allocates next to nothing of its own.
var (
	headerOCSPResponse = []string{"application/ocsp-response"}
	headerNoStore      = []string{"no-store"}
)

func (h *Handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var der []byte
	var err error
	switch req.Method {
	case http.MethodGet:
		der, err = decodeGETRequest(req.URL.EscapedPath())
	case http.MethodPost:
		var status int
		if der, status = h.readBody(w, req); status != 0 {
			msg := "incomplete OCSP request"
			if status == http.StatusRequestEntityTooLarge {
				msg = "OCSP request too large"
			}
			http.Error(w, msg, status)
			return
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "OCSP requests are GET or POST", http.StatusMethodNotAllowed)
		return
	}
	r := h.responder.Load()
	a := answer{der: responderMalformed}
	if err == nil {
		a, err = r.respond(der)
	}
	if err != nil {
		h.logf("%s: %v", req.RemoteAddr, err)
	}
	hd := w.Header()
	hd["Content-Type"] = headerOCSPResponse
	if a.length != nil {
		hd["Content-Length"] = a.length
	} else {
		hd["Content-Length"] = []string{strconv.Itoa(len(a.der))}
	}
	if req.Method == http.MethodGet && a.cacheable {
		// Caches may keep it for as long as the responder serves it.
		maxAge := max(0, int(a.refresh.Sub(r.o.Now()).Round(time.Second)/time.Second))
		hd["Cache-Control"] = []string{"max-age=" + strconv.Itoa(maxAge) + ", public, no-transform, must-revalidate"}
		hd["Last-Modified"] = a.lastModified
		hd["Expires"] = a.expires
	} else {
		hd["Cache-Control"] = headerNoStore
	}
	w.Write(a.der)
}

// readBody reads the DER request of a POST, at most maxRequest bytes;
// a status other than 0 is the HTTP error to answer with. A body of
// known length (every OCSP client sends one) is read into a buffer of
// its size.
func (h *Handler) readBody(w http.ResponseWriter, req *http.Request) ([]byte, int) {
	n := req.ContentLength
	if n > maxRequest {
		h.logf("%s: request body over %d bytes", req.RemoteAddr, maxRequest)
		return nil, http.StatusRequestEntityTooLarge
	}
	if n >= 0 {
		der := make([]byte, n)
		if _, err := io.ReadFull(req.Body, der); err != nil {
			h.logf("%s: reading the request: %v", req.RemoteAddr, err)
			return nil, http.StatusBadRequest
		}
		return der, 0
	}
	der, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxRequest))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		h.logf("%s: request body over %d bytes", req.RemoteAddr, maxRequest)
		return nil, http.StatusRequestEntityTooLarge
	case err != nil:
		h.logf("%s: reading the request: %v", req.RemoteAddr, err)
		return nil, http.StatusBadRequest
	}
	return der, 0
}

func (h *Handler) logf(format string, args ...any) {
	if h.log != nil {
		h.log(fmt.Sprintf(format, args...))
	}
}

// NewServer returns the net/http server [Serve] runs: h behind the limits
// a responder open to anyone needs. A request's headers must arrive within
// 10 seconds and the whole request within 30, an answer is written within
// 30, and a connection kept open is closed after 60 seconds without a
// request. log receives the errors net/http reports (nil: discarded).
func NewServer(h http.Handler, logf func(string)) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    8 << 10,
		ErrorLog:          log.New(logWriter(logf), "", 0),
	}
}

// logWriter passes what net/http logs to a function, a line at a time.
type logWriter func(string)

func (f logWriter) Write(b []byte) (int, error) {
	if f != nil {
		f(string(trimNewline(b)))
	}
	return len(b), nil
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}

// ShutdownTimeout is how long [Serve] waits for the requests being answered
// when it stops.
const ShutdownTimeout = 5 * time.Second

// Serve runs srv on ln until ctx ends, then shuts it down gracefully: it
// stops accepting, closes the connections waiting for a request, lets the
// requests being answered finish (for up to [ShutdownTimeout], after which
// their connections are closed) and returns nil. It returns earlier, with
// the error, if srv stops on its own.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		srv.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}
