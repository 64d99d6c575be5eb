package p12

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
)

// Options tune [EncodeWith].
type Options struct {
	Encryption Encryption
	// Rand is the source of salts and IVs; nil means crypto/rand, or
	// derived values with Derived. Tests pass a fixed stream.
	Rand io.Reader
	// Derived makes every salt and IV a function of the entries alone, so
	// that the same entries under the same password give the same bytes:
	// each is HKDF-SHA-256 of a SHA-256 digest over the entries (aliases,
	// keys, certificates, attributes) and the profile, with its own label
	// (the MAC salt, the certificates' salt and IV, each key's salt and
	// IV). The password is never part of it: a salt that depended on the
	// password would let anyone test guesses against it without paying
	// for the iteration count. What it gives away is equality: two files
	// with the same entries and password are equal, and so are two
	// encrypted keys that are the same key under the same password.
	Derived bool
	// Iterations overrides the profile's iteration count for keys,
	// certificates and the MAC; 0 keeps the default.
	Iterations int
}

type profile struct {
	pbes2      bool
	iterations int
	saltLen    int
	macAlg     asn1.ObjectIdentifier
}

// Encode writes f as a PKCS#12 store protected with password using enc;
// see [Encryption] for the profiles.
func Encode(f *File, password []byte, enc Encryption) ([]byte, error) {
	return EncodeWith(f, password, Options{Encryption: enc})
}

// EncodeWith is [Encode] with options.
//
// Layout, as keytool and OpenSSL lay it out: one SafeContents with every
// certificate (encrypted once, so a 2,000-certificate truststore costs one
// key derivation), then one plain SafeContents with the shrouded keys.
// Trusted entries get friendlyName and the Java trusted-key-usage attribute
// with anyExtendedKeyUsage, as keytool writes them; a key entry's key and
// leaf get friendlyName and a shared localKeyID (the SHA-1 of the leaf, as
// OpenSSL derives it, when Entry.LocalKeyID is empty); chain certificates
// get no attributes and are written once even when several keys share them.
// A certificate entry that is not Trusted is written with friendlyName only.
func EncodeWith(f *File, password []byte, opts Options) ([]byte, error) {
	pw := passwords{bmp: bmpPassword(password), raw: password}
	var prof profile
	switch opts.Encryption {
	case Modern, None:
		prof = profile{pbes2: true, iterations: 10000, saltLen: 16, macAlg: oidSHA256}
	case Legacy:
		prof = profile{pbes2: false, iterations: 2048, saltLen: 8, macAlg: oidSHA1}
	default:
		return nil, fmt.Errorf("unknown encryption %d", int(opts.Encryption))
	}
	if opts.Iterations > 0 {
		prof.iterations = opts.Iterations
	}
	random := func(string) io.Reader { return rand.Reader }
	switch {
	case opts.Rand != nil:
		random = func(string) io.Reader { return opts.Rand }
	case opts.Derived:
		random = derivedRandom(f, opts.Encryption, prof)
	}

	// Random values are read from rnd in the order they appear in the
	// file: each key's, then the certificates', then the MAC's.
	var certBags, keyBags []safeBag
	written := map[string]bool{} // chain certificates already written
	usedIDs := map[string]bool{}
	for i := range f.Entries {
		e := &f.Entries[i]
		if e.Key == nil {
			if len(e.Certs) != 1 {
				return nil, fmt.Errorf("entry %d (%q): a certificate entry needs exactly one certificate, has %d", i+1, e.Alias, len(e.Certs))
			}
			attrs := bagAttributes(e.Alias, nil, e.Trusted)
			b, err := newCertBag(e.Certs[0], attrs)
			if err != nil {
				return nil, fmt.Errorf("entry %d (%q): %w", i+1, e.Alias, err)
			}
			certBags = append(certBags, b)
			continue
		}
		if err := checkSequence(e.Key); err != nil {
			return nil, fmt.Errorf("entry %d (%q): key is not PKCS#8 DER: %w", i+1, e.Alias, err)
		}
		id := e.LocalKeyID
		if len(id) == 0 {
			src := e.Key
			if len(e.Certs) > 0 {
				src = e.Certs[0]
			}
			sum := sha1.Sum(src)
			id = sum[:]
			for n := 1; usedIDs[string(id)]; n++ {
				sum = sha1.Sum(append(append([]byte{}, src...), byte(n), byte(n>>8)))
				id = sum[:]
			}
		}
		if usedIDs[string(id)] {
			return nil, fmt.Errorf("entry %d (%q): localKeyID used by another key entry", i+1, e.Alias)
		}
		usedIDs[string(id)] = true
		attrs := bagAttributes(e.Alias, id, false)
		for j, c := range e.Certs {
			a := attrs
			if j > 0 {
				if written[string(c)] {
					continue
				}
				written[string(c)] = true
				a = nil
			}
			b, err := newCertBag(c, a)
			if err != nil {
				return nil, fmt.Errorf("entry %d (%q) certificate %d: %w", i+1, e.Alias, j+1, err)
			}
			certBags = append(certBags, b)
		}
		if opts.Encryption == None && len(password) == 0 {
			keyBags = append(keyBags, safeBag{ID: oidKeyBag, Value: explicit0(e.Key), Attributes: attrs})
			continue
		}
		alg, ct, err := encrypt(prof, pw, random("key "+strconv.Itoa(i)), e.Key)
		if err != nil {
			return nil, fmt.Errorf("encrypting key %q: %w", e.Alias, err)
		}
		epki, err := asn1.Marshal(encryptedPrivateKeyInfo{Algorithm: alg, Data: ct})
		if err != nil {
			return nil, err
		}
		keyBags = append(keyBags, safeBag{ID: oidPKCS8ShroudedKeyBag, Value: explicit0(epki), Attributes: attrs})
	}

	// The AuthenticatedSafe and the PFX around it are written by hand, each
	// in one buffer of its exact size: through asn1.Marshal, a 2,000-entry
	// truststore was copied once per level of nesting.
	var cis []contentInfoDER
	if len(certBags) > 0 {
		sc, err := encodeSafeContents(certBags)
		if err != nil {
			return nil, fmt.Errorf("encoding certificates: %w", err)
		}
		if opts.Encryption == None {
			cis = append(cis, dataContentInfo(sc))
		} else {
			alg, ct, err := encrypt(prof, pw, random("certificates"), sc)
			if err != nil {
				return nil, fmt.Errorf("encrypting certificates: %w", err)
			}
			algDER, err := asn1.Marshal(alg)
			if err != nil {
				return nil, err
			}
			cis = append(cis, encryptedDataContentInfo(algDER, ct))
		}
	}
	var macSalt []byte
	if opts.Encryption != None {
		macSalt = make([]byte, prof.saltLen)
		if _, err := io.ReadFull(random("mac"), macSalt); err != nil {
			return nil, err
		}
	}
	if len(keyBags) > 0 {
		sc, err := encodeSafeContents(keyBags)
		if err != nil {
			return nil, fmt.Errorf("encoding keys: %w", err)
		}
		cis = append(cis, dataContentInfo(sc))
	}
	// AuthenticatedSafe ::= SEQUENCE OF ContentInfo
	n := 0
	for _, ci := range cis {
		n += ci.len
	}
	authSafe := appendHeader(make([]byte, 0, elementLen(n)), 0x30, n)
	for _, ci := range cis {
		authSafe = ci.append(authSafe)
	}
	var md []byte
	if macSalt != nil {
		mac, err := computeMAC(prof.macAlg, pw.bmp, macSalt, prof.iterations, authSafe)
		if err != nil {
			return nil, err
		}
		md, err = asn1.Marshal(macData{
			Mac:        digestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: prof.macAlg, Parameters: asn1.NullRawValue}, Digest: mac},
			MacSalt:    macSalt,
			Iterations: prof.iterations,
		})
		if err != nil {
			return nil, err
		}
	}
	// PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }
	data := dataContentInfo(authSafe)
	n = len(derVersion3) + data.len + len(md)
	pfx := appendHeader(make([]byte, 0, elementLen(n)), 0x30, n)
	pfx = append(pfx, derVersion3...)
	pfx = data.append(pfx)
	return append(pfx, md...), nil
}

