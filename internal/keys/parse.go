package keys

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/trustctl/trustctl/internal/pemfile"
)

// PEM block types of private keys.
const (
	typePKCS8     = "PRIVATE KEY"
	typeEncPKCS8  = "ENCRYPTED PRIVATE KEY"
	typePKCS1     = "RSA PRIVATE KEY"
	typeSEC1      = "EC PRIVATE KEY"
	typeECParams  = "EC PARAMETERS"
	typeTestingKY = "TESTING KEY" // how keys inside Go test sources are labelled
)

// Info says in which form a parsed key was found.
type Info struct {
	Format    Format // PKCS8, PKCS1 or SEC1
	PEM       bool
	Encrypted bool // the key was encrypted (PKCS#8 PBES2 or legacy PEM)
	Legacy    bool // encrypted with the legacy Proc-Type/DEK-Info PEM headers
}

// Parse reads one private key from data: PEM (the first key block; text and
// other blocks around it are ignored) or DER; PKCS#1, SEC1 or PKCS#8; plain
// or encrypted. password is called only when the key is encrypted; a nil
// password makes an encrypted key an [ErrNeedPassword] error.
//
// Errors: [ErrNoKey], [ErrWrongPassword], [ErrNeedPassword],
// [*UnsupportedError], [*CorruptError], or the error password returned.
func Parse(data []byte, password func() ([]byte, error)) (crypto.Signer, error) {
	k, _, err := ParseInfo(data, password)
	return k, err
}

// ParseInfo is [Parse] that also reports the form the key was in.
func ParseInfo(data []byte, password func() ([]byte, error)) (crypto.Signer, Info, error) {
	if pemfile.LooksLikePEM(data) {
		return parsePEM(data, password)
	}
	return parseDER(data, password)
}

func parsePEM(data []byte, password func() ([]byte, error)) (crypto.Signer, Info, error) {
	blocks, err := pemfile.Decode(data)
	if err != nil && len(blocks) == 0 {
		return nil, Info{}, &CorruptError{Form: "PEM", Err: err}
	}
	for _, b := range blocks {
		switch b.Type {
		case typePKCS8, typeEncPKCS8, typePKCS1, typeSEC1, typeTestingKY:
			return parseBlock(b.Block, password)
		case "DSA PRIVATE KEY":
			return nil, Info{}, &UnsupportedError{What: "key type DSA"}
		case "OPENSSH PRIVATE KEY":
			return nil, Info{}, &UnsupportedError{What: "key format OpenSSH (convert it with ssh-keygen -p -m PKCS8)"}
		}
		if strings.HasSuffix(b.Type, "PRIVATE KEY") {
			return nil, Info{}, &UnsupportedError{What: "key block " + b.Type}
		}
	}
	if err != nil {
		// A damaged block after the ones we read may have been the key.
		return nil, Info{}, &CorruptError{Form: "PEM", Err: err}
	}
	return nil, Info{}, ErrNoKey
}

func parseBlock(b *pem.Block, password func() ([]byte, error)) (crypto.Signer, Info, error) {
	info := Info{PEM: true}
	der := b.Bytes
	//lint:ignore SA1019 the legacy form is only read, never written
	if x509.IsEncryptedPEMBlock(b) {
		info.Encrypted, info.Legacy = true, true
		pw, err := getPassword(password)
		if err != nil {
			return nil, info, err
		}
		// Legacy "Proc-Type: 4,ENCRYPTED" PEM (OpenSSL's PEM_write_bio_*
		// with a cipher, e.g. `openssl rsa -aes256`): the key is derived with
		// EVP_BytesToKey (MD5, one round). Go's deprecated x509.DecryptPEMBlock
		// implements exactly this and is acceptable for reading old files; it
		// returns x509.IncorrectPasswordError when the padding is wrong.
		//lint:ignore SA1019 the legacy form is only read, never written
		plain, err := x509.DecryptPEMBlock(b, pw)
		if err != nil {
			if errors.Is(err, x509.IncorrectPasswordError) {
				return nil, info, ErrWrongPassword
			}
			if strings.Contains(err.Error(), "unknown encryption mode") {
				return nil, info, &UnsupportedError{What: "legacy PEM encryption " + b.Headers["DEK-Info"]}
			}
			return nil, info, &CorruptError{Form: "encrypted PEM", Err: err}
		}
		k, f, err := parsePlain(b.Type, plain)
		info.Format = f
		if err != nil {
			var ue *UnsupportedError
			if errors.As(err, &ue) {
				return nil, info, err
			}
			// Valid padding by chance (about 1 in 256 wrong passwords), but
			// the plaintext is not a key: still a wrong password.
			return nil, info, ErrWrongPassword
		}
		return k, info, nil
	}
	if b.Type == typeEncPKCS8 {
		k, err := decryptPKCS8(der, password)
		info.Encrypted, info.Format = true, PKCS8
		return k, info, err
	}
	k, f, err := parsePlain(b.Type, der)
	info.Format = f
	return k, info, err
}

