package chain

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ncState is the name-constraint state of RFC 5280 §6.1.2 (b), (c):
// permitted holds one list per certificate that set permitted subtrees of
// a kind (a name must fall in one subtree of every list: the
// intersection), excluded the union of all excluded subtrees.
type ncState struct {
	permitted map[string][][]subtree
	excluded  []subtree
	// setBy names, per kind, the certificates whose constraints apply, for
	// messages.
	setBy map[string]string
}

// maxConstraintChecks bounds the name-constraint comparisons for one
// certificate, so a certificate with thousands of names under thousands
// of constraints (x509-limbo's nc-dos cases) fails quickly instead of
// taking quadratic time. maxSearchConstraintChecks bounds them over all
// the paths one search tries, so that many candidate paths of such
// certificates cannot multiply the cost.
const (
	maxConstraintChecks       = 1 << 20
	maxSearchConstraintChecks = 4 << 20
)

// addConstraints folds a certificate's name constraints into the state
// (RFC 5280 §6.1.4 (g)).
func (s *ncState) addConstraints(c *Cert) {
	if !c.hasNC {
		return
	}
	if s.permitted == nil {
		s.permitted = map[string][][]subtree{}
		s.setBy = map[string]string{}
	}
	byKind := map[string][]subtree{}
	for _, t := range c.Permitted {
		byKind[t.kind] = append(byKind[t.kind], t)
	}
	for k, ts := range byKind {
		s.permitted[k] = append(s.permitted[k], ts)
		s.setBy[k] = c.Name()
	}
	for _, t := range c.Excluded {
		t.excluded = true
		s.excluded = append(s.excluded, t)
		s.setBy["x"+t.kind] = c.Name()
	}
}

// nameOK checks one name of a kind against the state and says why not.
func (s *ncState) nameOK(kind, shown string, match func(subtree) bool) string {
	for _, t := range s.excluded {
		if t.kind == kind && match(t) {
			return fmt.Sprintf("%s is excluded by the name constraint %s %q of %s", shown, kind, t.value, s.setBy["x"+kind])
		}
	}
	for _, list := range s.permitted[kind] {
		ok := false
		for _, t := range list {
			if match(t) {
				ok = true
				break
			}
		}
		if !ok {
			var vals []string
			for _, t := range list {
				vals = append(vals, fmt.Sprintf("%q", t.value))
			}
			return fmt.Sprintf("%s is outside the permitted %s names (%s) of %s", shown, kind, strings.Join(vals, ", "), s.setBy[kind])
		}
	}
	return ""
}

// checkNames applies the name constraints in force to the subject and
// subject alternative names of c (RFC 5280 §6.1.3 (b), (c); §4.2.1.10).
// It returns one message per name that breaks them. left, when not nil,
// is what is left of the search's comparisons, and is spent.
func (s *ncState) checkNames(c *Cert, left *int) []string {
	if s.permitted == nil && len(s.excluded) == 0 {
		return nil
	}
	names := len(c.SAN.DNS) + len(c.SAN.Email) + len(c.SAN.URI) + len(c.SAN.IP) + len(c.SAN.Dir) + 1 + len(c.Subject.emails())
	checks := names * (len(s.excluded) + len(s.flatPermitted()))
	if checks > maxConstraintChecks {
		return []string{fmt.Sprintf("it has %d names to check against %d name constraints, more than trustctl checks (%d comparisons), as a certificate made to exhaust validators does",
			names, len(s.excluded)+len(s.flatPermitted()), maxConstraintChecks)}
	}
	if left != nil {
		if *left -= checks; *left < 0 {
			return []string{fmt.Sprintf("its names and those of the certificates on the paths tried need more comparisons with name constraints than trustctl makes for one certificate (%d), as certificates made to exhaust validators do",
				maxSearchConstraintChecks)}
		}
	}
	var out []string
	add := func(msg string) {
		if msg != "" {
			out = append(out, msg)
		}
	}
	for _, t := range append(append([]subtree(nil), s.excluded...), s.flatPermitted()...) {
		if t.bad != "" {
			out = append(out, "a name constraint cannot be processed: "+t.bad)
			return out
		}
	}
	if len(c.Subject) > 0 {
		add(s.nameOK("dir", "the subject "+c.Name(), func(t subtree) bool { return c.Subject.within(t.dir) }))
	}
	for _, d := range c.SAN.Dir {
		add(s.nameOK("dir", "the directory name "+d.String(), func(t subtree) bool { return d.within(t.dir) }))
	}
	for _, n := range c.SAN.DNS {
		name := n
		add(s.nameOK("dns", fmt.Sprintf("the DNS name %q", n), func(t subtree) bool {
			if t.excluded {
				// A wildcard stands for every name it matches (RFC 9525
				// §6.3): excluded if any of them is.
				return dnsMatch(name, t.value) || wildcardCovers(name, t.value)
			}
			return dnsMatch(name, t.value)
		}))
	}
	emails := append(append([]string(nil), c.SAN.Email...), c.Subject.emails()...)
	for _, n := range emails {
		add(s.nameOK("email", fmt.Sprintf("the e-mail address %q", n), func(t subtree) bool { return emailMatch(n, t.value) }))
	}
	for _, n := range c.SAN.URI {
		add(s.nameOK("uri", fmt.Sprintf("the URI %q", n), func(t subtree) bool { return uriMatch(n, t.value) }))
	}
	for _, ip := range c.SAN.IP {
		add(s.nameOK("ip", "the IP address "+ip.String(), func(t subtree) bool { return ipMatch(ip, t.ipNet) }))
		if v4 := ip.To4(); len(ip) == net.IPv6len && v4 != nil {
			// An IPv4-mapped IPv6 address is the IPv4 address to a host
			// name check, so it must pass the constraints in that form too.
			add(s.nameOK("ip", "the IP address "+ip.String()+" (IPv4-mapped)", func(t subtree) bool { return ipMatch(v4, t.ipNet) }))
		}
	}
	if c.otherNames > 0 {
		// A name form trustctl does not read, under constraints of a form
		// it does not read either: RFC 5280 §4.2.1.10 says reject.
		for _, t := range s.excluded {
			if t.kind == "other" {
				out = append(out, fmt.Sprintf("it has a name of a form trustctl cannot check against the constraint on %s of %s", t.value, s.setBy["xother"]))
				break
			}
		}
		if len(s.permitted["other"]) > 0 {
			out = append(out, fmt.Sprintf("it has a name of a form trustctl cannot check against the permitted names of %s", s.setBy["other"]))
		}
	}
	return out
}

