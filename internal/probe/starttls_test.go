package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// Fake servers speak each protocol's prologue as the RFC shows it, then
// TLS. Each returns false to stop without upgrading.
type fake func(c net.Conn, r *bufio.Reader) bool

func expectLine(r *bufio.Reader, want string) bool {
	s, err := r.ReadString('\n')
	return err == nil && strings.EqualFold(strings.TrimRight(s, "\r\n"), want)
}

func fakeSMTP(offer bool) fake {
	return func(c net.Conn, r *bufio.Reader) bool {
		io.WriteString(c, "220-mail.example ESMTP ready\r\n220 second line\r\n")
		s, _ := r.ReadString('\n')
		if !strings.HasPrefix(strings.ToUpper(s), "EHLO ") {
			return false
		}
		io.WriteString(c, "250-mail.example greets you\r\n250-PIPELINING\r\n")
		if offer {
			io.WriteString(c, "250-STARTTLS\r\n")
		}
		io.WriteString(c, "250 8BITMIME\r\n")
		if !expectLine(r, "STARTTLS") {
			return false
		}
		io.WriteString(c, "220 2.0.0 Ready to start TLS\r\n")
		return true
	}
}

func fakeIMAP(c net.Conn, r *bufio.Reader) bool {
	io.WriteString(c, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
	if !expectLine(r, "a1 STARTTLS") {
		return false
	}
	io.WriteString(c, "* CAPABILITY IMAP4rev1\r\na1 OK Begin TLS negotiation now\r\n")
	return true
}

func fakePOP3(c net.Conn, r *bufio.Reader) bool {
	io.WriteString(c, "+OK POP3 ready\r\n")
	if !expectLine(r, "STLS") {
		return false
	}
	io.WriteString(c, "+OK Begin TLS negotiation\r\n")
	return true
}

func fakeFTP(c net.Conn, r *bufio.Reader) bool {
	io.WriteString(c, "220-Welcome\r\n more text\r\n220 FTP ready\r\n")
	if !expectLine(r, "AUTH TLS") {
		return false
	}
	io.WriteString(c, "234 AUTH TLS successful\r\n")
	return true
}

func fakeLDAP(code byte) fake {
	return func(c net.Conn, r *bufio.Reader) bool {
		req := make([]byte, len(ldapStartTLS))
		if _, err := io.ReadFull(r, req); err != nil || !bytes.Equal(req, ldapStartTLS) {
			return false
		}
		// ExtendedResponse {resultCode, matchedDN "", diagnosticMessage "",
		// responseName [10] the StartTLS OID}, with a long-form length as
		// some servers send.
		oid := "1.3.6.1.4.1.1466.20037"
		op := append([]byte{0x0a, 0x01, code, 0x04, 0x00, 0x04, 0x00, 0x8a, byte(len(oid))}, oid...)
		body := append([]byte{0x02, 0x01, 0x01, 0x78, byte(len(op))}, op...)
		msg := append([]byte{0x30, 0x81, byte(len(body))}, body...)
		c.Write(msg)
		return code == 0
	}
}

func fakePostgres(answer byte) fake {
	return func(c net.Conn, r *bufio.Reader) bool {
		var req [8]byte
		if _, err := io.ReadFull(r, req[:]); err != nil || binary.BigEndian.Uint32(req[4:]) != sslRequestCode {
			return false
		}
		c.Write([]byte{answer})
		return answer == 'S'
	}
}

func fakeMySQL(ssl bool) fake {
	return func(c net.Conn, r *bufio.Reader) bool {
		caps := uint32(mysqlProtocol41 | mysqlSecureConnection | mysqlPluginAuth)
		if ssl {
			caps |= mysqlSSL
		}
		var p []byte
		p = append(p, 10)
		p = append(p, "8.0.36\x00"...)
		p = append(p, 1, 0, 0, 0)        // connection id
		p = append(p, "abcdefgh\x00"...) // auth data part 1, filler
		p = binary.LittleEndian.AppendUint16(p, uint16(caps))
		p = append(p, 0x21, 2, 0)
		p = binary.LittleEndian.AppendUint16(p, uint16(caps>>16))
		p = append(p, 21)
		p = append(p, make([]byte, 10)...)
		p = append(p, "ijklmnopqrst\x00mysql_native_password\x00"...)
		hdr := []byte{byte(len(p)), byte(len(p) >> 8), 0, 0}
		c.Write(append(hdr, p...))
		if !ssl {
			return false
		}
		// The client sends its ClientHello right behind the SSLRequest;
		// read exactly the request from the connection, not the buffer.
		var req [36]byte
		if _, err := io.ReadFull(c, req[:]); err != nil {
			return false
		}
		got := binary.LittleEndian.Uint32(req[4:])
		return req[0] == 32 && req[3] == 1 && got&mysqlSSL != 0
	}
}

// serveStartTLS runs a fake that hands over to a TLS server.
func serveStartTLS(t *testing.T, f fake, cfg *tls.Config) Target {
	return serve(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		if !f(c, r) {
			io.Copy(io.Discard, r)
			return
		}
		if r.Buffered() > 0 {
			return // the client sent TLS before the go-ahead
		}
		tc := tls.Server(c, cfg)
		if tc.Handshake() == nil {
			io.Copy(io.Discard, tc)
		}
	})
}

