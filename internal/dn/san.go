package dn

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// SANs is a parsed subject alternative name list (RFC 5280 section 4.2.1.6),
// in the fields crypto/x509 templates use.
type SANs struct {
	DNS    []string
	IPs    []net.IP
	Emails []string
	URIs   []*url.URL
}

// Empty reports whether s names nothing.
func (s SANs) Empty() bool {
	return len(s.DNS)+len(s.IPs)+len(s.Emails)+len(s.URIs) == 0
}

// SANError reports an entry of a SAN list that does not parse.
type SANError struct {
	Entry string
	Msg   string
}

func (e *SANError) Error() string {
	return fmt.Sprintf("subject alternative name %q: %s", e.Entry, e.Msg)
}

// ParseSANs reads a comma-separated list of "dns:NAME", "ip:ADDR" (IPv4 or
// IPv6), "email:ADDR" and "uri:URI" (prefixes in any case; OpenSSL's "DNS:",
// "IP:", "URI:" and "email:" are the same). Spaces around entries are
// ignored; empty entries are skipped. An entry without a known prefix is an
// error naming it.
func ParseSANs(s string) (SANs, error) {
	var out SANs
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		kind, val, ok := strings.Cut(entry, ":")
		if !ok {
			return SANs{}, &SANError{Entry: entry, Msg: "want dns:, ip:, email: or uri: before the value"}
		}
		val = strings.TrimSpace(val)
		if val == "" {
			return SANs{}, &SANError{Entry: entry, Msg: "empty value"}
		}
		switch strings.ToLower(strings.TrimSpace(kind)) {
		case "dns":
			if err := checkDNS(val); err != "" {
				return SANs{}, &SANError{Entry: entry, Msg: err}
			}
			out.DNS = append(out.DNS, val)
		case "ip":
			a, err := netip.ParseAddr(strings.Trim(val, "[]"))
			if err != nil || a.Zone() != "" {
				return SANs{}, &SANError{Entry: entry, Msg: "not an IPv4 or IPv6 address"}
			}
			out.IPs = append(out.IPs, net.IP(a.Unmap().AsSlice()))
		case "email":
			local, domain, ok := strings.Cut(val, "@")
			if !ok || local == "" || domain == "" || strings.ContainsAny(val, " <>") || !isASCII(val) {
				return SANs{}, &SANError{Entry: entry, Msg: "not an email address (want local@domain)"}
			}
			out.Emails = append(out.Emails, val)
		case "uri":
			// RFC 3986 has no space in a URI (section 2); net/url lets one
			// into an opaque part, where a space left at the end by an empty
			// fragment ("a: #") would be trimmed off when read back.
			if strings.Contains(val, " ") {
				return SANs{}, &SANError{Entry: entry, Msg: "a URI has no spaces (write %20)"}
			}
			u, err := url.Parse(val)
			if err != nil || u.Scheme == "" || !isASCII(val) {
				return SANs{}, &SANError{Entry: entry, Msg: "not an absolute URI with a scheme"}
			}
			out.URIs = append(out.URIs, u)
		default:
			return SANs{}, &SANError{Entry: entry, Msg: fmt.Sprintf("unknown kind %q (want dns, ip, email or uri)", kind)}
		}
	}
	return out, nil
}

// checkDNS accepts host names and a leading wildcard label ("*.example.com"),
// as RFC 5280 section 4.2.1.6 and the CA/B Forum allow; it returns a reason
// or "".
func checkDNS(s string) string {
	if len(s) > 253 {
		return "name longer than 253 characters"
	}
	for i, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" {
			return "empty label"
		}
		if label == "*" && i == 0 {
			continue
		}
		if len(label) > 63 {
			return "label longer than 63 characters"
		}
		for j := 0; j < len(label); j++ {
			c := label[j]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Sprintf("character %q not allowed in a DNS name (use punycode for IDNs)", c)
			}
		}
	}
	return ""
}

// FormatSANs writes s in the form [ParseSANs] reads.
func FormatSANs(s SANs) string {
	var parts []string
	for _, d := range s.DNS {
		parts = append(parts, "dns:"+d)
	}
	for _, ip := range s.IPs {
		parts = append(parts, "ip:"+ip.String())
	}
	for _, e := range s.Emails {
		parts = append(parts, "email:"+e)
	}
	for _, u := range s.URIs {
		parts = append(parts, "uri:"+u.String())
	}
	return strings.Join(parts, ",")
}
