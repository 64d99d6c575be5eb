package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// testRSA returns an RSA-2048 key made once for the package (2 CPU cores).
func testRSA(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() {
		var err error
		rsaKey, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
	})
	return rsaKey
}

func testKeys(t testing.TB) map[string]crypto.Signer {
	t.Helper()
	ec256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	return map[string]crypto.Signer{"rsa": testRSA(t), "ec256": ec256, "ec384": ec384, "ed25519": ed}
}

func pw(s string) func() ([]byte, error) { return func() ([]byte, error) { return []byte(s), nil } }

func TestGenerateKinds(t *testing.T) {
	for _, kind := range []string{"ec256", "ec384", "ed25519"} {
		k, err := Generate(kind)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if !Matches(k, k.Public()) {
			t.Errorf("%s: key does not match its own public key", kind)
		}
	}
	if _, err := Generate("dsa1024"); err == nil || !strings.Contains(err.Error(), "rsa2048") {
		t.Errorf("unknown kind: got %v, want an error listing the kinds", err)
	}
}

func TestEncodeParseRoundTrip(t *testing.T) {
	for name, key := range testKeys(t) {
		for _, f := range []Format{PKCS8, PKCS1, SEC1} {
			for _, der := range []bool{false, true} {
				for _, pass := range [][]byte{nil, []byte("s3cret")} {
					data, err := Encode(key, EncodeOptions{Format: f, DER: der, Password: pass})
					if err != nil {
						var fe *FormatError
						if errors.As(err, &fe) || errors.Is(err, ErrEncryptedLegacy) {
							continue
						}
						t.Fatalf("%s %s der=%v: %v", name, f, der, err)
					}
					got, info, err := ParseInfo(data, pw("s3cret"))
					if err != nil {
						t.Fatalf("%s %s der=%v enc=%v: parse: %v", name, f, der, pass != nil, err)
					}
					if !Matches(got, key.Public()) {
						t.Errorf("%s %s: parsed key differs", name, f)
					}
					if info.Format != f || info.Encrypted != (pass != nil) || info.PEM == der {
						t.Errorf("%s %s der=%v: info %+v", name, f, der, info)
					}
				}
			}
		}
	}
}

func TestEncodeRefusesImpossible(t *testing.T) {
	ks := testKeys(t)
	if _, err := Encode(ks["ec256"], EncodeOptions{Format: PKCS1}); err == nil || !strings.Contains(err.Error(), "RSA keys only") {
		t.Errorf("pkcs1 of EC: %v", err)
	}
	if _, err := Encode(ks["rsa"], EncodeOptions{Format: SEC1}); err == nil || !strings.Contains(err.Error(), "EC keys only") {
		t.Errorf("sec1 of RSA: %v", err)
	}
	if _, err := Encode(ks["ed25519"], EncodeOptions{Format: SEC1}); err == nil {
		t.Errorf("sec1 of Ed25519: no error")
	}
	if _, err := Encode(ks["rsa"], EncodeOptions{Format: PKCS1, Password: []byte("x")}); !errors.Is(err, ErrEncryptedLegacy) {
		t.Errorf("encrypted pkcs1: %v", err)
	}
}

func TestParseWrongPassword(t *testing.T) {
	key := testKeys(t)["ec256"]
	data, _ := MarshalPKCS8PEM(key, []byte("right"))
	for i := 0; i < 6; i++ { // wrong passwords whose padding happens to be valid must fail too
		if _, err := Parse(data, pw("wrong"+string(rune('a'+i)))); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("got %v, want ErrWrongPassword", err)
		}
	}
	if _, err := Parse(data, nil); !errors.Is(err, ErrNeedPassword) {
		t.Errorf("nil password: %v", err)
	}
}

