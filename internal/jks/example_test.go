package jks_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/trustctl/trustctl/internal/jks"
)

// Decode a keytool-made store with its store password and one key password
// that differs, then write it back as JKS.
func Example() {
	data, err := os.ReadFile("testdata/mixed.jks")
	if err != nil {
		log.Fatal(err)
	}
	f, err := jks.Decode(data, []byte("changeit"), func(alias string) []byte {
		if alias == "gen" {
			return []byte("keypass1")
		}
		return nil // the store password
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range f.Entries {
		switch {
		case e.Trusted:
			fmt.Printf("%s: trusted certificate\n", e.Alias)
		default:
			fmt.Printf("%s: key entry, chain of %d, key decrypted: %v\n", e.Alias, len(e.Certs), e.Key != nil)
		}
	}
	// Keys keep their passwords only if asked: here "gen" keeps keypass1,
	// "server" is protected with the store password.
	out, err := jks.Encode(f, []byte("changeit"), func(alias string) []byte {
		if alias == "gen" {
			return []byte("keypass1")
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	back, err := jks.Decode(out, []byte("changeit"), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("written:", len(back.Entries), "entries, JCEKS", back.JCEKS)
	// Unordered output:
	// acme-root: trusted certificate
	// acme-int: trusted certificate
	// gen: key entry, chain of 1, key decrypted: true
	// server: key entry, chain of 3, key decrypted: true
	// written: 4 entries, JCEKS false
}

// A wrong store password is reported as jks.ErrWrongPassword.
func ExampleDecode_wrongPassword() {
	data, err := os.ReadFile("testdata/mixed.jks")
	if err != nil {
		log.Fatal(err)
	}
	_, err = jks.Decode(data, []byte("hunter2"), nil)
	fmt.Println(errors.Is(err, jks.ErrWrongPassword))
	// Without a password the store is read, unverified.
	f, _ := jks.Decode(data, nil, nil)
	fmt.Println(len(f.Entries), f.Verified)
	// Output:
	// true
	// 4 false
}
