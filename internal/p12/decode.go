package p12

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// Decode reads a PKCS#12 store. password may be nil or empty; a store
// without a MAC and without encrypted parts opens with any password. For the
// empty password both forms in use are tried, the RFC 7292 B.1 one (two
// zero bytes, what the JDK and OpenSSL write) and the absent password
// OpenSSL also accepts.
//
// The MAC, when there is one, is checked before anything is decrypted: a
// wrong password or a damaged file costs one key derivation, and nothing
// behind the MAC is read until it verifies.
//
// Errors: [ErrWrongPassword], *[FormatError] for data that is not PKCS#12
// or is damaged, *[UnsupportedError] for algorithms not implemented.
func Decode(der []byte, password []byte) (*File, error) {
	authSafe, macDER, err := readPFX(der)
	if err != nil {
		return nil, err
	}
	forms := []passwords{{bmp: bmpPassword(password), raw: password}}
	if len(password) == 0 {
		// OpenSSL's PKCS12_verify_mac retries with a NULL password, whose
		// KDF input is empty rather than the two-byte terminator.
		forms = append(forms, passwords{})
	}
	d := &decoder{budget: maxWork()}
	if macDER != nil {
		d.hasMAC = true
		if d.macSHA1, err = verifyMAC(macDER, authSafe, forms); err != nil {
			return nil, err
		}
	}
	var failed *decryptFailure
	for _, pw := range forms {
		d.reset(pw)
		err := d.authSafe(authSafe)
		if err == nil {
			return d.file(), nil
		}
		if !errors.As(err, &failed) {
			return nil, err
		}
	}
	if !d.hasMAC {
		return nil, ErrWrongPassword
	}
	// The MAC verified, so the store password is right, but a part does not
	// decrypt with it: a key protected with its own password, or damage.
	return nil, fmt.Errorf("%s does not decrypt with the store password: %w", failed.part, ErrWrongPassword)
}

// readPFX reads the outer PFX (RFC 7292 section 4): the AuthenticatedSafe
// it protects, and its MacData, nil when there is none.
func readPFX(der []byte) (authSafe, macData []byte, err error) {
	// Bytes after the PFX are ignored, as OpenSSL's d2i and the JDK's
	// DerValue do: some exporters pad files, and both tools open them.
	data, err := berFirst(der)
	if err != nil {
		return nil, nil, formatErr("encoding", err)
	}
	var pfx pfxPDU
	if _, err := asn1.Unmarshal(data, &pfx); err != nil {
		return nil, nil, formatErr("PFX structure", err)
	}
	if pfx.Version != 3 {
		return nil, nil, formatErr(fmt.Sprintf("version %d (want 3)", pfx.Version), nil)
	}
	switch {
	case pfx.AuthSafe.ContentType.Equal(oidDataContentType):
	case pfx.AuthSafe.ContentType.Equal(oidSignedDataContentType):
		return nil, nil, &UnsupportedError{What: "public-key integrity mode (signedData)"}
	default:
		return nil, nil, formatErr("authSafe content type "+pfx.AuthSafe.ContentType.String(), nil)
	}
	authSafe, ok := octetString(pfx.AuthSafe.Content)
	if !ok {
		return nil, nil, formatErr("authSafe content", nil)
	}
	if len(pfx.MacData.FullBytes) > 0 {
		macData = pfx.MacData.FullBytes
	}
	return authSafe, macData, nil
}

// decryptFailure marks a part that did not decrypt (bad padding or not
// DER), which is what a wrong password gives.
type decryptFailure struct{ part string }

func (e *decryptFailure) Error() string { return "decrypting " + e.part + ": " + errDecrypt.Error() }

func wrapDecrypt(part string, err error) error {
	if errors.Is(err, errDecrypt) {
		return &decryptFailure{part: part}
	}
	return fmt.Errorf("decrypting %s: %w", part, err)
}

type decoder struct {
	pw        passwords
	hasMAC    bool
	macSHA1   bool
	encrypted bool // some certificates or bags were in encryptedData
	pbes2     bool // PBES2 seen anywhere
	keys      []*keyItem
	certs     []*certItem
	order     int
	skipped   int
	budget    int // key derivation work left, over every password form tried
}

func (d *decoder) reset(pw passwords) {
	*d = decoder{pw: pw, hasMAC: d.hasMAC, macSHA1: d.macSHA1, budget: d.budget}
}

func (d *decoder) authSafe(data []byte) error {
	var cis []contentInfo
	if err := unmarshalAll(data, &cis); err != nil {
		return formatErr("AuthenticatedSafe", err)
	}
	for i, ci := range cis {
		switch {
		case ci.ContentType.Equal(oidDataContentType):
			sc, ok := octetString(ci.Content)
			if !ok {
				return formatErr(fmt.Sprintf("content %d", i+1), nil)
			}
			if err := d.safeContents(sc, 0); err != nil {
				return err
			}
		case ci.ContentType.Equal(oidEncryptedDataContentType):
			alg, ct, err := encryptedContent(&ci, i)
			if err != nil {
				return err
			}
			d.encrypted = true
			plain, err := d.decrypt(alg, ct)
			if err != nil {
				return wrapDecrypt(fmt.Sprintf("content %d", i+1), err)
			}
			if err := d.safeContents(plain, 0); err != nil {
				return err
			}
		case ci.ContentType.Equal(oidEnvelopedDataContentType):
			return &UnsupportedError{What: "public-key privacy mode (envelopedData)"}
		default:
			return formatErr("content type "+ci.ContentType.String(), nil)
		}
	}
	return nil
}

