package store

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/trustctl/trustctl/internal/jks"
)

func decodeJKS(data []byte, opts DecodeOptions) (*Store, error) {
	var storePw []byte
	if opts.HavePassword {
		storePw = opts.Password
		if storePw == nil {
			storePw = []byte{}
		}
	}
	f, err := jks.Decode(data, storePw, opts.KeyPassword)
	if err != nil {
		return nil, translateJKS(err)
	}
	s := &Store{Format: FormatJKS, Verified: f.Verified}
	if f.JCEKS {
		s.Format = FormatJCEKS
	}
	parsed := parseEntryCerts(len(f.Entries), func(i int) [][]byte { return f.Entries[i].Certs })
	for i, je := range f.Entries {
		e := &Entry{Alias: je.Alias, Created: je.Created, Key: je.Key, Protected: je.Protected, Certs: parsed[i]}
		switch {
		case je.Trusted:
			e.Kind = TrustedCert
		case je.Secret:
			e.Kind = SecretKey
		default:
			e.Kind = PrivateKey
		}
		if e.Kind == PrivateKey && e.Key != nil && opts.KeyPassword != nil {
			// The key opened with its own password; keep it for writing
			// back unless it is the store password anyway.
			if kp := opts.KeyPassword(je.Alias); kp != nil && !bytes.Equal(kp, storePw) {
				e.KeyPassword = kp
			}
		}
		s.Entries = append(s.Entries, e)
	}
	return s, nil
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
	data, err := jks.Encode(f, pw, func(alias string) []byte {
		if opts.KeyPassword != nil {
			if p := opts.KeyPassword(alias); p != nil {
				return p
			}
		}
		return keyPw[lowerAlias(alias)]
	})
	if err != nil {
		return nil, translateJKS(err)
	}
	return data, nil
}
