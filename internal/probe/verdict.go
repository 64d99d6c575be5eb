package probe

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/chain"
)

// Expect is what a target must show to pass, beyond a handshake and a
// certificate valid for the name asked for.
type Expect struct {
	// Roots, when set, must verify the presented chain ([Verify]).
	Roots []*x509.Certificate
	// Fingerprint, when set, is the SHA-256 the leaf must have.
	Fingerprint []byte
	// Name, when set, is a name the leaf must be valid for, whether or
	// not it was sent in SNI (with NoSNI, the only name checked).
	Name string
	// Now is when the leaf must be valid and the chain is verified; zero
	// means the time of the call.
	Now time.Time
}

// Check is one expectation and whether it held.
type Check struct {
	What   string
	OK     bool
	Detail string
}

// Verdict is whether a target passed, and why not.
type Verdict struct {
	OK bool
	// Failures say in words why it did not pass, most important first:
	// no handshake, the fallback certificate, a name mismatch, a leaf
	// expired, not yet valid or revoked, then each failed check.
	Failures []string
	Checks   []Check
	// Verification is the chain check against Expect.Roots (nil when
	// none were given, or when there was no parsable leaf).
	Verification *chain.Result
	// Fallback is set when the server answered with its default
	// certificate instead of one for the name asked for.
	Fallback bool
}

// Judge decides whether one target passed: it made a handshake (or at
// least showed its chain), its leaf is valid for the name asked for (none
// is asked for with NoSNI: see [Options]) and at Expect.Now, no stapled
// OCSP response says it was revoked, and every expectation held.
func Judge(o Outcome, exp Expect) Verdict {
	var v Verdict
	if o.Err != nil {
		v.Failures = []string{o.Err.Error()}
		return v
	}
	r := o.Result
	if r.HandshakeErr != nil {
		v.Failures = append(v.Failures, "no handshake: "+r.HandshakeErr.Error())
	}
	if len(r.Chain) > 0 && r.Name != "" && !r.NameMatch {
		if r.Fallback != nil && r.Fallback.DefaultPresented {
			v.Fallback = true
			v.Failures = append(v.Failures, r.Fallback.Verdict)
		} else if r.NameErr != nil {
			v.Failures = append(v.Failures, fmt.Sprintf("the certificate does not match %s: %s", r.Name, strings.TrimPrefix(r.NameErr.Error(), "x509: ")))
		} else {
			v.Failures = append(v.Failures, fmt.Sprintf("the certificate does not match %s", r.Name))
		}
	}
	v.Failures = append(v.Failures, leafValidity(r, exp.Now)...)
	if len(exp.Roots) > 0 {
		v.Checks = append(v.Checks, v.verify(r, exp))
	}
	if exp.Fingerprint != nil {
		v.Checks = append(v.Checks, expectFingerprint(r, exp.Fingerprint))
	}
	if exp.Name != "" {
		v.Checks = append(v.Checks, expectName(r, exp.Name))
	}
	for _, c := range v.Checks {
		if !c.OK {
			v.Failures = append(v.Failures, c.What+": "+c.Detail)
		}
	}
	v.OK = len(v.Failures) == 0
	return v
}

// leafValidity says why the leaf cannot be accepted whatever the roots: it
// expired or is not valid yet, which every TLS client refuses, or the
// OCSP response the server stapled says it was revoked. Zero now means
// time.Now.
func leafValidity(r *Result, now time.Time) []string {
	leaf := r.Leaf()
	if leaf == nil {
		return nil
	}
	if now.IsZero() {
		now = time.Now()
	}
	var out []string
	if na := leaf.NotAfter(); !na.IsZero() && now.After(na) {
		out = append(out, fmt.Sprintf("the leaf (%s) expired on %s", shortName(leaf), na.UTC().Format("2006-01-02")))
	}
	if nb := leaf.NotBefore(); !nb.IsZero() && now.Before(nb) {
		out = append(out, fmt.Sprintf("the leaf (%s) is not valid before %s", shortName(leaf), nb.UTC().Format("2006-01-02")))
	}
	if s := r.OCSP; s != nil && s.Status == "revoked" && s.SerialMatches {
		// The server itself says so; an unverified signature only means
		// the issuer was not sent, not that the claim is doubtful.
		msg := fmt.Sprintf("the stapled OCSP response says the leaf (%s) was revoked on %s", shortName(leaf), s.RevokedAt.UTC().Format("2006-01-02"))
		if !s.SignatureChecked {
			msg += " (its signature could not be checked)"
		}
		out = append(out, msg)
	}
	return out
}

func (v *Verdict) verify(r *Result, exp Expect) Check {
	res, err := Verify(r, exp.Roots, exp.Now)
	if err != nil {
		return Check{What: "verification", Detail: err.Error()}
	}
	v.Verification = res
	if !res.Valid {
		return Check{What: "verification", Detail: strings.Join(res.Problems, "; ")}
	}
	return Check{What: "verification", OK: true, Detail: "valid against the given roots"}
}

func expectFingerprint(r *Result, want []byte) Check {
	chk := Check{What: "fingerprint"}
	leaf := r.Leaf()
	if leaf == nil {
		chk.Detail = "no certificate presented"
		return chk
	}
	got := leaf.SHA256()
	chk.OK = bytes.Equal(got[:], want)
	chk.Detail = "the leaf's SHA-256 is " + leaf.SHA256Hex()
	if !chk.OK {
		chk.Detail += ", not the one expected"
	}
	return chk
}

func expectName(r *Result, name string) Check {
	chk := Check{What: "name " + name}
	leaf := r.Leaf()
	switch {
	case leaf == nil:
		chk.Detail = "no certificate presented"
	default:
		if err := MatchName(leaf, name); err != nil {
			chk.Detail = err.Error()
		} else {
			chk.OK, chk.Detail = true, "the leaf is valid for "+name
		}
	}
	return chk
}

// PresentedCAs are the CA certificates the targets presented, each once,
// in the order first seen: what trustctl probe --save imports.
func PresentedCAs(outs []Outcome) []*certs.Cert {
	var cas []*certs.Cert
	seen := map[[32]byte]bool{}
	for _, o := range outs {
		if o.Result == nil {
			continue
		}
		for _, c := range o.Result.Chain {
			if c.IsCA() && !seen[c.SHA256()] {
				seen[c.SHA256()] = true
				cas = append(cas, c)
			}
		}
	}
	return cas
}