// encryptedContent returns the algorithm and the ciphertext of ci, the
// content at index i of the AuthenticatedSafe, an encryptedData.
func encryptedContent(ci *contentInfo, i int) (pkix.AlgorithmIdentifier, []byte, error) {
	what := fmt.Sprintf("encrypted content %d", i+1)
	var ed encryptedData
	inner, ok := unwrap0(ci.Content)
	if !ok {
		return pkix.AlgorithmIdentifier{}, nil, formatErr(what, nil)
	}
	if err := unmarshalAll(inner.FullBytes, &ed); err != nil {
		return pkix.AlgorithmIdentifier{}, nil, formatErr(what, err)
	}
	enc := ed.EncryptedContentInfo.EncryptedContent
	if enc.Class != asn1.ClassContextSpecific || enc.Tag != 0 {
		return pkix.AlgorithmIdentifier{}, nil, formatErr(what, nil)
	}
	ct := enc.Bytes
	if enc.IsCompound {
		// [0] IMPLICIT OCTET STRING in constructed BER form: the
		// segments are OCTET STRINGs (X.690 8.7.3).
		var err error
		if ct, err = joinSegments(enc.Bytes); err != nil {
			return pkix.AlgorithmIdentifier{}, nil, formatErr(what, err)
		}
	}
	return ed.EncryptedContentInfo.ContentEncryptionAlgorithm, ct, nil
}

// decrypt decrypts a part with the decoder's password and notes whether
// the file uses PBES2.
func (d *decoder) decrypt(alg pkix.AlgorithmIdentifier, ct []byte) ([]byte, error) {
	plain, pbes2, err := decrypt(alg, d.pw, ct, &d.budget)
	d.pbes2 = d.pbes2 || pbes2
	return plain, err
}

func joinSegments(data []byte) ([]byte, error) {
	var out []byte
	for len(data) > 0 {
		var seg []byte
		rest, err := asn1.Unmarshal(data, &seg)
		if err != nil {
			return nil, err
		}
		out = append(out, seg...)
		data = rest
	}
	return out, nil
}

func (d *decoder) safeContents(data []byte, depth int) error {
	if depth > 8 {
		return formatErr("SafeContents nesting", nil)
	}
	var bags []safeBag
	if err := unmarshalAll(data, &bags); err != nil {
		return formatErr("SafeContents", err)
	}
	for i := range bags {
		if err := d.bag(&bags[i], depth); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) bag(b *safeBag, depth int) error {
	var alias string
	var localKeyID []byte
	trusted := false
	for _, a := range b.Attributes {
		switch {
		case a.ID.Equal(oidFriendlyName):
			s, err := decodeFriendlyName(a.Value)
			if err != nil {
				return formatErr("friendlyName", err)
			}
			alias = s
		case a.ID.Equal(oidLocalKeyID):
			var id []byte
			if err := firstValue(a.Value, &id); err != nil {
				return formatErr("localKeyID", err)
			}
			localKeyID = id
		case a.ID.Equal(oidJavaTrustedKeyUsage):
			trusted = true
		}
	}
	d.order++
	value, ok := unwrap0(b.Value)
	if !ok {
		return formatErr("bag value", nil)
	}
	switch {
	case b.ID.Equal(oidCertBag):
		var cb certBag
		if err := unmarshalAll(value.FullBytes, &cb); err != nil {
			return formatErr("certificate bag", err)
		}
		if !cb.ID.Equal(oidCertTypeX509) {
			d.skipped++ // sdsiCertificate: nothing writes it
			return nil
		}
		d.certs = append(d.certs, &certItem{der: cb.Data, alias: alias, localKeyID: localKeyID, trusted: trusted, order: d.order})
	case b.ID.Equal(oidKeyBag):
		if err := checkSequence(value.FullBytes); err != nil {
			return formatErr("key bag", err)
		}
		d.keys = append(d.keys, &keyItem{pkcs8: value.FullBytes, alias: alias, localKeyID: localKeyID, order: d.order})
	case b.ID.Equal(oidPKCS8ShroudedKeyBag):
		epki, err := shroudedKey(b)
		if err != nil {
			return err
		}
		key, err := d.decrypt(epki.Algorithm, epki.Data)
		if err != nil {
			return wrapDecrypt(fmt.Sprintf("key %q", alias), err)
		}
		d.keys = append(d.keys, &keyItem{pkcs8: key, alias: alias, localKeyID: localKeyID, order: d.order})
	case b.ID.Equal(oidSafeContentsBag):
		return d.safeContents(value.FullBytes, depth+1)
	default:
		d.skipped++
	}
	// CRL and secret bags are skipped, see the package comment.
	return nil
}

// shroudedKey reads the EncryptedPrivateKeyInfo of a shrouded key bag.
func shroudedKey(b *safeBag) (encryptedPrivateKeyInfo, error) {
	var epki encryptedPrivateKeyInfo
	value, ok := unwrap0(b.Value)
	if !ok {
		return epki, formatErr("bag value", nil)
	}
	if err := unmarshalAll(value.FullBytes, &epki); err != nil {
		return epki, formatErr("shrouded key bag", err)
	}
	return epki, nil
}

// encryption is the profile of what the decoder read.
func (d *decoder) encryption() Encryption {
	switch {
	case !d.hasMAC && !d.encrypted:
		return None
	case d.pbes2 || (d.hasMAC && !d.macSHA1):
		return Modern
	}
	return Legacy
}
