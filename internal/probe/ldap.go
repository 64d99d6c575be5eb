package probe

import (
	"errors"
	"fmt"
	"io"
	"net"
)

// ldapStartTLS is the LDAPMessage {messageID 1, ExtendedRequest
// [APPLICATION 23] {requestName [0] "1.3.6.1.4.1.1466.20037"}} of RFC
// 4511 section 4.14.1, BER-encoded by hand.
var ldapStartTLS = append([]byte{0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16}, "1.3.6.1.4.1.1466.20037"...)

// ldapUpgrade sends the StartTLS extended request and expects an
// ExtendedResponse [APPLICATION 24] with resultCode success (0).
func ldapUpgrade(c net.Conn) (net.Conn, error) {
	if _, err := c.Write(ldapStartTLS); err != nil {
		return nil, err
	}
	msg, err := readBER(c)
	if err != nil {
		return nil, fmt.Errorf("ldap: reading the StartTLS response: %w", err)
	}
	code, err := LDAPResultCode(msg)
	if err != nil {
		return nil, &ProtocolError{Protocol: "ldap", Err: err}
	}
	if code != 0 {
		return nil, &ProtocolError{Protocol: "ldap", Reply: fmt.Sprintf("resultCode %d", code), Err: ErrNoStartTLS}
	}
	return c, nil
}

const maxLDAPMessage = 1 << 16

// readBER reads one BER TLV (tag 0x30) from r, whole.
func readBER(r io.Reader) ([]byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	if hdr[0] != 0x30 {
		return nil, fmt.Errorf("not an LDAP message (tag 0x%02x)", hdr[0])
	}
	n := int(hdr[1])
	lenBytes := []byte{}
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 {
			return nil, errors.New("bad BER length")
		}
		lenBytes = make([]byte, k)
		if _, err := io.ReadFull(r, lenBytes); err != nil {
			return nil, err
		}
		n = 0
		for _, b := range lenBytes {
			n = n<<8 | int(b)
		}
	}
	if n > maxLDAPMessage {
		return nil, errors.New("LDAP message too long")
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	out := append([]byte{hdr[0], hdr[1]}, lenBytes...)
	return append(out, body...), nil
}

// tlv splits one BER element off b.
func tlv(b []byte) (tag byte, val, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, errors.New("truncated BER")
	}
	tag, n, i := b[0], int(b[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 || len(b) < 2+k {
			return 0, nil, nil, errors.New("bad BER length")
		}
		n = 0
		for _, x := range b[2 : 2+k] {
			n = n<<8 | int(x)
		}
		i += k
	}
	if n < 0 || len(b)-i < n {
		return 0, nil, nil, errors.New("truncated BER")
	}
	return tag, b[i : i+n], b[i+n:], nil
}

// LDAPResultCode returns the resultCode of a BER-encoded LDAPMessage that
// holds an ExtendedResponse (RFC 4511 sections 4.1.9 and 4.12).
func LDAPResultCode(msg []byte) (int, error) {
	tag, seq, _, err := tlv(msg)
	if err != nil {
		return 0, err
	}
	if tag != 0x30 {
		return 0, errors.New("not an LDAP message")
	}
	tag, _, rest, err := tlv(seq) // messageID
	if err != nil || tag != 0x02 {
		return 0, errors.New("LDAP message without a message ID")
	}
	tag, op, _, err := tlv(rest)
	if err != nil {
		return 0, err
	}
	if tag != 0x78 {
		return 0, fmt.Errorf("not an extended response (tag 0x%02x)", tag)
	}
	tag, code, _, err := tlv(op)
	if err != nil || tag != 0x0a || len(code) == 0 || len(code) > 4 {
		return 0, errors.New("extended response without a result code")
	}
	n := 0
	for _, b := range code {
		n = n<<8 | int(b)
	}
	return n, nil
}
