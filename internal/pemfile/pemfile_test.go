package pemfile

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const certText = `Bag Attributes
    friendlyName: acme-root
subject=CN = Acme Root
-----BEGIN CERTIFICATE-----
AQID
-----END CERTIFICATE-----
some text between
-----BEGIN PRIVATE KEY-----
BAUG
-----END PRIVATE KEY-----
trailing text`

func TestDecodeToleratesTextAroundBlocks(t *testing.T) {
	blocks, err := Decode([]byte(certText))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 || blocks[0].Type != "CERTIFICATE" || blocks[1].Type != "PRIVATE KEY" {
		t.Fatalf("got %d blocks", len(blocks))
	}
	if blocks[0].Line != 4 || blocks[1].Line != 8 {
		t.Errorf("lines %d and %d, want 4 and 8", blocks[0].Line, blocks[1].Line)
	}
	if !bytes.Equal(blocks[0].Bytes, []byte{1, 2, 3}) {
		t.Errorf("bytes %v", blocks[0].Bytes)
	}
	if got, want := string(blocks[0].Before), "Bag Attributes\n    friendlyName: acme-root\nsubject=CN = Acme Root\n"; got != want {
		t.Errorf("text before the certificate %q, want %q", got, want)
	}
	if got, want := string(blocks[1].Before), "some text between\n"; got != want {
		t.Errorf("text before the key %q, want %q", got, want)
	}
	if blocks[0].After != nil || string(blocks[1].After) != "trailing text" {
		t.Errorf("text after the blocks %q and %q, want none and the trailing text", blocks[0].After, blocks[1].After)
	}
}

func TestDecodeReportsDamage(t *testing.T) {
	_, err := Decode([]byte("x\n-----BEGIN CERTIFICATE-----\nAQID\n"))
	var tr *ErrTruncated
	if !errors.As(err, &tr) || tr.Line != 2 || tr.Type != "CERTIFICATE" {
		t.Fatalf("err = %v, want a truncated CERTIFICATE at line 2", err)
	}
	if _, err := Decode([]byte("no blocks here")); !errors.Is(err, ErrNoPEM) {
		t.Fatalf("err = %v, want ErrNoPEM", err)
	}
	// The type is shown as the file spells it, but never a terminal
	// escape or a line without end.
	_, err = Decode([]byte("-----BEGIN \x1b[2J" + strings.Repeat("A", 100) + "-----\n!!\n"))
	if !errors.As(err, &tr) || tr.Type != "[2J"+strings.Repeat("A", 61)+"..." {
		t.Errorf("type %q", tr.Type)
	}
	// A damaged block followed by a good one is still damage: read as
	// the good one alone, a bundle would lose a root to sync.
	blocks, err := Decode([]byte("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n-----BEGIN B-----\nAQID\n-----END B-----\n"))
	if !errors.As(err, &tr) || tr.Line != 1 || tr.Type != "CERTIFICATE" || len(blocks) != 0 {
		t.Fatalf("damaged block before a good one: %d blocks, err = %v; want a damaged CERTIFICATE at line 1", len(blocks), err)
	}
}

// FuzzDecode: no panic; errors are ours; every block re-encodes and
// decodes to the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(certText))
	f.Add([]byte("-----BEGIN A-----\n-----END A-----\n"))
	f.Add([]byte("-----BEGIN "))
	f.Fuzz(func(t *testing.T, data []byte) {
		blocks, err := Decode(data)
		if err != nil {
			var tr *ErrTruncated
			if !errors.Is(err, ErrNoPEM) && !errors.As(err, &tr) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		// The text around the blocks is the data's, in order.
		rest := data
		for i, b := range blocks {
			at := bytes.Index(rest, b.Before)
			if at < 0 {
				t.Fatalf("the text before block %d is not in the data after the block before it", i)
			}
			rest = rest[at+len(b.Before):]
		}
		if !bytes.HasSuffix(rest, blocks[len(blocks)-1].After) {
			t.Fatalf("the text after the last block does not end the data")
		}
		for _, b := range blocks {
			again, err := Decode(Encode(b.Type, b.Bytes))
			if err != nil || len(again) != 1 || !bytes.Equal(again[0].Bytes, b.Bytes) {
				t.Fatalf("block %q does not round-trip: %v", b.Type, err)
			}
		}
	})
}
