package jks

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// JCEKS stores a secret-key entry as a Java-serialized
// javax.crypto.SealedObject written straight into the store stream
// (com.sun.crypto.provider.JceKeyStore.engineStore opens an
// ObjectOutputStream per entry) with no length prefix. To find where the
// entry ends, skipSerialized walks the grammar of the Java Object
// Serialization Stream Protocol (chapter 6 of its specification) without
// building objects. It knows enough for SealedObject and its subclass
// SealedObjectForKeyProtector: class descriptors, strings, primitive and
// object arrays, nested objects, references and block data.

const (
	tcNull           = 0x70
	tcReference      = 0x71
	tcClassDesc      = 0x72
	tcObject         = 0x73
	tcString         = 0x74
	tcArray          = 0x75
	tcClass          = 0x76
	tcBlockData      = 0x77
	tcEndBlockData   = 0x78
	tcReset          = 0x79
	tcBlockDataLong  = 0x7A
	tcLongString     = 0x7C
	tcProxyClassDesc = 0x7D
	tcEnum           = 0x7E

	scWriteMethod    = 0x01
	scSerializable   = 0x02
	scExternalizable = 0x04
	scBlockData      = 0x08

	baseHandle = 0x7E0000
	maxDepth   = 64
)

var errSerial = errors.New("malformed serialized object")

type field struct {
	typ byte
}

type classDesc struct {
	name   string
	flags  byte
	fields []field
	super  *classDesc
}

type serialReader struct {
	b       []byte
	off     int
	handles []any // *classDesc for class descriptors, nil otherwise
	depth   int
}

// skipSerialized returns the length of the serialized stream (header and one
// object) at the start of b.
func skipSerialized(b []byte) (int, error) {
	r := &serialReader{b: b}
	if len(b) < 4 || b[0] != 0xAC || b[1] != 0xED || binary.BigEndian.Uint16(b[2:]) != 5 {
		return 0, fmt.Errorf("%w: bad stream header", errSerial)
	}
	r.off = 4
	if _, err := r.content(); err != nil {
		return 0, err
	}
	return r.off, nil
}

func (r *serialReader) need(n int) error {
	if n < 0 || len(r.b)-r.off < n {
		return fmt.Errorf("%w: truncated", errSerial)
	}
	return nil
}

func (r *serialReader) u8() (byte, error) {
	if err := r.need(1); err != nil {
		return 0, err
	}
	r.off++
	return r.b[r.off-1], nil
}

func (r *serialReader) u16() (int, error) {
	if err := r.need(2); err != nil {
		return 0, err
	}
	r.off += 2
	return int(binary.BigEndian.Uint16(r.b[r.off-2:])), nil
}

func (r *serialReader) u32() (uint32, error) {
	if err := r.need(4); err != nil {
		return 0, err
	}
	r.off += 4
	return binary.BigEndian.Uint32(r.b[r.off-4:]), nil
}

func (r *serialReader) skip(n int) error {
	if err := r.need(n); err != nil {
		return err
	}
	r.off += n
	return nil
}

func (r *serialReader) utf() (string, error) {
	n, err := r.u16()
	if err != nil {
		return "", err
	}
	if err := r.need(n); err != nil {
		return "", err
	}
	r.off += n
	return decodeMUTF8(r.b[r.off-n : r.off])
}

func (r *serialReader) newHandle(v any) { r.handles = append(r.handles, v) }

func (r *serialReader) ref() (any, error) {
	h, err := r.u32()
	if err != nil {
		return nil, err
	}
	i := int64(h) - baseHandle
	if i < 0 || i >= int64(len(r.handles)) {
		return nil, fmt.Errorf("%w: bad handle", errSerial)
	}
	return r.handles[i], nil
}

// content reads one content element and returns the class descriptor when it
// was one (or a reference to one).
func (r *serialReader) content() (*classDesc, error) {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > maxDepth {
		return nil, fmt.Errorf("%w: nested too deep", errSerial)
	}
	tc, err := r.u8()
	if err != nil {
		return nil, err
	}
	switch tc {
	case tcNull:
		return nil, nil
	case tcReference:
		v, err := r.ref()
		cd, _ := v.(*classDesc)
		return cd, err
	case tcClassDesc:
		return r.classDescBody()
	case tcProxyClassDesc:
		return r.proxyClassDescBody()
	case tcString:
		_, err := r.utf()
		r.newHandle(nil)
		return nil, err
	case tcLongString:
		n, err := r.u32()
		if err != nil {
			return nil, err
		}
		hi := n
		lo, err := r.u32()
		if err != nil {
			return nil, err
		}
		if hi != 0 || lo > uint32(len(r.b)) {
			return nil, fmt.Errorf("%w: truncated", errSerial)
		}
		r.newHandle(nil)
		return nil, r.skip(int(lo))
	case tcObject:
		return nil, r.object()
	case tcArray:
		return nil, r.array()
	case tcClass:
		if _, err := r.classDesc(); err != nil {
			return nil, err
		}
		r.newHandle(nil)
		return nil, nil
	case tcEnum:
		if _, err := r.classDesc(); err != nil {
			return nil, err
		}
		r.newHandle(nil)
		_, err := r.content() // the constant's name, a String
		return nil, err
	case tcBlockData:
		n, err := r.u8()
		if err != nil {
			return nil, err
		}
		return nil, r.skip(int(n))
	case tcBlockDataLong:
		n, err := r.u32()
		if err != nil {
			return nil, err
		}
		if n > uint32(len(r.b)) {
			return nil, fmt.Errorf("%w: truncated", errSerial)
		}
		return nil, r.skip(int(n))
	case tcReset:
		r.handles = r.handles[:0]
		return nil, nil
	default:
		return nil, fmt.Errorf("%w: unsupported type code 0x%02x", errSerial, tc)
	}
}

