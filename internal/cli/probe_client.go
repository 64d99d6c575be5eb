package cli

import (
	"crypto/tls"
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/probe"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

// loadClientCert reads --client-cert (and --client-key). The store
// password (--password*) opens a PKCS#12 or JKS --client-cert. The client
// key's password (an encrypted PEM key, or a JKS key entry that the store
// password does not open) is --key-password* when given, else the store
// password, as keytool takes the store password for a key entry; with
// neither, it is asked for on a terminal. A problem is named by the flag
// of the file it is in.
func loadClientCert(c *ucli.Context) (*tls.Certificate, error) {
	pw, havePW, err := readSecret(c, pwStore)
	if err != nil {
		return nil, err
	}
	keyPW, haveKeyPW, err := readSecret(c, pwKey)
	if err != nil {
		return nil, err
	}
	opts := source.Options{Password: pw, HavePassword: havePW}
	switch {
	case haveKeyPW:
		opts.KeyPassword = func() ([]byte, error) { return keyPW, nil }
	case havePW:
		opts.KeyPassword = func() ([]byte, error) { return pw, nil }
	default:
		opts.KeyPassword = lazySecret(c, pwKey, "Password of the client key")
	}
	certPath, keyPath := c.String("client-cert"), c.String("client-key")
	if certPath == source.Stdin && keyPath == source.Stdin {
		return nil, usageErrorf("--client-cert and --client-key cannot both read standard input (-)")
	}
	set, err := source.Load(certPath, opts)
	if err != nil {
		return nil, clientCertError("--client-cert", err, havePW, haveKeyPW)
	}
	if keyPath != "" {
		kset, err := source.Load(keyPath, opts)
		if err != nil {
			return nil, clientCertError("--client-key", err, havePW, haveKeyPW)
		}
		set.Merge(kset)
	}
	tc, err := probe.ClientCertificate(set)
	if err != nil {
		if errors.Is(err, probe.ErrNoClientKey) && keyPath == "" {
			return nil, withHint(fmt.Errorf("--client-cert: %w", err), "a PEM certificate needs its key: pass --client-key FILE")
		}
		return nil, fmt.Errorf("--client-cert: %w", err)
	}
	return tc, nil
}

// clientCertError names the flag of the file that could not be read and
// says which password was tried.
func clientCertError(flag string, err error, havePW, haveKeyPW bool) error {
	err = fmt.Errorf("%s: %w", flag, err)
	wrongKey := errors.Is(err, keys.ErrWrongPassword) || errors.Is(err, store.ErrWrongKeyPassword)
	switch {
	case (errors.Is(err, store.ErrWrongPassword) || errors.As(err, new(*store.NeedPasswordError))) && !havePW:
		return withHint(err, "pass the store password with --password, --password-env NAME or --password-file PATH")
	case wrongKey && havePW && !haveKeyPW:
		return withHint(err, "the client key's password is the store password unless --key-password, --key-password-env or --key-password-file gives its own")
	case wrongKey:
		return withHint(err, "check the password given with --key-password, --key-password-env or --key-password-file")
	}
	return err
}