// derivedRandom returns, for Options.Derived, the source of the salt and
// IV of each use (named by label): the HKDF-SHA-256 expansion of a digest
// of everything the file holds but the password, the salt and the IV each
// under a label of their own, so that no two uses share a value.
func derivedRandom(f *File, enc Encryption, prof profile) func(label string) io.Reader {
	h := sha256.New()
	put := func(b []byte) {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	put([]byte("trustctl PKCS#12 entries v1"))
	put([]byte(fmt.Sprintf("%s %d %d %s", enc, prof.iterations, prof.saltLen, prof.macAlg)))
	for _, e := range f.Entries {
		put([]byte(e.Alias))
		put(e.LocalKeyID)
		put(e.Key)
		trusted := []byte{0}
		if e.Trusted {
			trusted[0] = 1
		}
		put(trusted)
		put(binary.BigEndian.AppendUint64(nil, uint64(len(e.Certs))))
		for _, c := range e.Certs {
			put(c)
		}
	}
	seed := h.Sum(nil)
	return func(label string) io.Reader {
		// At most a salt and an AES IV are read per use.
		salt, err := hkdf.Key(sha256.New, seed, nil, "trustctl PKCS#12 "+label+" salt", prof.saltLen)
		if err != nil {
			return errReader{err}
		}
		iv, err := hkdf.Key(sha256.New, seed, nil, "trustctl PKCS#12 "+label+" iv", 16)
		if err != nil {
			return errReader{err}
		}
		return io.MultiReader(bytes.NewReader(salt), bytes.NewReader(iv))
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