// classDesc reads a classDesc: a new descriptor, a proxy, null or a reference.
func (r *serialReader) classDesc() (*classDesc, error) {
	if err := r.need(1); err != nil {
		return nil, err
	}
	switch r.b[r.off] {
	case tcClassDesc, tcProxyClassDesc, tcNull, tcReference:
		return r.content()
	}
	return nil, fmt.Errorf("%w: class descriptor expected", errSerial)
}

func (r *serialReader) classDescBody() (*classDesc, error) {
	cd := &classDesc{}
	var err error
	if cd.name, err = r.utf(); err != nil {
		return nil, err
	}
	if err := r.skip(8); err != nil { // serialVersionUID
		return nil, err
	}
	r.newHandle(cd)
	if cd.flags, err = r.u8(); err != nil {
		return nil, err
	}
	n, err := r.u16()
	if err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		t, err := r.u8()
		if err != nil {
			return nil, err
		}
		if _, err := r.utf(); err != nil {
			return nil, err
		}
		f := field{typ: t}
		switch t {
		case 'B', 'C', 'D', 'F', 'I', 'J', 'S', 'Z':
		case 'L', '[':
			// className1: a String or a reference to one.
			if err := r.need(1); err != nil {
				return nil, err
			}
			switch r.b[r.off] {
			case tcString, tcLongString, tcReference:
			default:
				return nil, fmt.Errorf("%w: field type name expected", errSerial)
			}
			if _, err := r.content(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w: bad field type %q", errSerial, t)
		}
		cd.fields = append(cd.fields, f)
	}
	if err := r.annotation(); err != nil {
		return nil, err
	}
	if cd.super, err = r.classDesc(); err != nil {
		return nil, err
	}
	return cd, nil
}

func (r *serialReader) proxyClassDescBody() (*classDesc, error) {
	cd := &classDesc{flags: scSerializable}
	r.newHandle(cd)
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	if n > uint32(len(r.b)) {
		return nil, fmt.Errorf("%w: truncated", errSerial)
	}
	for i := uint32(0); i < n; i++ {
		if _, err := r.utf(); err != nil {
			return nil, err
		}
	}
	if err := r.annotation(); err != nil {
		return nil, err
	}
	if cd.super, err = r.classDesc(); err != nil {
		return nil, err
	}
	return cd, nil
}

// annotation skips contents up to and including TC_ENDBLOCKDATA.
func (r *serialReader) annotation() error {
	for {
		if err := r.need(1); err != nil {
			return err
		}
		if r.b[r.off] == tcEndBlockData {
			r.off++
			return nil
		}
		if _, err := r.content(); err != nil {
			return err
		}
	}
}

func (r *serialReader) object() error {
	cd, err := r.classDesc()
	if err != nil {
		return err
	}
	if cd == nil {
		return fmt.Errorf("%w: object without class", errSerial)
	}
	r.newHandle(nil)
	// Class data goes from the topmost serializable superclass down.
	var chain []*classDesc
	for c := cd; c != nil; c = c.super {
		if len(chain) > maxDepth {
			return fmt.Errorf("%w: class hierarchy too deep", errSerial)
		}
		chain = append(chain, c)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		c := chain[i]
		switch {
		case c.flags&scExternalizable != 0:
			if c.flags&scBlockData == 0 {
				// Protocol version 1 externalizable data has no framing.
				return fmt.Errorf("%w: unframed externalizable data", errSerial)
			}
			if err := r.annotation(); err != nil {
				return err
			}
		case c.flags&scSerializable != 0:
			for _, f := range c.fields {
				if err := r.value(f.typ); err != nil {
					return err
				}
			}
			if c.flags&scWriteMethod != 0 {
				if err := r.annotation(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

var primSize = map[byte]int{'B': 1, 'Z': 1, 'C': 2, 'S': 2, 'I': 4, 'F': 4, 'J': 8, 'D': 8}

func (r *serialReader) value(t byte) error {
	if n, ok := primSize[t]; ok {
		return r.skip(n)
	}
	_, err := r.content()
	return err
}

func (r *serialReader) array() error {
	cd, err := r.classDesc()
	if err != nil {
		return err
	}
	if cd == nil || len(cd.name) < 2 || cd.name[0] != '[' {
		return fmt.Errorf("%w: array without array class", errSerial)
	}
	r.newHandle(nil)
	n, err := r.u32()
	if err != nil {
		return err
	}
	if n > uint32(len(r.b)) {
		return fmt.Errorf("%w: truncated", errSerial)
	}
	elem := cd.name[1]
	if size, ok := primSize[elem]; ok {
		return r.skip(int(n) * size)
	}
	for i := uint32(0); i < n; i++ {
		if _, err := r.content(); err != nil {
			return err
		}
	}
	return nil
}
