package probe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
)

// MySQL capability flags (MySQL client/server protocol, "Capabilities Flags").
const (
	mysqlLongPassword     = 0x00000001
	mysqlProtocol41       = 0x00000200
	mysqlSSL              = 0x00000800
	mysqlSecureConnection = 0x00008000
	mysqlPluginAuth       = 0x00080000
)

// mysqlUpgrade reads the server's HandshakeV10, checks CLIENT_SSL and
// answers with an SSLRequest packet (sequence 1), after which the server
// expects a ClientHello.
func mysqlUpgrade(c net.Conn) (net.Conn, error) {
	payload, seq, err := readMySQLPacket(c)
	if err != nil {
		return nil, fmt.Errorf("mysql: reading the greeting: %w", err)
	}
	caps, err := MySQLCapabilities(payload)
	if err != nil {
		return nil, &ProtocolError{Protocol: "mysql", Err: err}
	}
	if caps&mysqlSSL == 0 {
		return nil, &ProtocolError{Protocol: "mysql", Err: fmt.Errorf("%w: the server has no CLIENT_SSL capability", ErrNoStartTLS)}
	}
	req := make([]byte, 4+32)
	binary.LittleEndian.PutUint32(req[0:], 32) // 3-byte length; the 4th byte is the sequence id
	req[3] = seq + 1
	binary.LittleEndian.PutUint32(req[4:], mysqlLongPassword|mysqlProtocol41|mysqlSSL|mysqlSecureConnection|mysqlPluginAuth)
	binary.LittleEndian.PutUint32(req[8:], 1<<24) // max packet size
	req[12] = 0x21                                // utf8_general_ci; 23 zero bytes follow
	if _, err := c.Write(req); err != nil {
		return nil, err
	}
	return c, nil
}

func readMySQLPacket(r io.Reader) ([]byte, byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, 0, err
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	if n > 1<<16 {
		return nil, 0, errors.New("greeting too long")
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return nil, 0, err
	}
	return p, hdr[3], nil
}

// MySQLCapabilities returns the capability flags of a HandshakeV10
// payload. An ERR packet (0xff) is returned as an error with its message.
func MySQLCapabilities(p []byte) (uint32, error) {
	if len(p) == 0 {
		return 0, errors.New("empty greeting")
	}
	if p[0] == 0xff {
		msg := p[1:]
		if len(msg) >= 2 {
			msg = msg[2:] // error code
		}
		if len(msg) > 0 && msg[0] == '#' && len(msg) >= 6 {
			msg = msg[6:] // SQL state
		}
		return 0, fmt.Errorf("server refused: %q", printable(msg))
	}
	if p[0] != 10 {
		return 0, fmt.Errorf("unsupported protocol version %d", p[0])
	}
	rest := p[1:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return 0, errors.New("truncated greeting")
	}
	rest = rest[i+1:]
	// connection id (4), auth-plugin-data-part-1 (8), filler (1)
	if len(rest) < 4+8+1+2 {
		return 0, errors.New("truncated greeting")
	}
	rest = rest[13:]
	caps := uint32(binary.LittleEndian.Uint16(rest))
	rest = rest[2:]
	// character set (1), status flags (2), capability flags upper (2)
	if len(rest) >= 5 {
		caps |= uint32(binary.LittleEndian.Uint16(rest[3:])) << 16
	}
	return caps, nil
}
