package ca

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/trustctl/trustctl/internal/interrupt"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/safefile"
)

// testHookPrepared runs in Init once the directory is prepared and before
// the CA's files are staged; tests stop the process there.
var testHookPrepared = func() {}

// InitOptions says how to create a CA. Exactly one of: generate (no key
// and no Cert given), adopt (Key or KeyPEM, and Cert), or CSROnly.
type InitOptions struct {
	// Subject of the CA; order of ExtraNames is kept.
	Subject pkix.Name
	// KeyType for a generated key (default [DefaultKeyType]).
	KeyType string
	// Days of the CA certificate's validity (default 3650).
	Days int
	// PathLen is basicConstraints pathLenConstraint; -1 for none.
	PathLen int
	Config  Config
	// KeyPassword encrypts ca.key; nil writes it plain, except that an
	// adopted key that was encrypted stays encrypted with its passphrase.
	KeyPassword []byte
	// AskPassword gives the passphrase of an encrypted KeyPEM when
	// KeyPassword is nil.
	AskPassword func() ([]byte, error)
	// CSROnly writes ca.key and ca.csr instead of a certificate.
	CSROnly bool
	// Key or KeyPEM (a key file's bytes: PEM or DER, plain or encrypted)
	// and Cert adopt an existing CA (checked to match).
	Key    crypto.Signer
	KeyPEM []byte
	Cert   *x509.Certificate
	// Force replaces an existing CA, keeping the serial counter and record.
	Force bool
	Now   time.Time
}

// MaxPathLen bounds --pathlen: Java reads the constraint as an int.
const MaxPathLen = math.MaxInt32

func (o *InitOptions) check() error {
	if o.Days < 1 || o.Days > MaxDays(o.Now) {
		return fmt.Errorf("%w: %d days for the CA certificate (want 1 to %d, ending by 9999-12-31)", ErrValidity, o.Days, MaxDays(o.Now))
	}
	if o.PathLen < -1 || o.PathLen > MaxPathLen {
		return fmt.Errorf("path length %d: want -1 (no limit) or 0 to %d", o.PathLen, MaxPathLen)
	}
	if (o.Key != nil || o.KeyPEM != nil) != (o.Cert != nil) {
		return errors.New("adopting a CA needs both its key and its certificate")
	}
	if o.Cert != nil && o.CSROnly {
		return errors.New("an adopted CA has its certificate; --csr-only makes a new key")
	}
	return o.Config.check(o.Now)
}

