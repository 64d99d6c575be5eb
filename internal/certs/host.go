package certs

import (
	"crypto/x509"
	"net"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// SuffixWildcardOnly returns the wildcard name through which alone dns
// and ips match host, when that wildcard stands directly over a public
// suffix ("*.com", "*.co.uk"), and "" otherwise. crypto/x509's
// VerifyHostname matches such a name; no CA may issue one, and browsers
// and Java match no host with it (RFC 9525 §6.3 leaves it to the client).
func SuffixWildcardOnly(dns []string, ips []net.IP, host string) string {
	var others []string
	var over string
	for _, d := range dns {
		if rest, ok := strings.CutPrefix(d, "*."); ok && PublicSuffix(rest) {
			if over == "" {
				over = d
			}
			continue
		}
		others = append(others, d)
	}
	if over == "" {
		return ""
	}
	x := &x509.Certificate{DNSNames: others, IPAddresses: ips}
	if x.VerifyHostname(host) == nil {
		return ""
	}
	return over
}

// PublicSuffix reports whether name is a public suffix under which anyone
// may register names (com, co.uk), by the ICANN section of the Public
// Suffix List that golang.org/x/net/publicsuffix carries.
func PublicSuffix(name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	ps, icann := publicsuffix.PublicSuffix(name)
	return icann && ps == name
}
