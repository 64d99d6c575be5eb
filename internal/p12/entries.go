package p12

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"sort"
)

type keyItem struct {
	pkcs8      []byte
	alias      string
	localKeyID []byte
	order      int
}

type certItem struct {
	der        []byte
	alias      string
	localKeyID []byte
	trusted    bool
	order      int
	used       bool

	namesDone       bool
	issuer, subject []byte

	keyDone bool
	key     crypto.PublicKey // nil when crypto/x509 refuses the certificate
}

// names returns the raw issuer and subject of a certificate by walking the
// TBSCertificate (RFC 5280 4.1) without crypto/x509, so certificates it
// refuses still chain.
func (c *certItem) names() (issuer, subject []byte) {
	if c.namesDone {
		return c.issuer, c.subject
	}
	c.namesDone = true
	var cert, tbs asn1.RawValue
	if _, err := asn1.Unmarshal(c.der, &cert); err != nil || !cert.IsCompound {
		return nil, nil
	}
	if _, err := asn1.Unmarshal(cert.Bytes, &tbs); err != nil || !tbs.IsCompound {
		return nil, nil
	}
	rest := tbs.Bytes
	var fields []asn1.RawValue
	for len(rest) > 0 && len(fields) < 6 {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			return nil, nil
		}
		fields = append(fields, f)
	}
	// version [0] is optional (absent for v1 certificates).
	if len(fields) > 0 && fields[0].Class == asn1.ClassContextSpecific {
		fields = fields[1:]
	}
	if len(fields) < 5 {
		return nil, nil
	}
	c.issuer, c.subject = fields[2].FullBytes, fields[4].FullBytes
	return c.issuer, c.subject
}

// publicKey returns the certificate's public key, parsed on first use: a
// key without a localKeyID is compared with every unbound certificate, and
// parsing them again for each such key made a file with a few hundred of
// each take seconds to open.
func (c *certItem) publicKey() crypto.PublicKey {
	if !c.keyDone {
		c.keyDone = true
		if xc, err := x509.ParseCertificate(c.der); err == nil {
			c.key = xc.PublicKey
		}
	}
	return c.key
}

func (c *certItem) selfIssued() bool {
	is, sub := c.names()
	return is != nil && bytes.Equal(is, sub)
}

// file groups the bags into entries. Certificates whose localKeyID matches
// a key's are that key's; each key's chain then follows issuer links
// through the certificates that are neither trusted nor bound to another
// key (OpenSSL's -certfile CAs and the JDK's chain certificates carry no
// localKeyID). The rest are certificate entries; none is dropped.
func (d *decoder) file() *File {
	f := &File{Encryption: d.encryption(), Skipped: d.skipped}
	type ordered struct {
		order int
		e     Entry
	}
	var out []ordered
	// Indexes, so that no step below compares every certificate with
	// every key or every other certificate: a crafted file of a thousand
	// of each would otherwise take minutes.
	keyIDs := map[string]bool{}
	for _, k := range d.keys {
		if len(k.localKeyID) > 0 {
			keyIDs[string(k.localKeyID)] = true
		}
	}
	byID := map[string][]*certItem{}
	for _, c := range d.certs {
		if len(c.localKeyID) > 0 {
			byID[string(c.localKeyID)] = append(byID[string(c.localKeyID)], c)
		}
	}
	bound := func(c *certItem) bool { return len(c.localKeyID) > 0 && keyIDs[string(c.localKeyID)] }
	var pool []*certItem
	for _, c := range d.certs {
		if !c.trusted && !bound(c) {
			pool = append(pool, c)
		}
	}
	poolBySubject := bySubject(pool)
	groups := map[string]*groupIndex{} // what keys sharing a localKeyID share
	for _, k := range d.keys {
		var group []*certItem
		if len(k.localKeyID) > 0 {
			group = byID[string(k.localKeyID)]
		}
		gi := groups[string(k.localKeyID)]
		if gi == nil {
			gi = &groupIndex{bySubject: bySubject(group)}
			groups[string(k.localKeyID)] = gi
		}
		leaf := pickLeaf(k, group, gi)
		if leaf == nil {
			// No localKeyID link: fall back to the certificate holding
			// the key's public key.
			leaf = matchByPublicKey(k, pool)
			if leaf != nil {
				group = []*certItem{leaf}
			}
		}
		e := Entry{Alias: k.alias, LocalKeyID: k.localKeyID, Key: k.pkcs8}
		if leaf != nil {
			if e.Alias == "" {
				e.Alias = leaf.alias
			}
			chain := []*certItem{leaf}
			leaf.used = true
			groupBySubject := gi.bySubject
			for cur := leaf; !cur.selfIssued() && len(chain) < 32; {
				// The issuer among the key's certificates first, then
				// among the unbound ones, each in file order.
				var next *certItem
				is, _ := cur.names()
				if is == nil {
					break
				}
				for _, c := range slices.Concat(groupBySubject[string(is)], poolBySubject[string(is)]) {
					if !inChain(chain, c) {
						next = c
						break
					}
				}
				if next == nil {
					break
				}
				chain = append(chain, next)
				next.used = true
				cur = next
			}
			// Certificates sharing the key's localKeyID that are not on the
			// issuer path stay with the key rather than be lost.
			for _, c := range group {
				if !c.used {
					chain = append(chain, c)
					c.used = true
				}
			}
			for _, c := range chain {
				e.Certs = append(e.Certs, c.der)
			}
		}
		out = append(out, ordered{k.order, e})
	}
	usedDER := map[string]bool{}
	for _, c := range d.certs {
		if c.used {
			usedDER[string(c.der)] = true
		}
	}
	for _, c := range d.certs {
		if c.used || (!c.trusted && usedDER[string(c.der)]) {
			continue
		}
		out = append(out, ordered{c.order, Entry{Alias: c.alias, LocalKeyID: c.localKeyID, Certs: [][]byte{c.der}, Trusted: c.trusted}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].order < out[j].order })
	f.Entries = make([]Entry, len(out))
	for i := range out {
		f.Entries[i] = out[i].e
	}
	return f
}

