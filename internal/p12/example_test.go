package p12_test

import (
	"fmt"
	"log"

	"github.com/trustctl/trustctl/internal/p12"
)

func ExampleDecode() {
	// A password-less truststore opens with any password, nil included.
	store, err := p12.Encode(&p12.File{}, nil, p12.None)
	if err != nil {
		log.Fatal(err)
	}
	f, err := p12.Decode(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range f.Entries {
		kind := "trustedCertEntry"
		if e.Key != nil {
			kind = fmt.Sprintf("PrivateKeyEntry, chain of %d", len(e.Certs))
		}
		fmt.Println(e.Alias, kind)
	}
	fmt.Println(f.Encryption)
	// Output: none
}

func ExampleEncode() {
	var rootDER, leafDER, caDER, keyPKCS8 []byte // DER from elsewhere
	f := &p12.File{Entries: []p12.Entry{
		{Alias: "acme root", Certs: [][]byte{rootDER}, Trusted: true},
		{Alias: "server", Key: keyPKCS8, Certs: [][]byte{leafDER, caDER, rootDER}},
	}}
	// Modern for JDK 17+ and OpenSSL 3; Legacy for Windows Server 2016 and
	// Java 8 before 8u301.
	der, err := p12.Encode(f, []byte("changeit"), p12.Modern)
	if err != nil {
		log.Fatal(err)
	}
	_ = der // write with safefile.Write, mode 0600: it holds a key
}