func TestParseAsksPasswordOnlyWhenEncrypted(t *testing.T) {
	data, _ := MarshalPKCS8PEM(testKeys(t)["ed25519"], nil)
	asked := false
	if _, err := Parse(data, func() ([]byte, error) { asked = true; return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if asked {
		t.Error("password asked for a plain key")
	}
}

func TestParseErrors(t *testing.T) {
	key := testKeys(t)["ec256"]
	enc, _ := Encode(key, EncodeOptions{DER: true, Password: []byte("pw")})
	corrupt := bytes.Clone(enc)
	corrupt = corrupt[:len(corrupt)-5]
	tests := []struct {
		name string
		data []byte
		want func(error) bool
	}{
		{"empty", nil, func(e error) bool { return errors.Is(e, ErrNoKey) }},
		{"cert only", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), func(e error) bool { return errors.Is(e, ErrNoKey) }},
		{"garbage DER", []byte{0x30, 0x03, 0x02, 0x01, 0x01}, isCorrupt},
		{"truncated encrypted", corrupt, isCorrupt},
		{"broken PEM", []byte("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"), isCorrupt},
		{"dsa pem", []byte("-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n"), func(e error) bool { return isUnsupported(e) && strings.Contains(e.Error(), "DSA") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.data, pw("pw"))
			if err == nil || !tt.want(err) {
				t.Errorf("got %v (%T)", err, err)
			}
		})
	}
}

func isCorrupt(e error) bool     { var c *CorruptError; return errors.As(e, &c) }
func isUnsupported(e error) bool { var u *UnsupportedError; return errors.As(e, &u) }

func TestMatches(t *testing.T) {
	ks := testKeys(t)
	for a, ka := range ks {
		for b, kb := range ks {
			if got := Matches(ka, kb.Public()); got != (a == b) {
				t.Errorf("Matches(%s, %s) = %v", a, b, got)
			}
		}
	}
}

func openssl(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func needOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not on PATH")
	}
}

