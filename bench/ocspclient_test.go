package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestOCSPClientKeepAlive posts several requests to a keep-alive server
// and checks each answer and that one connection carried them all.
func TestOCSPClientKeepAlive(t *testing.T) {
	conns := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/ocsp-request" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(append([]byte("echo:"), body...))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns++
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := newOCSPClient(srv.URL+"/", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for i := range 5 {
		req := []byte(fmt.Sprintf("request %d", i))
		got, err := c.post(req)
		if err != nil {
			t.Fatal(err)
		}
		if want := append([]byte("echo:"), req...); !bytes.Equal(got, want) {
			t.Fatalf("answer %q, want %q", got, want)
		}
	}
	if conns != 1 {
		t.Errorf("%d connections for 5 requests, want 1", conns)
	}
}

// TestOCSPClientHTTP10 talks to a server that answers HTTP/1.0 and closes
// each connection, as openssl ocsp -port does, with and without a length.
func TestOCSPClientHTTP10(t *testing.T) {
	for _, withLength := range []bool{true, false} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan int, 1)
		go func() {
			n := 0
			defer func() { served <- n }()
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				br := bufio.NewReader(conn)
				req, err := http.ReadRequest(br)
				if err == nil {
					body, _ := io.ReadAll(req.Body)
					head := "HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\n"
					if withLength {
						head += fmt.Sprintf("Content-Length: %d\r\n", len(body))
					}
					conn.Write(append([]byte(head+"\r\n"), body...))
					n++
				}
				conn.Close()
			}
		}()
		c, err := newOCSPClient("http://"+ln.Addr().String()+"/", 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			req := []byte(fmt.Sprintf("request %d", i))
			got, err := c.post(req)
			if err != nil {
				t.Fatalf("length %t: %v", withLength, err)
			}
			if !bytes.Equal(got, req) {
				t.Fatalf("length %t: answer %q, want %q", withLength, got, req)
			}
		}
		c.close()
		ln.Close()
		if n := <-served; n != 3 {
			t.Errorf("length %t: server answered %d requests, want 3", withLength, n)
		}
	}
}

// TestOCSPClientStatus reports a non-200 answer as an error.
func TestOCSPClientStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusMethodNotAllowed)
	}))
	defer srv.Close()
	c, _ := newOCSPClient(srv.URL+"/", 5*time.Second)
	defer c.close()
	if _, err := c.post([]byte("x")); err == nil {
		t.Fatal("a 405 answer was taken for a response")
	}
}

func TestMedianLoad(t *testing.T) {
	load := func(ms int) loadResult {
		return loadResult{Measure: Measure{Wall: time.Duration(ms) * time.Millisecond, Runs: 1}}
	}
	m := medianLoad([]loadResult{load(900), load(650), load(700)})
	if m.Wall != 700*time.Millisecond || m.Runs != 3 {
		t.Errorf("median of 900, 650, 700 ms: %v over %d runs, want 700ms over 3", m.Wall, m.Runs)
	}
	if got := loadWalls([]loadResult{load(900), load(650)}); got != "900.0ms, 650.0ms" {
		t.Errorf("loadWalls = %q", got)
	}
}