// Init creates a CA in dir, or with Force replaces the one there (its key,
// certificate and settings as one step, keeping the counter and record).
// Nothing is written when a check fails; a failure after that removes
// what Init added. The returned CA's Replaced is the certificate of the CA
// it replaced, if any.
func Init(dir string, o InitOptions) (*CA, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Days == 0 {
		o.Days = 3650
	}
	if o.Config.IssueDays == 0 {
		o.Config.IssueDays = 365
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	c := &CA{Dir: dir, Config: o.Config}
	files, remove, err := c.initFiles(&o)
	if err != nil {
		return nil, err
	}
	if !o.Force && isCADir(dir) {
		return nil, fmt.Errorf("%s: %w", dir, ErrExists)
	}
	var (
		mu       sync.Mutex // added and finished, which a stop reads
		added    []string
		finished bool
	)
	undoParents := func() {}
	_, err = os.Stat(dir)
	newDir := errors.Is(err, fs.ErrNotExist)
	if newDir {
		// Parents as mkdir -p makes them, taken away again on failure.
		undo, keep, err := safefile.MkdirAll(filepath.Dir(dir))
		if err != nil {
			return nil, err
		}
		defer keep()
		undoParents = undo
	}
	// A stop (SIGINT, SIGTERM) before the change is committed takes away
	// what Init added, as a failure does. Once ca.pending is written the
	// next command finishes the change, and a CA in place stays. What is
	// about to be added is noted first: removing a path never made does
	// no harm.
	wasCA := isCADir(dir)
	note := func(path string) {
		mu.Lock()
		added = append(added, path)
		mu.Unlock()
	}
	defer interrupt.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		_, err := os.Lstat(filepath.Join(dir, PendingFile))
		if finished || err == nil || (!wasCA && isCADir(dir)) {
			return
		}
		finishReplace(dir) // drops the staged files
		for i := len(added) - 1; i >= 0; i-- {
			os.Remove(added[i])
		}
	})()
	if newDir {
		// The CA directory itself is for its owner alone.
		note(dir)
		if err := os.Mkdir(dir, 0o700); err != nil {
			undoParents()
			return nil, err
		}
	}
	committed := false
	err = withLock(dir, func() error {
		if _, err := recoverDir(dir); err != nil {
			return err
		}
		if isCADir(dir) {
			if !o.Force {
				return fmt.Errorf("%s: %w", dir, ErrExists)
			}
			if data, err := readFile(c.path(CertFile)); err == nil {
				c.Replaced, _ = parseCertPEM(data)
			}
		}
		if err := c.prepareDir(o.Now, note); err != nil {
			return err
		}
		testHookPrepared()
		committed, err = replaceFiles(dir, files, remove)
		return err
	})
	mu.Lock()
	finished = true
	mu.Unlock()
	if err != nil {
		if !committed {
			for i := len(added) - 1; i >= 0; i-- {
				os.Remove(added[i])
			}
			undoParents()
		}
		return nil, err
	}
	return c, nil
}

// initFiles makes the key and the certificate (or CSR) in memory and
// returns the files Init writes and those it removes.
func (c *CA) initFiles(o *InitOptions) (map[string][]byte, []string, error) {
	key := o.Key
	if o.KeyPEM != nil {
		var err error
		if key, err = adoptKey(o); err != nil {
			return nil, nil, err
		}
	}
	files := map[string][]byte{}
	switch {
	case o.Cert != nil:
		if !keyMatches(key, o.Cert.PublicKey) {
			return nil, nil, ErrKeyMismatch
		}
		if err := checkCACert(o.Cert); err != nil {
			return nil, nil, err
		}
		c.Cert = o.Cert
	default:
		kt := o.KeyType
		if kt == "" {
			kt = DefaultKeyType
		}
		var err error
		if key, err = keys.Generate(kt); err != nil {
			return nil, nil, err
		}
		if o.CSROnly {
			der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: o.Subject}, key)
			if err != nil {
				return nil, nil, fmt.Errorf("making the CA's CSR: %w", err)
			}
			files[CSRFile] = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
			break
		}
		if c.Cert, err = selfSign(key, o); err != nil {
			return nil, nil, err
		}
	}
	keyPEM, err := keys.MarshalPKCS8PEM(key, o.KeyPassword)
	if err != nil {
		return nil, nil, err
	}
	files[KeyFile] = keyPEM
	cfg, _ := json.MarshalIndent(c.Config, "", "  ")
	files[ConfigFile] = append(cfg, '\n')
	c.Signer = key
	if o.CSROnly {
		return files, []string{CertFile}, nil
	}
	files[CertFile] = c.CertPEM()
	return files, []string{CSRFile}, nil
}

// adoptKey reads an adopted key. An encrypted one stays encrypted: its
// passphrase, asked for to read it, encrypts ca.key unless another was
// given.
func adoptKey(o *InitOptions) (crypto.Signer, error) {
	ask := o.AskPassword
	if o.KeyPassword != nil {
		ask = func() ([]byte, error) { return o.KeyPassword, nil }
	}
	var asked []byte
	var pw func() ([]byte, error)
	if ask != nil {
		pw = func() ([]byte, error) {
			p, err := ask()
			asked = p
			return p, err
		}
	}
	key, info, err := keys.ParseInfo(o.KeyPEM, pw)
	if err != nil {
		return nil, err
	}
	if info.Encrypted && o.KeyPassword == nil {
		o.KeyPassword = asked
	}
	return key, nil
}