// TestReadOpenSSLKeys reads every key form openssl writes.
func TestReadOpenSSLKeys(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	// One RSA key (slow to make), the rest cheap.
	os.WriteFile(filepath.Join(dir, "rsa.pem"), mustPKCS1(t), 0o600)
	openssl(t, dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "ec384.pem")
	openssl(t, dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", "ecparam.pem") // EC PARAMETERS + EC PRIVATE KEY
	openssl(t, dir, "genpkey", "-algorithm", "ED25519", "-out", "ed.pem")
	openssl(t, dir, "genpkey", "-algorithm", "X25519", "-out", "x25519.pem")
	openssl(t, dir, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "rsa.pem", "-out", "rsa.p8.aes256", "-passout", "pass:secret")
	openssl(t, dir, "pkcs8", "-topk8", "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1", "-in", "ec384.pem", "-out", "ec.p8.aes128", "-passout", "pass:secret")
	openssl(t, dir, "pkcs8", "-topk8", "-v2", "des3", "-in", "ed.pem", "-out", "ed.p8.des3", "-passout", "pass:secret")
	openssl(t, dir, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-outform", "DER", "-in", "ec384.pem", "-out", "ec.p8.der", "-passout", "pass:secret")
	openssl(t, dir, "pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in", "rsa.pem", "-out", "client.pk8")
	openssl(t, dir, "rsa", "-aes256", "-traditional", "-in", "rsa.pem", "-out", "rsa.legacy.aes", "-passout", "pass:secret")
	openssl(t, dir, "rsa", "-des3", "-traditional", "-in", "rsa.pem", "-out", "rsa.legacy.des3", "-passout", "pass:secret")
	openssl(t, dir, "ec", "-aes128", "-in", "ecparam.pem", "-out", "ec.legacy.aes", "-passout", "pass:secret")
	openssl(t, dir, "ec", "-in", "ec384.pem", "-outform", "DER", "-out", "ec.sec1.der")
	openssl(t, dir, "rsa", "-traditional", "-in", "rsa.pem", "-outform", "DER", "-out", "rsa.pkcs1.der")
	openssl(t, dir, "req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-subj", "/CN=db", "-keyout", "req.key", "-out", "req.csr")
	openssl(t, dir, "pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", "ec384.pem", "-out", "ec.v1", "-passout", "pass:secret")
	openssl(t, dir, "genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024", "-out", "dsa.param")
	openssl(t, dir, "genpkey", "-paramfile", "dsa.param", "-out", "dsa.pem")
	openssl(t, dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-out", "k1.pem")
	openssl(t, dir, "ec", "-in", "k1.pem", "-out", "k1.sec1")
	openssl(t, dir, "genpkey", "-algorithm", "ED448", "-out", "ed448.pem")

	for _, tt := range []struct {
		file, want string
		enc        bool
	}{
		{"rsa.pem", "RSA 2048", false},
		{"ec384.pem", "ECDSA P-384", false},
		{"ecparam.pem", "ECDSA P-256", false},
		{"ed.pem", "Ed25519", false},
		{"rsa.p8.aes256", "RSA 2048", true},
		{"ec.p8.aes128", "ECDSA P-384", true},
		{"ed.p8.des3", "Ed25519", true},
		{"ec.p8.der", "ECDSA P-384", true},
		{"client.pk8", "RSA 2048", false},
		{"rsa.legacy.aes", "RSA 2048", true},
		{"rsa.legacy.des3", "RSA 2048", true},
		{"ec.legacy.aes", "ECDSA P-256", true},
		{"ec.sec1.der", "ECDSA P-384", false},
		{"rsa.pkcs1.der", "RSA 2048", false},
		{"req.key", "ECDSA P-256", false},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data, _ := os.ReadFile(filepath.Join(dir, tt.file))
			k, info, err := ParseInfo(data, pw("secret"))
			if err != nil {
				t.Fatal(err)
			}
			if got := Describe(k); got != tt.want {
				t.Errorf("key %s, want %s", got, tt.want)
			}
			if info.Encrypted != tt.enc {
				t.Errorf("encrypted=%v, want %v", info.Encrypted, tt.enc)
			}
			if tt.enc {
				if _, err := Parse(data, pw("wrong")); !errors.Is(err, ErrWrongPassword) {
					t.Errorf("wrong password: got %v", err)
				}
			}
		})
	}
	for file, want := range map[string]string{
		"x25519.pem": "key type X25519",
		"ec.v1":      "key encryption PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC",
		"dsa.pem":    "key type DSA",
		"k1.pem":     "key type EC secp256k1",
		"k1.sec1":    "key type EC secp256k1",
		"ed448.pem":  "key type Ed448",
	} {
		data, _ := os.ReadFile(filepath.Join(dir, file))
		_, err := Parse(data, pw("secret"))
		if !isUnsupported(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want unsupported %s", file, err, want)
		}
	}
}

func mustPKCS1(t *testing.T) []byte {
	b, err := Encode(testRSA(t), EncodeOptions{Format: PKCS1})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenSSLReadsOurKeys checks that openssl pkey reads every form we write.
func TestOpenSSLReadsOurKeys(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	for name, key := range testKeys(t) {
		for _, f := range []Format{PKCS8, PKCS1, SEC1} {
			for _, der := range []bool{false, true} {
				for _, pass := range [][]byte{nil, []byte("secret")} {
					data, err := Encode(key, EncodeOptions{Format: f, DER: der, Password: pass})
					if err != nil {
						continue
					}
					p := filepath.Join(dir, "k")
					os.WriteFile(p, data, 0o600)
					args := []string{"pkey", "-in", p, "-noout", "-passin", "pass:secret"}
					if der {
						args = append(args, "-inform", "DER")
					}
					cmd := exec.Command("openssl", args...)
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Errorf("%s %s der=%v enc=%v: openssl pkey: %v\n%s", name, f, der, pass != nil, err, out)
					}
				}
			}
		}
	}
}

// TestMain writes test keys with OpenSSL's 2048 PBKDF2 iterations, to keep
// the suite fast on shared CI cores; TestEncryptIterations checks the real
// count.
func TestMain(m *testing.M) {
	encryptIterations = 2048
	os.Exit(m.Run())
}

func TestEncryptIterations(t *testing.T) {
	encryptIterations = PBKDF2Iterations
	defer func() { encryptIterations = 2048 }()
	der, err := Encode(testKeys(t)["ec256"], EncodeOptions{DER: true, Password: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	var epki encryptedPrivateKeyInfo
	var p2 pbes2Params
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(der, &epki); err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(epki.Algo.Parameters.FullBytes, &p2); err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(p2.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil {
		t.Fatal(err)
	}
	if kdf.IterationCount != PBKDF2Iterations || len(kdf.Salt) != 16 || !kdf.PRF.Algorithm.Equal(oidHMACSHA256) || !p2.EncryptionScheme.Algorithm.Equal(oidAES256CBC) {
		t.Errorf("PBES2 parameters: %d iterations, %d-byte salt, PRF %v, cipher %v", kdf.IterationCount, len(kdf.Salt), kdf.PRF.Algorithm, p2.EncryptionScheme.Algorithm)
	}
	if _, err := Parse(der, pw("pw")); err != nil {
		t.Error(err)
	}
}
