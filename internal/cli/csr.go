package cli

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/dn"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/pemfile"
)

func csrCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "csr",
		Usage:     "create a certificate signing request",
		UsageText: "trustctl csr --key KEY --subject DN --out CSR [--san dns:NAME,ip:ADDR,email:ADDR,uri:URI] [--new-key TYPE]",
		Description: `Writes a PKCS#10 certificate signing request (PEM) for the private key in
--key, signed with it: SHA-256 for RSA and P-256 keys, SHA-384 for P-384,
SHA-512 for P-521, Ed25519 as is.

--subject is a distinguished name, RFC 4514 ("CN=db01.corp.example,O=Acme,C=US")
or openssl's form ("/C=US/O=Acme/CN=db01.corp.example"); both give the same
subject, in the order written. --san lists subject alternative names
(repeatable, comma-separated): dns:NAME, ip:ADDR (IPv4 or IPv6), email:ADDR,
uri:URI. TLS clients check the SANs, not the CN: give the host names there.

--new-key TYPE first generates a key of that type (rsa2048, rsa3072, rsa4096,
ec256, ec384, ed25519) into --key, which must not exist, with mode 0600, like
"openssl req -new -nodes -newkey ... -keyout KEY".

An encrypted key's passphrase comes from --key-password, --key-password-env,
--key-password-file or the terminal. An existing --out is only replaced with
--force.

EXAMPLES
  A PostgreSQL server's key and CSR (openssl req -new -nodes -subj '/CN=<FQDN>'):
    $ trustctl csr --new-key rsa2048 --key server.key --subject /CN=postgresql.corp.domain.com \
        --san dns:postgresql.corp.domain.com --out server.csr

  A client certificate request for database user db_user:
    $ trustctl csr --key client.key --subject CN=db_user --out client.csr

  From a passphrase-protected ECDSA P-384 key (signed with SHA-384):
    $ trustctl csr --key signing.key --key-password-env KEYPASS \
        --subject "CN=Acme Signing,O=Acme Corp,C=US" --out signing.csr

EXIT CODES
  0 written; 2 bad usage, unreadable key or wrong passphrase (nothing written)`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "key", Aliases: []string{"k"}, Usage: "the private key `FILE` (any form; see key convert)", Required: true},
			&ucli.StringFlag{Name: "subject", Aliases: []string{"subj"}, Usage: "subject `DN`: CN=..,O=..,C=.. or /C=../O=../CN=..", Required: true},
			&ucli.StringSliceFlag{Name: "san", Usage: "subject alternative names: a `LIST` of dns:NAME, ip:ADDR, email:ADDR, uri:URI, comma-separated (repeatable)"},
			&ucli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the CSR to `FILE` (- for standard output)", Required: true},
			&ucli.StringFlag{Name: "new-key", Usage: "generate a key of `TYPE` into --key first: " + strings.Join(keys.Kinds, "|")},
			forceFlag,
		}, secretFlags(pwKey, "passphrase of the key")...),
		Action: runCSR,
	}
}

func runCSR(c *ucli.Context) error {
	if c.NArg() > 0 {
		return usageErrorf("csr takes no arguments (got %q); use --key, --subject and --out", c.Args().First())
	}
	subject, err := dn.ParseSequence(c.String("subject"))
	if err != nil {
		return usageErrorf("--subject: %v", err)
	}
	rawSubject, err := dn.Marshal(subject)
	if err != nil {
		return usageErrorf("--subject: %v", err)
	}
	sans, err := dn.ParseSANs(strings.Join(c.StringSlice("san"), ","))
	if err != nil {
		return usageErrorf("--san: %v", err)
	}
	keyPath, out, force := c.String("key"), c.String("out"), c.Bool("force")
	if out != "-" && !force {
		if _, err := os.Lstat(out); err == nil {
			return existsError(out)
		}
	}
	env := envOf(c)

	var key crypto.Signer
	if kind := strings.ToLower(c.String("new-key")); kind != "" {
		if !validKind(kind) {
			return usageErrorf("--new-key %s: want one of %s", c.String("new-key"), strings.Join(keys.Kinds, ", "))
		}
		if _, err := os.Lstat(keyPath); err == nil {
			return withHint(fmt.Errorf("--new-key: %s exists; not overwriting a key", keyPath), "drop --new-key to use that key")
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if key, err = keys.Generate(kind); err != nil {
			return err
		}
	} else {
		if key, err = readKeyFile(c, keyPath); err != nil {
			return err
		}
	}

	tmpl := &x509.CertificateRequest{
		RawSubject:         rawSubject,
		SignatureAlgorithm: csrSignatureAlgorithm(key),
		DNSNames:           sans.DNS,
		IPAddresses:        sans.IPs,
		EmailAddresses:     sans.Emails,
		URIs:               sans.URIs,
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return fmt.Errorf("signing the CSR with the %s key: %w", keys.Describe(key), err)
	}
	// Write the new key before the CSR: a CSR without its key is useless.
	if c.IsSet("new-key") {
		data, err := keys.Encode(key, keys.EncodeOptions{Format: keys.PKCS8})
		if err != nil {
			return err
		}
		if err := writeKeyFile(env, keyPath, data, false); err != nil {
			return err
		}
	}
	if err := writeOutput(env, out, pemfile.Encode("CERTIFICATE REQUEST", der), force, 0o644); err != nil {
		return err
	}
	if out != "-" {
		line := fmt.Sprintf("wrote %s: %s", out, dn.Format(subject))
		if !sans.Empty() {
			line += ", SANs " + dn.FormatSANs(sans)
		}
		fmt.Fprintf(env.Stdout, "%s (%s, %s)\n", line, keys.Describe(key), tmpl.SignatureAlgorithm)
	}
	return nil
}

// csrSignatureAlgorithm picks the hash to match the key's strength, as
// RFC 5480 section 4 and CA/B Forum BR 7.1.3.2 pair them: P-256 with
// SHA-256, P-384 with SHA-384, P-521 with SHA-512; RSA with SHA-256
// (PKCS#1 v1.5, what every CA accepts); Ed25519 signs the message itself
// (RFC 8410).
func csrSignatureAlgorithm(key crypto.Signer) x509.SignatureAlgorithm {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return x509.SHA256WithRSA
	case *ecdsa.PrivateKey:
		switch k.Curve.Params().BitSize {
		case 384:
			return x509.ECDSAWithSHA384
		case 521:
			return x509.ECDSAWithSHA512
		}
		return x509.ECDSAWithSHA256
	case ed25519.PrivateKey:
		return x509.PureEd25519
	}
	return x509.UnknownSignatureAlgorithm
}
