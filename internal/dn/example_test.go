package dn_test

import (
	"fmt"

	"github.com/trustctl/trustctl/internal/dn"
)

func ExampleParseSequence() {
	// The openssl form and RFC 4514 name the same subject.
	a, _ := dn.ParseSequence("/C=US/O=Acme Corp/CN=Acme Root")
	b, _ := dn.ParseSequence("CN=Acme Root,O=Acme Corp,C=US")
	fmt.Println(dn.Format(a))
	fmt.Println(dn.Format(b))
	// Output:
	// CN=Acme Root,O=Acme Corp,C=US
	// CN=Acme Root,O=Acme Corp,C=US
}

func ExampleParseSANs() {
	s, _ := dn.ParseSANs("dns:db.example.com,IP:10.0.0.5,ip:2001:db8::1")
	fmt.Println(s.DNS, s.IPs)
	// Output: [db.example.com] [10.0.0.5 2001:db8::1]
}
