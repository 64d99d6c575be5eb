// Package secret holds the one error trustctl returns for a password that
// does not open what it protects: a store, a key file, a CA key. Each
// layer returns [ErrWrongPassword] or words it for what it reads ("wrong
// key password") with [WrongPassword], so that
// errors.Is(err, secret.ErrWrongPassword) holds whichever layer answered.
//
// It is a package of its own because the codecs that detect a wrong
// password (internal/jks, internal/p12, internal/keys) import nothing of
// each other.
package secret

import "errors"

// ErrWrongPassword is returned, or wrapped, for every wrong password.
var ErrWrongPassword = errors.New("wrong password")

// WrongPassword returns an error that reads msg and is [ErrWrongPassword]
// to errors.Is. Each call returns a distinct value, so a layer may keep
// its own name for it and still be told apart with errors.Is.
func WrongPassword(msg string) error { return &wrongPassword{msg} }

type wrongPassword struct{ msg string }

func (e *wrongPassword) Error() string { return e.msg }
func (e *wrongPassword) Unwrap() error { return ErrWrongPassword }
