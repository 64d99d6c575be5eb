package source

import (
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/keys"
	"github.com/trustctl/trustctl/internal/pemfile"
	"github.com/trustctl/trustctl/internal/store"
)

// Parse reads one file's content; name is used in messages and origins.
func Parse(data []byte, name string, opts Options) (*Set, error) {
	set := &Set{}
	addParsed := func(c *certs.Cert, origin, alias string) {
		if c.X509 == nil {
			set.Notes = append(set.Notes, fmt.Sprintf("%s: a certificate crypto/x509 refuses (%v) is kept as it is", origin, c.ParseErr))
		}
		set.Certs = append(set.Certs, &Found{Cert: c, Origin: origin, Alias: alias})
	}
	add := func(der []byte, origin, alias string) { addParsed(certs.Parse(der), origin, alias) }
	keyPw := opts.KeyPassword
	switch k := Sniff(data); k {
	case PEM:
		blocks, err := pemfile.Decode(data)
		if err != nil {
			return nil, &FormatError{Path: name, Err: err}
		}
		var ders [][]byte
		for _, b := range blocks {
			switch b.Type {
			case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
				if len(b.Bytes) == 0 {
					return nil, &FormatError{Path: name, Err: fmt.Errorf("empty %s block at line %d", b.Type, b.Line)}
				}
				ders = append(ders, b.Bytes)
			case "X509 CRL":
				crl, err := x509.ParseRevocationList(b.Bytes)
				if err != nil {
					return nil, &FormatError{Path: name, Err: fmt.Errorf("CRL at line %d: %w", b.Line, err)}
				}
				set.CRLs = append(set.CRLs, crl)
			case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
				csr, err := x509.ParseCertificateRequest(b.Bytes)
				if err != nil {
					return nil, &FormatError{Path: name, Err: fmt.Errorf("CSR at line %d: %w", b.Line, err)}
				}
				set.CSRs = append(set.CSRs, csr)
			case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
				signer, err := keys.Parse(pemfile.EncodeBlock(b.Block), keyPw)
				if err != nil && keyPw == nil && errors.Is(err, keys.ErrNeedPassword) {
					// The caller does not want keys; an encrypted one
					// is passed over rather than asked for.
					set.Notes = append(set.Notes, fmt.Sprintf("%s: encrypted private key at line %d passed over", name, b.Line))
					continue
				}
				if err != nil {
					return nil, fmt.Errorf("%s: private key at line %d: %w", name, b.Line, err)
				}
				p8, err := x509.MarshalPKCS8PrivateKey(signer)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				set.Keys = append(set.Keys, &Key{Signer: signer, PKCS8: p8, Origin: name})
			}
		}
		for _, c := range certs.ParseAll(ders) {
			addParsed(c, name, "")
		}
	case DERCert:
		add(data, name, "")
	case DERCRL:
		crl, _ := x509.ParseRevocationList(data)
		set.CRLs = append(set.CRLs, crl)
	case DERCSR:
		csr, _ := x509.ParseCertificateRequest(data)
		set.CSRs = append(set.CSRs, csr)
	case DERKey:
		signer, err := keys.Parse(data, keyPw)
		if err != nil && keyPw == nil && errors.Is(err, keys.ErrNeedPassword) {
			set.Notes = append(set.Notes, name+": encrypted private key passed over")
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p8, err := x509.MarshalPKCS8PrivateKey(signer)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		set.Keys = append(set.Keys, &Key{Signer: signer, PKCS8: p8, Origin: name})
	case JKS, JCEKS, PKCS12:
		st, err := DecodeStore(data, k, opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		set.Stores = append(set.Stores, &StoreFound{Store: st, Origin: name})
		for _, e := range st.Entries {
			origin := name + "#" + e.Alias
			for _, c := range e.Certs {
				set.Certs = append(set.Certs, &Found{Cert: c, Origin: origin, Alias: e.Alias})
			}
			if e.Kind == store.PrivateKey && e.Key != nil {
				signer, err := keys.Parse(e.Key, nil)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", origin, err)
				}
				set.Keys = append(set.Keys, &Key{Signer: signer, PKCS8: e.Key, Origin: origin, Alias: e.Alias, Chain: e.Certs})
			}
		}
	default:
		return nil, &FormatError{Path: name}
	}
	return set, nil
}
