package secret

import (
	"errors"
	"fmt"
	"testing"
)

func TestWrongPassword(t *testing.T) {
	key := WrongPassword("wrong key password")
	store := WrongPassword("wrong store password")
	err := fmt.Errorf("ca.key: %w", key)
	if err.Error() != "ca.key: wrong key password" {
		t.Errorf("message = %q", err)
	}
	if !errors.Is(err, ErrWrongPassword) || !errors.Is(err, key) {
		t.Errorf("%v is not ErrWrongPassword and itself", err)
	}
	if errors.Is(err, store) {
		t.Errorf("%v is the store's error too", err)
	}
	if errors.Is(errors.New("wrong password"), ErrWrongPassword) {
		t.Error("an error with the same text is ErrWrongPassword")
	}
}