func inChain(chain []*certItem, c *certItem) bool {
	for _, x := range chain {
		if x == c || bytes.Equal(x.der, c.der) {
			return true
		}
	}
	return false
}

// groupIndex is what is worked out once for the certificates sharing a
// localKeyID, however many keys share it.
type groupIndex struct {
	bySubject map[string][]*certItem
	// issuedNone is the first certificate that issued none of the others;
	// found when first needed.
	issuedNone     *certItem
	issuedNoneDone bool
}

// pickLeaf chooses the key's own certificate among those sharing its
// localKeyID: the one with the key's public key, else the one that issued
// none of the others.
func pickLeaf(k *keyItem, group []*certItem, gi *groupIndex) *certItem {
	switch len(group) {
	case 0:
		return nil
	case 1:
		return group[0]
	}
	if c := matchByPublicKey(k, group); c != nil {
		return c
	}
	if !gi.issuedNoneDone {
		gi.issuedNoneDone = true
		gi.issuedNone = issuedNone(group)
	}
	return gi.issuedNone
}

// issuedNone returns the first certificate of group whose subject is no
// other one's issuer, else the first.
func issuedNone(group []*certItem) *certItem {
	issuers := map[string]int{}
	for _, o := range group {
		if is, _ := o.names(); is != nil {
			issuers[string(is)]++
		}
	}
	for _, c := range group {
		_, sub := c.names()
		n := issuers[string(sub)]
		if c.selfIssued() {
			n-- // itself
		}
		if sub == nil || n == 0 {
			return c
		}
	}
	return group[0]
}

// bySubject indexes certificates by their raw subject, in order.
func bySubject(certs []*certItem) map[string][]*certItem {
	m := map[string][]*certItem{}
	for _, c := range certs {
		if _, sub := c.names(); sub != nil {
			m[string(sub)] = append(m[string(sub)], c)
		}
	}
	return m
}

func matchByPublicKey(k *keyItem, certs []*certItem) *certItem {
	if len(certs) == 0 {
		return nil
	}
	key, err := x509.ParsePKCS8PrivateKey(k.pkcs8)
	if err != nil {
		return nil
	}
	signer, ok := key.(interface{ Public() crypto.PublicKey })
	if !ok {
		return nil
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return nil
	}
	for _, c := range certs {
		if c.used {
			continue
		}
		if pk := c.publicKey(); pk != nil && pub.Equal(pk) {
			return c
		}
	}
	return nil
}
