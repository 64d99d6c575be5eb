package store

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/trustctl/trustctl/internal/jks"
)

func decodeJKS(data []byte, s *secrets) (*Store, error) {
	var storePw []byte
	if s.StoreGiven {
		storePw = s.Store
		if storePw == nil {
			storePw = []byte{}
		}
	}
	// The store password first, for every key entry, as keytool does; the
	// key password (given or asked for) then opens the entries it leaves
	// protected. A store may hold entries of both kinds.
	f, err := jks.Decode(data, storePw, nil)
	if err != nil {
		return nil, translateJKS(err)
	}
	st := &Store{Format: FormatJKS, Verified: f.Verified}
	if f.JCEKS {
		st.Format = FormatJCEKS
	}
	parsed := parseEntryCerts(len(f.Entries), func(i int) [][]byte { return f.Entries[i].Certs })
	for i := range f.Entries {
		je := &f.Entries[i]
		var keyPw []byte
		switch {
		case je.Trusted || je.Secret:
		case je.Key == nil:
			// The store password does not open it: the key password
			// given, or ask, or keep it protected.
			pw, err := s.key(je.Alias)
			if err != nil {
				return nil, err
			}
			if pw != nil {
				if err := je.Decrypt(pw); err != nil {
					return nil, translateJKS(err)
				}
				keyPw = pw
			}
		}
		e := &Entry{Alias: je.Alias, Created: je.Created, Key: je.Key, Protected: je.Protected, Certs: parsed[i]}
		switch {
		case je.Trusted:
			e.Kind = TrustedCert
		case je.Secret:
			e.Kind = SecretKey
		default:
			e.Kind = PrivateKey
		}
		if e.Kind == PrivateKey && e.Key != nil && keyPw != nil && !bytes.Equal(keyPw, storePw) {
			// The key opened with its own password; keep it for writing
			// back.
			e.KeyPassword = keyPw
		}
		st.Entries = append(st.Entries, e)
	}
	return st, nil
}

func translateJKS(err error) error {
	switch {
	case errors.Is(err, jks.ErrWrongPassword):
		return fmt.Errorf("%w (or the store is damaged)", ErrWrongPassword)
	case errors.Is(err, jks.ErrWrongKeyPassword):
		var ke *jks.KeyError
		if errors.As(err, &ke) {
			return fmt.Errorf("key entry %q: %w", ke.Alias, ErrWrongKeyPassword)
		}
		return ErrWrongKeyPassword
	}
	return err
}

func encodeJKS(s *Store, opts EncodeOptions) ([]byte, error) {
	f := &jks.File{}
	keyPw := map[string][]byte{}
	for _, e := range s.Entries {
		je := jks.Entry{Alias: e.Alias, Created: e.Created, Key: e.Key, Protected: e.Protected}
		switch e.Kind {
		case TrustedCert:
			je.Trusted = true
		case SecretKey:
			return nil, fmt.Errorf("entry %q is a JCEKS secret key, which JKS cannot hold", e.Alias)
		}
		for _, c := range e.Certs {
			je.Certs = append(je.Certs, c.Raw)
		}
		if e.KeyPassword != nil {
			keyPw[lowerAlias(e.Alias)] = e.KeyPassword
		}
		f.Entries = append(f.Entries, je)
	}
	pw := opts.Password
	if pw == nil {
		pw = []byte{}
	}
	data, err := jks.EncodeWith(f, pw, jks.Options{
		KeyPassword: func(alias string) []byte {
			if opts.KeyPassword != nil {
				if p := opts.KeyPassword(alias); p != nil {
					return p
				}
			}
			return keyPw[lowerAlias(alias)]
		},
		DerivedSalts: opts.Reproducible,
	})
	if err != nil {
		return nil, translateJKS(err)
	}
	return data, nil
}
