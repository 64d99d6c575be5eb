package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/p12"
)

// decodeP12 reads a PKCS#12 store. Without a password it is tried with the
// empty one, which also opens a password-less store (no MAC, nothing
// encrypted). Certificates without the Java trusted attribute and without a
// key (as openssl pkcs12 -nokeys writes them) are read as trusted entries.
func decodeP12(data []byte, sec *secrets) (*Store, error) {
	pw := sec.Store
	if !sec.StoreGiven || pw == nil {
		pw = []byte{}
	}
	f, err := p12.Decode(data, pw)
	if err != nil {
		if errors.Is(err, p12.ErrWrongPassword) {
			return nil, ErrWrongPassword
		}
		return nil, err
	}
	s := &Store{Format: FormatPKCS12, Verified: true, Unread: f.Skipped}
	switch f.Encryption {
	case p12.Legacy:
		s.Protection = Legacy
	case p12.None:
		s.Protection = Passwordless
	default:
		s.Protection = Modern
	}
	taken := map[string]bool{}
	for _, pe := range f.Entries {
		taken[lowerAlias(pe.Alias)] = true
	}
	parsed := parseEntryCerts(len(f.Entries), func(i int) [][]byte { return f.Entries[i].Certs })
	var unnamed []int
	var unnamedCerts []*certs.Cert
	for i, pe := range f.Entries {
		e := &Entry{Alias: pe.Alias, Kind: TrustedCert, Key: pe.Key, Certs: parsed[i]}
		if pe.Key != nil {
			e.Kind = PrivateKey
		}
		if c := e.Cert(); c != nil {
			e.Created = EntryDate(c, time.Time{})
			if e.Alias == "" {
				unnamed = append(unnamed, i)
				unnamedCerts = append(unnamedCerts, c)
			}
		}
		s.Entries = append(s.Entries, e)
	}
	// openssl pkcs12 -export without -name writes no friendlyName; keytool
	// then numbers entries, we name them after the subject, all at once
	// so that the names do not depend on the order of the bags.
	for k, a := range deriveAliases(unnamedCerts, func(a string) bool { return taken[lowerAlias(a)] }) {
		s.Entries[unnamed[k]].Alias = a
		taken[a] = true
	}
	for i, e := range s.Entries {
		for n := i + 1; e.Alias == ""; n++ {
			if a := fmt.Sprintf("entry-%d", n); !taken[a] {
				e.Alias, taken[a] = a, true
			}
		}
	}
	return s, nil
}

func encodeP12(s *Store, opts EncodeOptions) ([]byte, error) {
	f := &p12.File{}
	for _, e := range s.Entries {
		pe := p12.Entry{Alias: e.Alias}
		switch e.Kind {
		case TrustedCert:
			pe.Trusted = true
		case PrivateKey:
			if e.Key == nil {
				return nil, fmt.Errorf("key entry %q cannot be decrypted, so it cannot be written as PKCS#12; give its key password", e.Alias)
			}
			pe.Key = e.Key
		case SecretKey:
			return nil, fmt.Errorf("entry %q is a JCEKS secret key, which trustctl does not write", e.Alias)
		}
		for _, c := range e.Certs {
			pe.Certs = append(pe.Certs, c.Raw)
		}
		f.Entries = append(f.Entries, pe)
	}
	enc := p12.Modern
	switch s.Protection {
	case Legacy:
		enc = p12.Legacy
	case Passwordless:
		enc = p12.None
	}
	pw := opts.Password
	if pw == nil {
		pw = []byte{}
	}
	// Without a key the salts are derived from the entries: a truststore
	// has nothing to hide that its certificates do not show.
	derived := opts.Reproducible
	if !s.hasKey() {
		derived = true
	}
	return p12.EncodeWith(f, pw, p12.Options{Encryption: enc, Derived: derived})
}

// hasKey reports whether the store holds a private key entry.
func (s *Store) hasKey() bool {
	for _, e := range s.Entries {
		if e.Kind != TrustedCert {
			return true
		}
	}
	return false
}