func TestStartTLS(t *testing.T) {
	p := testPKI(t)
	cfg := &tls.Config{Certificates: []tls.Certificate{tlsCert(t, p.leaf, p.inter)}}
	tests := []struct {
		proto string
		f     fake
		ok    bool
	}{
		{"smtp", fakeSMTP(true), true},
		{"smtp", fakeSMTP(false), false},
		{"imap", fakeIMAP, true},
		{"pop3", fakePOP3, true},
		{"ftp", fakeFTP, true},
		{"ldap", fakeLDAP(0), true},
		{"ldap", fakeLDAP(2), false},
		{"postgres", fakePostgres('S'), true},
		{"postgres", fakePostgres('N'), false},
		{"mysql", fakeMySQL(true), true},
		{"mysql", fakeMySQL(false), false},
	}
	for _, tt := range tests {
		name := tt.proto
		if !tt.ok {
			name += " refused"
		}
		t.Run(name, func(t *testing.T) {
			tg := serveStartTLS(t, tt.f, cfg)
			r, err := Probe(context.Background(), tg, Options{StartTLS: tt.proto, ServerName: "primary-host", Timeout: 3 * time.Second})
			if !tt.ok {
				var pe *Error
				if !errors.As(err, &pe) || pe.Op != "starttls" || !errors.Is(err, ErrNoStartTLS) {
					t.Fatalf("got %v, want a starttls error wrapping ErrNoStartTLS", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.HandshakeErr != nil || !r.NameMatch || r.Leaf().CommonName() != "primary-host" {
				t.Errorf("handshake %v, match %v", r.HandshakeErr, r.NameMatch)
			}
			if r.Fallback == nil || r.Fallback.NoSNIErr != nil || r.Fallback.RandomErr != nil {
				t.Errorf("extra handshakes over %s: %+v", tt.proto, r.Fallback)
			}
		})
	}
}

func TestStartTLSUnknown(t *testing.T) {
	_, err := Probe(context.Background(), Target{Host: "127.0.0.1", Port: "1"}, Options{StartTLS: "xmpp"})
	if err == nil || !strings.Contains(err.Error(), "xmpp") {
		t.Errorf("got %v", err)
	}
}

func FuzzLDAPResultCode(f *testing.F) {
	f.Add([]byte{0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00})
	f.Add([]byte{0x30, 0x81, 0x05, 0x02, 0x01, 0x01, 0x78, 0x00})
	f.Add([]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		code, err := LDAPResultCode(b)
		if err == nil && code < 0 {
			t.Fatalf("negative code %d", code)
		}
		_, _ = readBER(bytes.NewReader(b))
	})
}

func FuzzMySQLCapabilities(f *testing.F) {
	f.Add([]byte("\x0a8.0.36\x00\x01\x00\x00\x00abcdefgh\x00\x00\x8a\x21\x02\x00\x08\x00"))
	f.Add([]byte("\xff\x15\x04#HY000Host is blocked"))
	f.Add([]byte{10})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = MySQLCapabilities(b)
	})
}