// parsePlain parses an unencrypted DER key whose PEM type says which form
// it should be in; "" (DER input) tries them all.
func parsePlain(typ string, der []byte) (crypto.Signer, Format, error) {
	switch typ {
	case typePKCS1:
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			if _, e2 := x509.ParsePKCS8PrivateKey(der); e2 == nil {
				// Some tools label PKCS#8 as RSA PRIVATE KEY; be lenient.
				return parsePKCS8(der)
			}
			return nil, PKCS1, &CorruptError{Form: "PKCS#1", Err: err}
		}
		return k, PKCS1, nil
	case typeSEC1:
		k, err := x509.ParseECPrivateKey(der)
		if err != nil {
			if name := sec1CurveName(der); name != "" {
				return nil, SEC1, &UnsupportedError{What: "key type " + name}
			}
			return nil, SEC1, &CorruptError{Form: "SEC1", Err: err}
		}
		return k, SEC1, nil
	case typePKCS8, typeTestingKY:
		return parsePKCS8(der)
	}
	// DER: try the forms from the most to the least self-describing.
	if k, f, err := parsePKCS8(der); err == nil {
		return k, f, nil
	} else if _, ok := err.(*UnsupportedError); ok {
		return nil, f, err
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, PKCS1, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, SEC1, nil
	}
	if name := sec1CurveName(der); name != "" {
		return nil, SEC1, &UnsupportedError{What: "key type " + name}
	}
	return nil, "", nil
}

// pkcs8Info is PrivateKeyInfo (RFC 5208 section 5), enough of it to name
// the algorithm of a key crypto/x509 refuses.
type pkcs8Info struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
	Rest       asn1.RawValue `asn1:"optional,tag:0"`
}

func parsePKCS8(der []byte) (crypto.Signer, Format, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, PKCS8, nil
		}
		return nil, PKCS8, &UnsupportedError{What: fmt.Sprintf("key type %s", describeNonSigner(k))}
	}
	var info pkcs8Info
	if rest, e2 := asn1.Unmarshal(der, &info); e2 == nil && len(rest) == 0 {
		oid := info.Algo.Algorithm.String()
		if oid == "1.2.840.10045.2.1" { // id-ecPublicKey: the curve is the parameter
			var curve asn1.ObjectIdentifier
			if _, e3 := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &curve); e3 == nil {
				return nil, PKCS8, &UnsupportedError{What: "key type " + curveName(curve.String())}
			}
		}
		if _, known := oidNames[oid]; known && oid != "1.3.101.112" {
			return nil, PKCS8, &UnsupportedError{What: "key type " + oidName(oid)}
		}
	}
	return nil, PKCS8, &CorruptError{Form: "PKCS#8", Err: err}
}

func curveName(oid string) string {
	if n, ok := oidNames[oid]; ok {
		return n
	}
	return "EC curve " + oid
}

// sec1CurveName returns the curve of a SEC1 key crypto/x509 refused for
// its curve, or "".
func sec1CurveName(der []byte) string {
	var k struct {
		Version    int
		PrivateKey []byte
		Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
		Pub        asn1.BitString        `asn1:"optional,explicit,tag:1"`
	}
	if rest, err := asn1.Unmarshal(der, &k); err != nil || len(rest) != 0 || k.Version != 1 || len(k.Curve) == 0 {
		return ""
	}
	switch k.Curve.String() {
	case "1.3.132.0.33", "1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35":
		return "" // supported curves: the error is corruption, not the type
	}
	return curveName(k.Curve.String())
}

func describeNonSigner(k any) string {
	s := fmt.Sprintf("%T", k)
	if strings.Contains(s, "ecdh") {
		return "X25519"
	}
	return s
}

func parseDER(der []byte, password func() ([]byte, error)) (crypto.Signer, Info, error) {
	if len(bytes.TrimSpace(der)) == 0 {
		return nil, Info{}, ErrNoKey
	}
	k, f, err := parsePlain("", der)
	if err != nil {
		return nil, Info{Format: f}, err
	}
	if k != nil {
		return k, Info{Format: f}, nil
	}
	if looksEncryptedPKCS8(der) {
		k, err := decryptPKCS8(der, password)
		return k, Info{Format: PKCS8, Encrypted: true}, err
	}
	return nil, Info{}, &CorruptError{Form: "DER", Err: errors.New("not a PKCS#8, PKCS#1 or SEC1 private key")}
}

func getPassword(password func() ([]byte, error)) ([]byte, error) {
	if password == nil {
		return nil, ErrNeedPassword
	}
	return password()
}