func selfSign(key crypto.Signer, o *InitOptions) (*x509.Certificate, error) {
	ski, err := subjectKeyID(key.Public())
	if err != nil {
		return nil, err
	}
	sn := make([]byte, 16)
	rand.Read(sn)
	sn[0] &= 0x7f
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(sn),
		Subject:               o.Subject,
		NotBefore:             notBefore(o.Now),
		NotAfter:              lastSecond(notBefore(o.Now), o.Days),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLen:            o.PathLen,
		MaxPathLenZero:        o.PathLen == 0,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		SubjectKeyId:          ski,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("making the CA certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// prepareDir makes what a CA directory holds besides the CA itself, when
// missing: issued/, the serial counter, index.json. It calls adding with
// each path before it makes it, so that a stop at any point knows what
// to take away (removing a path never made does no harm).
func (c *CA) prepareDir(now time.Time, adding func(string)) error {
	if _, err := os.Stat(c.path(IssuedDir)); errors.Is(err, fs.ErrNotExist) {
		adding(c.path(IssuedDir))
		if err := os.Mkdir(c.path(IssuedDir), 0o700); err != nil {
			return err
		}
	}
	if _, err := os.Lstat(c.path(SerialFile)); errors.Is(err, fs.ErrNotExist) {
		adding(c.path(SerialFile))
		first := new(big.Int).Lsh(big.NewInt(now.Unix()), 16)
		if err := writeCounter(c.path(SerialFile), first); err != nil {
			return err
		}
	}
	if _, err := os.Lstat(c.path(IndexFile)); errors.Is(err, fs.ErrNotExist) {
		adding(c.path(IndexFile))
		if err := writeIndexFile(c.path(IndexFile), &index{Records: []*Record{}}); err != nil {
			return err
		}
	}
	return nil
}

// replaceFiles writes files and removes remove as one step: each file is
// staged complete beside its target, then ca.pending commits the change,
// then [replaceTxn.apply] renames (see the package documentation).
// committed reports whether the change passed its commit point: after it,
// an error leaves the change for the next command to finish.
func replaceFiles(dir string, files map[string][]byte, remove []string) (committed bool, err error) {
	t := replaceTxn{Remove: remove}
	var staged []string
	defer func() {
		if !committed {
			for _, p := range staged {
				os.Remove(p)
			}
		}
	}()
	for _, name := range stageable {
		data, ok := files[name]
		if !ok {
			continue
		}
		real, err := safefile.Resolve(filepath.Join(dir, name))
		if err != nil {
			return false, err
		}
		perm := fs.FileMode(0o644)
		if name == KeyFile {
			perm = 0o600
		}
		if fi, err := os.Stat(real); err == nil {
			perm = fi.Mode().Perm()
		}
		sp := stagedPath(real)
		if err := safefile.Write(sp, data, safefile.Options{Perm: perm}); err != nil {
			return false, err
		}
		staged = append(staged, sp)
		t.Replace = append(t.Replace, name)
	}
	b, err := json.Marshal(t)
	if err != nil {
		return false, err
	}
	if err := safefile.Write(filepath.Join(dir, PendingFile), append(b, '\n'), safefile.Options{Perm: 0o600}); err != nil {
		return false, err
	}
	if err := t.apply(dir); err != nil {
		return true, fmt.Errorf("%w (the next command on %s finishes the change)", err, dir)
	}
	return true, nil
}

// CSR returns the pending CSR of a --csr-only CA.
func CSR(dir string) ([]byte, error) { return readFile(filepath.Join(dir, CSRFile)) }

// Settings changes some of a CA's settings ([Config]); a nil field keeps
// what ca.json holds.
type Settings struct {
	IssueDays, MaxDays *int
	OCSPURL, CRLURL    *string
}

// apply returns cfg with the settings given, and the ca.json names of
// those that differ from cfg.
func (s Settings) apply(cfg Config) (Config, []string) {
	var changed []string
	give(&cfg.IssueDays, s.IssueDays, "issue_days", &changed)
	give(&cfg.MaxDays, s.MaxDays, "max_days", &changed)
	give(&cfg.OCSPURL, s.OCSPURL, "ocsp_url", &changed)
	give(&cfg.CRLURL, s.CRLURL, "crl_url", &changed)
	return cfg, changed
}

// give sets *field to *v when v is given and differs, and notes name.
func give[T comparable](field, v *T, name string, changed *[]string) {
	if v != nil && *v != *field {
		*field = *v
		*changed = append(*changed, name)
	}
}

// CompleteOptions says how to complete a --csr-only CA.
type CompleteOptions struct {
	// Password gives the passphrase of an encrypted ca.key.
	Password func() ([]byte, error)
	// Settings given on completion replace those ca.json holds from
	// `init --csr-only`; the others are kept.
	Settings Settings
	// Force allows changing the settings of a CA that is complete with
	// that certificate already.
	Force bool
	Now   time.Time
}

// Completion says what [Complete] did.
type Completion struct {
	// Cert is true when the certificate was installed, false when the CA
	// held it already.
	Cert bool
	// Settings names the ca.json settings that changed (issue_days,
	// max_days, ocsp_url, crl_url).
	Settings []string
}

// Changed reports whether Complete changed anything.
func (d Completion) Changed() bool { return d.Cert || len(d.Settings) > 0 }

// Complete installs the certificate a parent signed for a --csr-only CA,
// with the settings given (the others stay as `init --csr-only` wrote
// them), as one step. The certificate must match ca.key and be a CA
// certificate. Completing again with the same certificate changes
// nothing, unless settings that differ are given, which needs Force
// (else [ErrSettingsDiffer]); settings that contradict each other are
// [ErrValidity].
func Complete(dir string, certDER []byte, o CompleteOptions) (c *CA, done Completion, err error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	c = &CA{Dir: dir}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, done, fmt.Errorf("reading the signed certificate: %w", err)
	}
	err = withLock(dir, func() error {
		if _, err := recoverDir(dir); err != nil {
			return err
		}
		complete := false
		if data, err := readFile(c.path(CertFile)); err == nil {
			old, err := parseCertPEM(data)
			if err != nil || !old.Equal(cert) {
				return fmt.Errorf("%s: %w", dir, ErrExists)
			}
			complete = true
		}
		keyData, err := readFile(c.path(KeyFile))
		if err != nil {
			return fmt.Errorf("%s: %w", dir, ErrNotCA)
		}
		cfg, err := c.readConfig()
		if err != nil {
			return err
		}
		newCfg, changed := o.Settings.apply(cfg)
		if err := newCfg.check(o.Now); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		if complete && len(changed) > 0 && !o.Force {
			return fmt.Errorf("%s: %w (%s)", dir, ErrSettingsDiffer, strings.Join(changed, ", "))
		}
		files := map[string][]byte{}
		if len(changed) > 0 {
			b, _ := json.MarshalIndent(newCfg, "", "  ")
			files[ConfigFile] = append(b, '\n')
		}
		if !complete {
			key, err := keys.Parse(keyData, o.Password)
			if err != nil {
				return fmt.Errorf("%s: %w", c.path(KeyFile), err)
			}
			if !keyMatches(key, cert.PublicKey) {
				return ErrKeyMismatch
			}
			if err := checkCACert(cert); err != nil {
				return err
			}
			c.Cert, c.Signer = cert, key
			files[CertFile] = c.CertPEM()
		}
		if len(files) > 0 {
			if _, err := replaceFiles(dir, files, []string{CSRFile}); err != nil {
				return err
			}
		}
		done = Completion{Cert: !complete, Settings: changed}
		return c.readCert()
	})
	if err != nil {
		return nil, Completion{}, err
	}
	return c, done, nil
}
