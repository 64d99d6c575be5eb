package cli

import (
	"crypto"
	"crypto/sha1"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/dn"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/pemfile"
	"github.com/trustctl/trustctl/internal/render"
)

func csrCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "csr",
		Usage:     "create a certificate signing request",
		UsageText: "trustctl csr --key KEY --subject DN --out CSR [--san dns:NAME,ip:ADDR,email:ADDR,uri:URI] [--new-key TYPE] [--json]",
		Description: `Writes a PKCS#10 certificate signing request (PEM) for the private key in
--key, signed with it: SHA-256 for RSA and P-256 keys, SHA-384 for P-384,
SHA-512 for P-521, Ed25519 as is.

--subject is a distinguished name, RFC 4514 ("CN=db01.corp.example,O=Acme,C=US")
or openssl's form ("/C=US/O=Acme/CN=db01.corp.example"); both give the same
subject, in the order written. --san lists subject alternative names
(repeatable, comma-separated): dns:NAME, ip:ADDR (IPv4 or IPv6), email:ADDR,
uri:URI. TLS clients check the SANs, not the CN: give the host names there.

--new-key TYPE first generates a key of that type (rsa2048, rsa3072, rsa4096,
ec256, ec384, ed25519) into --key, with mode 0600, like "openssl req -new
-nodes -newkey ... -keyout KEY". A --key that exists is never replaced: when
it holds a plain PKCS#8 key of that type, that key is used; otherwise it is
an error.

An encrypted key's passphrase comes from --key-password, --key-password-env,
--key-password-file, or --password, --password-env, --password-file (the
same flags), or the terminal. An --out that already asks for the same
subject and names with the same key is left as it is and reported
unchanged; any other existing --out is only replaced with --force. --out -
writes the CSR to standard output.

--json prints {"file", "subject", "sans", "key_file", "new_key", "key",
"signature", "changed"}.

EXAMPLES
  A PostgreSQL server's key and CSR (openssl req -new -nodes -subj '/CN=<FQDN>'):
    $ trustctl csr --new-key rsa2048 --key server.key --subject /CN=postgresql.corp.domain.com \
        --san dns:postgresql.corp.domain.com --out server.csr

  A client certificate request for database user db_user:
    $ trustctl csr --key client.key --subject CN=db_user --out client.csr

  From a passphrase-protected ECDSA P-384 key (signed with SHA-384):
    $ trustctl csr --key signing.key --key-password-env KEYPASS \
        --subject "CN=Acme Signing,O=Acme Corp,C=US" --out signing.csr

  The CipherTrust agent's request, the passphrase in a plain file:
    $ trustctl csr --key client_key.pem --password-file passphrase --subject CN=agent01 --out agent01.csr

EXIT CODES
  0 written (or already there); 2 bad usage, unreadable key or wrong
  passphrase, or another file in the way (nothing written)`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "key", Aliases: []string{"k"}, Usage: "the private key `FILE` (any form; see key convert)", Required: true},
			&ucli.StringFlag{Name: "subject", Aliases: []string{"subj"}, Usage: "subject `DN`: CN=..,O=..,C=.. or /C=../O=../CN=..", Required: true},
			&ucli.StringSliceFlag{Name: "san", Usage: "subject alternative names: a `LIST` of dns:NAME, ip:ADDR, email:ADDR, uri:URI, comma-separated (repeatable)"},
			&ucli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the CSR to `FILE` (- for standard output)", Required: true},
			&ucli.StringFlag{Name: "new-key", Usage: "generate a key of `TYPE` into --key first: " + strings.Join(keys.Kinds, "|")},
			forceFlag,
			jsonFlag,
		}, oneSecretFlags("passphrase of the key")...),
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
	if err := checkKeyOut(c, out); err != nil {
		return err
	}
	if out != "-" && filepath.Clean(out) == filepath.Clean(keyPath) {
		return usageErrorf("--out and --key name the same file, %s: the CSR goes to a file of its own", out)
	}
	old, exists, err := existingFile(out, force)
	if err != nil {
		return err
	}
	if exists && old == nil {
		return existsError(out)
	}
	key, newKey, err := csrKey(c, keyPath)
	if err != nil {
		return err
	}
	req := keys.CSR{RawSubject: rawSubject, SANs: sans}
	rep := render.CSRDoc{File: out, Subject: dn.Format(subject), SANs: dn.FormatSANs(sans), KeyFile: keyPath,
		NewKey: newKey != nil, Key: keys.Describe(key), Signature: keys.CSRSignatureAlgorithm(key).String()}
	if exists {
		if newKey == nil && keys.HoldsCSR(old, key, req) {
			rep.SHA1 = csrSHA1(old)
			return render.CSRReport(envOf(c).Stdout, rep, c.Bool("json"))
		}
		return existsError(out)
	}
	data, _, err := keys.CreateCSR(key, req)
	if err != nil {
		return err
	}
	env := envOf(c)
	// Write the new key before the CSR: a CSR without its key is useless.
	// A CSR that cannot be written takes the new key away with it.
	if newKey != nil {
		if err := writeKeyFile(env, keyPath, newKey, false); err != nil {
			return err
		}
	}
	if err := writeOutput(env, out, data, force, false); err != nil {
		if newKey != nil {
			os.Remove(keyPath)
		}
		return err
	}
	rep.Changed, rep.SHA1 = true, csrSHA1(data)
	return reported(out, true, render.CSRReport(envOf(c).Stdout, rep, c.Bool("json")))
}

// csrKey returns the key the CSR is for: the one in keyPath, or with
// --new-key a new one and its PEM to write (nil when keyPath already holds
// a plain key of that type, which is then used: running the same command
// twice makes no second key).
func csrKey(c *ucli.Context, keyPath string) (crypto.Signer, []byte, error) {
	kind := strings.ToLower(c.String("new-key"))
	if kind == "" {
		key, err := readKeyFile(c, keyPath)
		return key, nil, err
	}
	if !validKind(kind) {
		return nil, nil, usageErrorf("--new-key %s: want one of %s", c.String("new-key"), strings.Join(keys.Kinds, ", "))
	}
	opts := keys.EncodeOptions{Format: keys.PKCS8}
	if old, exists, err := existingFile(keyPath, false); err != nil {
		return nil, nil, err
	} else if exists {
		if key := keys.HoldsKind(old, kind, opts); key != nil {
			return key, nil, nil
		}
		return nil, nil, withHint(fmt.Errorf("--new-key: %s exists; not overwriting a key", keyPath), "drop --new-key to use that key")
	}
	key, err := keys.Generate(kind)
	if err != nil {
		return nil, nil, err
	}
	data, err := keys.Encode(key, opts)
	return key, data, err
}

// csrSHA1 is the SHA-1 fingerprint of the request in a PEM file: what the
// requester reads out to the CA's operator before it is signed.
func csrSHA1(data []byte) string {
	blocks, err := pemfile.Decode(data)
	if err != nil {
		return ""
	}
	sum := sha1.Sum(blocks[0].Bytes)
	return certs.Fingerprint(sum[:])
}
