package probe

import (
	"errors"
	"fmt"
)

// ErrNoCertificate is returned by [ServerCertificates] when the bytes hold
// no complete Certificate handshake message.
var ErrNoCertificate = errors.New("no certificate message in the server's handshake")

// Content and handshake types from RFC 5246 sections 6.2.1 and 7.4.
const (
	recordHandshake      = 22
	recordAlert          = 21
	recordChangeCipher   = 20
	handshakeCertificate = 11
	maxRecordLen         = 1<<14 + 2048 // TLSCiphertext limit, RFC 5246 section 6.2.3
)

// ServerCertificates reads the certificate_list of the first Certificate
// message in the bytes a server sent during a TLS 1.0-1.2 handshake (RFC
// 5246 section 7.4.2). Up to that message the handshake is in the clear,
// so this works even when crypto/tls refused to parse a certificate and
// aborted. Handshake messages may span records and records may hold
// several messages.
func ServerCertificates(wire []byte) ([][]byte, error) {
	var hs []byte // handshake stream, reassembled from records
	for len(wire) >= 5 {
		typ := wire[0]
		n := int(wire[3])<<8 | int(wire[4])
		if wire[1] != 3 || n > maxRecordLen {
			return nil, fmt.Errorf("not a TLS record (type %d, version %d.%d)", typ, wire[1], wire[2])
		}
		if len(wire) < 5+n {
			break // truncated: use what is complete
		}
		body := wire[5 : 5+n]
		wire = wire[5+n:]
		switch typ {
		case recordHandshake:
			hs = append(hs, body...)
		case recordChangeCipher:
			// Everything after ChangeCipherSpec is encrypted.
			wire = nil
		case recordAlert:
		default:
			wire = nil
		}
	}
	for len(hs) >= 4 {
		typ := hs[0]
		n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
		if len(hs) < 4+n {
			break
		}
		msg := hs[4 : 4+n]
		hs = hs[4+n:]
		if typ != handshakeCertificate {
			continue
		}
		return parseCertificateList(msg)
	}
	return nil, ErrNoCertificate
}

// parseCertificateList reads opaque ASN.1Cert<1..2^24-1> certificate_list<0..2^24-1>.
func parseCertificateList(msg []byte) ([][]byte, error) {
	if len(msg) < 3 {
		return nil, errors.New("short certificate message")
	}
	total := int(msg[0])<<16 | int(msg[1])<<8 | int(msg[2])
	list := msg[3:]
	if total != len(list) {
		return nil, errors.New("certificate message length mismatch")
	}
	var out [][]byte
	for len(list) > 0 {
		if len(list) < 3 {
			return nil, errors.New("truncated certificate entry")
		}
		n := int(list[0])<<16 | int(list[1])<<8 | int(list[2])
		if n == 0 || len(list) < 3+n {
			return nil, errors.New("truncated certificate entry")
		}
		out = append(out, list[3:3+n])
		list = list[3+n:]
	}
	if len(out) == 0 {
		return nil, ErrNoCertificate
	}
	return out, nil
}
