//go:build !unix

package expiry

import "errors"

func mkfifo(string) error { return errors.New("not supported") }
