package source

import (
	"crypto"

	"github.com/trustctl/trustctl/internal/keys"
)

func encryptForTest(k crypto.Signer) ([]byte, error) {
	return keys.MarshalPKCS8PEM(k, []byte("right"))
}
