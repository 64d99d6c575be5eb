package store

import (
	"fmt"
)

// Passwords are the secrets a store may need, each given or not, and a way
// to ask for the ones that were not given. The zero value gives nothing
// and asks nobody.
type Passwords struct {
	// Store is the store password. StoreGiven says that one was given, so
	// that an empty Store is the empty password rather than none.
	Store      []byte
	StoreGiven bool
	// Key is the password of a JKS key entry that the store password does
	// not open, and of an encrypted private key in a PEM bundle.
	Key      []byte
	KeyGiven bool
	// Ask asks for a secret that was not given (a prompt without echo on
	// a terminal). It is nil when there is nobody to ask; a secret that is
	// needed is then a [*NeedPasswordError]. Ask is called at most once per
	// secret and [Open] or [Edit]. For a key password it may answer nil,
	// nil: a JKS key entry then stays protected and is written back as it
	// was.
	Ask func(Prompt) ([]byte, error)
}

// Secret names the secret a [Prompt] asks for.
type Secret int

// The secrets a store may ask for.
const (
	// StorePassword is the password of an existing store.
	StorePassword Secret = iota
	// NewStorePassword is the password of a store about to be created.
	NewStorePassword
	// KeyPassword is the password of a key entry or an encrypted key.
	KeyPassword
)

func (s Secret) String() string {
	switch s {
	case NewStorePassword:
		return "new store password"
	case KeyPassword:
		return "key password"
	}
	return "store password"
}

// Prompt says which secret is asked for, and for what.
type Prompt struct {
	Secret Secret
	// Path is the store's path as given.
	Path string
	// Alias is the key entry whose password is asked for, if any.
	Alias string
}

// NeedPasswordError says that a secret was needed, not given, and nobody
// could be asked for it.
type NeedPasswordError struct {
	Secret Secret
	Path   string
	// Change is set when a store that was readable without its password
	// (JKS) needs it to be changed.
	Change bool
}

func (e *NeedPasswordError) Error() string {
	switch {
	case e.Secret == NewStorePassword:
		return fmt.Sprintf("%s: a password for the new store is needed", e.Path)
	case e.Change:
		return fmt.Sprintf("%s: the store password is needed to change this store", e.Path)
	}
	return fmt.Sprintf("%s: the %s is needed", e.Path, e.Secret)
}

// secrets hands out the passwords of one Open or Edit, asking at most once
// for each.
type secrets struct {
	Passwords
	path    string
	keyDone bool
	keyErr  error
}

func newSecrets(p Passwords, path string) *secrets { return &secrets{Passwords: p, path: path} }

// store returns the store password, asking for it when it was not given.
func (s *secrets) store(which Secret, change bool) ([]byte, error) {
	if s.StoreGiven {
		return s.Store, nil
	}
	if s.Ask == nil {
		return nil, &NeedPasswordError{Secret: which, Path: s.path, Change: change}
	}
	pw, err := s.Ask(Prompt{Secret: which, Path: s.path})
	if err != nil {
		return nil, err
	}
	if pw == nil {
		return nil, &NeedPasswordError{Secret: which, Path: s.path, Change: change}
	}
	s.Store, s.StoreGiven = pw, true
	return pw, nil
}

// key returns the key password: the one given, or the answer to one
// question. nil, nil means there is none.
func (s *secrets) key(alias string) ([]byte, error) {
	if s.KeyGiven || s.keyDone {
		return s.Key, s.keyErr
	}
	s.keyDone = true
	if s.Ask == nil {
		return nil, nil
	}
	s.Key, s.keyErr = s.Ask(Prompt{Secret: KeyPassword, Path: s.path, Alias: alias})
	return s.Key, s.keyErr
}