func (s *ncState) flatPermitted() []subtree {
	var out []subtree
	for _, lists := range s.permitted {
		for _, l := range lists {
			out = append(out, l...)
		}
	}
	return out
}

// wildcardCovers reports whether the wildcard name "*.d" matches a name
// inside the constraint (one label directly under d).
func wildcardCovers(name, constraint string) bool {
	base, ok := strings.CutPrefix(strings.ToLower(name), "*.")
	if !ok {
		return false
	}
	c := strings.TrimPrefix(strings.ToLower(constraint), ".")
	label, rest, ok := strings.Cut(c, ".")
	return ok && label != "" && rest == strings.TrimSuffix(base, ".")
}

// dnsMatch: a dNSName constraint matches the name itself and every name
// made by adding labels on the left (RFC 5280 §4.2.1.10). The empty
// constraint matches every name. Comparison ignores case.
func dnsMatch(name, constraint string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	// "evil.com." is the same domain as "evil.com": an excluded subtree
	// written absolute must still exclude it.
	constraint = strings.ToLower(constraint)
	if c := strings.TrimSuffix(constraint, "."); c != "" {
		constraint = c
	}
	if constraint == "" {
		return true
	}
	if strings.HasPrefix(constraint, ".") {
		// Not valid in a dNSName constraint, but widely read as "only
		// subdomains"; the profile rule reports the constraint itself.
		return strings.HasSuffix(name, constraint)
	}
	return name == constraint || strings.HasSuffix(name, "."+constraint)
}

// emailMatch: a constraint with an @ is one mailbox; a host name is every
// mailbox on that host only; a name starting with a period is every
// mailbox on a host in that domain (RFC 5280 §4.2.1.10). The local part
// compares exactly, the host without regard to case.
func emailMatch(addr, constraint string) bool {
	at := strings.LastIndex(addr, "@")
	if at < 0 {
		return false
	}
	local, host := addr[:at], strings.ToLower(addr[at+1:])
	if i := strings.LastIndex(constraint, "@"); i >= 0 {
		return local == constraint[:i] && host == strings.ToLower(constraint[i+1:])
	}
	c := strings.ToLower(constraint)
	if strings.HasPrefix(c, ".") {
		return strings.HasSuffix(host, c)
	}
	return host == c
}

// uriMatch: the constraint applies to the host part of the URI: a host
// name is that host only, a name with a leading period every host in the
// domain (RFC 5280 §4.2.1.10). A URI without a host name matches nothing.
func uriMatch(uri, constraint string) bool {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if net.ParseIP(host) != nil {
		return false
	}
	c := strings.ToLower(constraint)
	if strings.HasPrefix(c, ".") {
		return strings.HasSuffix(host, c)
	}
	return host == c
}

func ipMatch(ip net.IP, n *net.IPNet) bool {
	if n == nil {
		return false
	}
	if len(ip) != len(n.IP) {
		// A 4-byte constraint never matches a 16-byte address and the
		// other way round: the SAN carries its length.
		return false
	}
	return n.Contains(ip)
}
