package probe

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
)

// sslRequestCode is the SSLRequest code 1234<<16 | 5679 (PostgreSQL
// protocol, "Message Formats": SSLRequest).
const sslRequestCode = 80877103

// postgresUpgrade sends SSLRequest and expects the single byte 'S'; 'N'
// means the server has SSL off. The server sends nothing before it.
func postgresUpgrade(c net.Conn) (net.Conn, error) {
	var msg [8]byte
	binary.BigEndian.PutUint32(msg[0:], 8)
	binary.BigEndian.PutUint32(msg[4:], sslRequestCode)
	if _, err := c.Write(msg[:]); err != nil {
		return nil, err
	}
	var b [1]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return nil, err
	}
	switch b[0] {
	case 'S':
		return c, nil
	case 'N':
		return nil, &ProtocolError{Protocol: "postgres", Err: fmt.Errorf("%w: SSL is off on this server", ErrNoStartTLS)}
	case 'E':
		// Servers before 7.0 answer an unknown request with an error.
		return nil, &ProtocolError{Protocol: "postgres", Reply: "an error message", Err: ErrNoStartTLS}
	}
	return nil, &ProtocolError{Protocol: "postgres", Reply: fmt.Sprintf("byte 0x%02x", b[0])}
}
