// Package pemfile reads PEM bundles the way people actually keep them: any
// mix of certificates, keys, CSRs and CRLs, with text (openssl's "-text"
// dumps, comments, Bag Attributes) before, between and after the blocks. It
// also writes PEM and DER files. It does not interpret the blocks.
package pemfile

import (
	"bytes"
	"encoding/pem"
	"errors"
)

// Block is one PEM block, where it started (1-based line number) and
// the text around it.
type Block struct {
	*pem.Block
	Line int
	// Before is the text between the previous block (or the start of the
	// data) and this one: comments, titles, blank lines.
	Before []byte
	// After is the text after the last block, on the last block only.
	After []byte
}

// ErrNoPEM is returned by [Decode] when the data holds no PEM block at all.
var ErrNoPEM = errors.New("no PEM block found")

// ErrTruncated is returned when a BEGIN line has no matching END line or
// the block's base64 is corrupt.
type ErrTruncated struct {
	Type string
	Line int
}

func (e *ErrTruncated) Error() string {
	return "malformed PEM block " + e.Type + " at line " + itoa(e.Line)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

var beginMarker = []byte("-----BEGIN ")

// Decode returns every PEM block in data in order, with the text outside
// the blocks in Before and After. A BEGIN line whose block does not decode is an *ErrTruncated,
// so a damaged bundle is never silently read as a shorter one.
func Decode(data []byte) ([]Block, error) {
	var out []Block
	rest := data
	// line is the line number at the start of rest, kept up to date as
	// rest advances, so each byte is counted once.
	line := 1
	for {
		i := bytes.Index(rest, beginMarker)
		if i < 0 {
			break
		}
		line += bytes.Count(rest[:i], []byte("\n"))
		blk, after := pem.Decode(rest[i:])
		// encoding/pem passes over a block that does not decode and
		// returns the next one: then what it consumed holds a second
		// BEGIN line, and the block at i is the damaged one.
		consumed := rest[i : len(rest)-len(after)]
		if blk == nil || bytes.Contains(consumed[len(beginMarker):], beginMarker) {
			typ := rest[i+len(beginMarker):]
			if j := bytes.IndexAny(typ, "-\r\n"); j >= 0 {
				typ = typ[:j]
			}
			return out, &ErrTruncated{Type: printable(typ), Line: line}
		}
		out = append(out, Block{Block: blk, Line: line, Before: bytes.Clone(rest[:i])})
		line += bytes.Count(rest[i:len(rest)-len(after)], []byte("\n"))
		rest = after
	}
	if len(out) == 0 {
		return nil, ErrNoPEM
	}
	out[len(out)-1].After = bytes.Clone(rest)
	return out, nil
}

// printable is a block type from a file as messages may show it: printable
// ASCII only (no terminal escapes), at most 64 characters.
func printable(typ []byte) string {
	var b []byte
	for _, c := range typ {
		if c >= 0x20 && c < 0x7f {
			b = append(b, c)
		}
	}
	if len(b) > 64 {
		b = append(b[:64], "..."...)
	}
	return string(b)
}

// LooksLikePEM reports whether data contains a PEM BEGIN line.
func LooksLikePEM(data []byte) bool { return bytes.Contains(data, beginMarker) }

// Encode returns the PEM encoding of one block with the given type.
func Encode(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// EncodeCerts returns a PEM bundle of certificates, in order.
func EncodeCerts(ders ...[]byte) []byte {
	var b bytes.Buffer
	for _, d := range ders {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: d})
	}
	return b.Bytes()
}

// EncodeBlock returns the PEM encoding of a block, headers included.
func EncodeBlock(b *pem.Block) []byte { return pem.EncodeToMemory(b) }
