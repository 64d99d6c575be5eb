package cli

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/probe"
	"github.com/trustctl/trustctl/internal/render"
)

// probeReport is one target as probe prints it; its JSON field names are
// stable.
type probeReport struct {
	Target     string `json:"target"`
	Address    string `json:"address"`
	ServerName string `json:"server_name,omitempty"`
	Name       string `json:"name,omitempty"`
	StartTLS   string `json:"starttls,omitempty"`
	// Error is set when nothing was learned (connection, STARTTLS or
	// handshake failed before the server showed its chain).
	Error          string           `json:"error,omitempty"`
	HandshakeError string           `json:"handshake_error,omitempty"`
	Version        string           `json:"tls_version,omitempty"`
	CipherSuite    string           `json:"cipher_suite,omitempty"`
	ALPN           string           `json:"alpn,omitempty"`
	Legacy         bool             `json:"legacy_handshake,omitempty"`
	Chain          []probeCert      `json:"chain"`
	Problems       []probeProblem   `json:"chain_problems"`
	NameMatch      bool             `json:"name_match"`
	NameError      string           `json:"name_error,omitempty"`
	Fallback       *probeFallback   `json:"sni,omitempty"`
	ClientAuth     *probeClientAuth `json:"client_auth,omitempty"`
	OCSP           *probeOCSP       `json:"stapled_ocsp,omitempty"`
	SCTs           []probeSCT       `json:"scts"`
	Weak           []string         `json:"weak"`
	Verification   *chain.Result    `json:"verification,omitempty"`
	Checks         []probeCheck     `json:"checks,omitempty"`
	ElapsedMS      int64            `json:"elapsed_ms"`
	OK             bool             `json:"ok"`
	Failures       []string         `json:"failures,omitempty"`
	result         *probe.Result    `json:"-"`
}

type probeCert struct {
	Index int `json:"index"`
	certView
	KeyDesc  string   `json:"key_type,omitempty"`
	SANs     []string `json:"sans,omitempty"`
	Validity string   `json:"validity,omitempty"`
}

type probeProblem struct {
	Kind    string `json:"kind"`
	Index   int    `json:"index"`
	Message string `json:"message"`
}

type probeFallback struct {
	RandomName       string `json:"random_name"`
	NoSNILeaf        string `json:"no_sni_leaf,omitempty"`
	NoSNIError       string `json:"no_sni_error,omitempty"`
	RandomLeaf       string `json:"random_name_leaf,omitempty"`
	RandomError      string `json:"random_name_error,omitempty"`
	SameAsDefault    bool   `json:"same_as_default"`
	DefaultPresented bool   `json:"default_presented"`
	Verdict          string `json:"verdict"`
}

type probeClientAuth struct {
	Requested   bool     `json:"requested"`
	AcceptedCAs []string `json:"accepted_cas"`
	Sent        bool     `json:"sent"`
	Accepted    bool     `json:"accepted"`
}

type probeOCSP struct {
	Status           string `json:"status"`
	ProducedAt       string `json:"produced_at,omitempty"`
	ThisUpdate       string `json:"this_update,omitempty"`
	NextUpdate       string `json:"next_update,omitempty"`
	RevokedAt        string `json:"revoked_at,omitempty"`
	SerialMatches    bool   `json:"serial_matches"`
	SignatureChecked bool   `json:"signature_checked"`
	Error            string `json:"error,omitempty"`
}

type probeSCT struct {
	Source string `json:"source"`
	LogID  string `json:"log_id,omitempty"`
	Time   string `json:"time,omitempty"`
	Error  string `json:"error,omitempty"`
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func newProbeReport(o probe.Outcome, now time.Time) probeReport {
	rep := probeReport{
		Target:   o.Target.String(),
		Address:  o.Target.Addr(),
		Chain:    []probeCert{},
		Problems: []probeProblem{},
		SCTs:     []probeSCT{},
		Weak:     []string{},
	}
	if o.Err != nil {
		rep.Error = o.Err.Error()
		return rep
	}
	r := o.Result
	rep.result = r
	rep.ServerName, rep.Name, rep.StartTLS = r.ServerName, r.Name, r.StartTLS
	rep.HandshakeError = errString(r.HandshakeErr)
	rep.Version, rep.CipherSuite, rep.ALPN, rep.Legacy = r.VersionName(), r.CipherSuiteName(), r.ALPN, r.Legacy
	rep.ElapsedMS = r.Elapsed.Milliseconds()
	for i, c := range r.Chain {
		pc := probeCert{Index: i, certView: viewOf(c, now), KeyDesc: probe.KeyDescription(c), SANs: probe.SANs(c)}
		pc.Validity = render.Days(c.NotAfter(), now)
		if pc.Signature == "" {
			pc.Signature = probe.SignatureAlgorithm(c)
		}
		rep.Chain = append(rep.Chain, pc)
	}
	for _, p := range r.Problems {
		rep.Problems = append(rep.Problems, probeProblem{p.Kind, p.Index, p.Message})
	}
	rep.NameMatch, rep.NameError = r.NameMatch, errString(r.NameErr)
	if f := r.Fallback; f != nil {
		pf := &probeFallback{RandomName: f.RandomName, NoSNIError: errString(f.NoSNIErr), RandomError: errString(f.RandomErr),
			SameAsDefault: f.SameAsDefault, DefaultPresented: f.DefaultPresented, Verdict: f.Verdict}
		if f.NoSNILeaf != nil {
			pf.NoSNILeaf = f.NoSNILeaf.Subject()
		}
		if f.RandomLeaf != nil {
			pf.RandomLeaf = f.RandomLeaf.Subject()
		}
		rep.Fallback = pf
	}
	ca := r.ClientAuth
	rep.ClientAuth = &probeClientAuth{Requested: ca.Requested, AcceptedCAs: ca.AcceptedCAs, Sent: ca.Sent, Accepted: ca.Accepted}
	if rep.ClientAuth.AcceptedCAs == nil {
		rep.ClientAuth.AcceptedCAs = []string{}
	}
	if s := r.OCSP; s != nil {
		rep.OCSP = &probeOCSP{Status: s.Status, ProducedAt: rfc3339(s.ProducedAt), ThisUpdate: rfc3339(s.ThisUpdate),
			NextUpdate: rfc3339(s.NextUpdate), RevokedAt: rfc3339(s.RevokedAt), SerialMatches: s.SerialMatches,
			SignatureChecked: s.SignatureChecked, Error: errString(s.Err)}
	}
	for _, s := range r.SCTs {
		rep.SCTs = append(rep.SCTs, probeSCT{Source: s.Source, LogID: s.LogID, Time: rfc3339(s.Time), Error: errString(s.Err)})
	}
	rep.Weak = append(rep.Weak, r.Weak...)
	return rep
}

func (rep *probeReport) verify(r *probe.Result, roots []*x509.Certificate, now time.Time) {
	res, err := probe.Verify(r, roots, now)
	if err != nil {
		rep.Checks = append(rep.Checks, probeCheck{What: "verification", OK: false, Detail: err.Error()})
		return
	}
	rep.Verification = res
	d := "valid against the given roots"
	if !res.Valid {
		d = strings.Join(res.Problems, "; ")
	}
	rep.Checks = append(rep.Checks, probeCheck{What: "verification", OK: res.Valid, Detail: d})
}

func (rep *probeReport) expectFingerprint(r *probe.Result, want []byte) {
	leaf := r.Leaf()
	chk := probeCheck{What: "fingerprint"}
	if leaf != nil {
		got := leaf.SHA256()
		chk.OK = bytes.Equal(got[:], want)
		if chk.OK {
			chk.Detail = "the leaf's SHA-256 is " + leaf.SHA256Hex()
		} else {
			chk.Detail = "the leaf's SHA-256 is " + leaf.SHA256Hex() + ", not the one expected"
		}
	} else {
		chk.Detail = "no certificate presented"
	}
	rep.Checks = append(rep.Checks, chk)
}

func (rep *probeReport) expectName(r *probe.Result, name string) {
	chk := probeCheck{What: "name " + name}
	leaf := r.Leaf()
	switch {
	case leaf == nil:
		chk.Detail = "no certificate presented"
	default:
		if err := probe.MatchName(leaf, name); err != nil {
			chk.Detail = err.Error()
		} else {
			chk.OK, chk.Detail = true, "the leaf is valid for "+name
		}
	}
	rep.Checks = append(rep.Checks, chk)
}

// judge decides whether the target passed, listing why not.
func (rep *probeReport) judge() {
	var f []string
	switch {
	case rep.Error != "":
		f = append(f, rep.Error)
	case rep.HandshakeError != "":
		f = append(f, "no handshake: "+rep.HandshakeError)
	}
	if rep.result != nil && len(rep.result.Chain) > 0 && !rep.NameMatch && rep.Name != "" {
		if rep.Fallback != nil && rep.Fallback.DefaultPresented {
			f = append(f, rep.Fallback.Verdict)
		} else {
			f = append(f, fmt.Sprintf("the certificate does not match %s", rep.Name))
		}
	}
	for _, c := range rep.Checks {
		if !c.OK {
			f = append(f, c.What+": "+c.Detail)
		}
	}
	rep.Failures = f
	rep.OK = len(f) == 0
}

type probeDoc struct {
	Targets []probeReport `json:"targets"`
	Saved   *probeSave    `json:"saved,omitempty"`
	OK      bool          `json:"ok"`
}

func printProbeJSON(w io.Writer, reps []probeReport, saved *probeSave, ok bool) error {
	return render.JSON(w, probeDoc{Targets: reps, Saved: saved, OK: ok})
}

func printProbeText(w io.Writer, reps []probeReport, saved *probeSave, now time.Time, colour bool) {
	for i, rep := range reps {
		if i > 0 {
			fmt.Fprintln(w)
		}
		printProbeOne(w, rep, colour)
	}
	if saved != nil {
		fmt.Fprintln(w)
		if saved.NoneSent {
			fmt.Fprintf(w, "%s: nothing saved: no CA certificate was presented\n", saved.Store)
		}
		for _, a := range saved.Added {
			fmt.Fprintf(w, "saved     %s\n", a)
		}
		for _, a := range saved.Present {
			fmt.Fprintf(w, "present   %s\n", a)
		}
		if !saved.NoneSent {
			fmt.Fprintf(w, "%s: %d added, %d already present\n", saved.Store, len(saved.Added), len(saved.Present))
		}
	}
}

func printProbeOne(w io.Writer, rep probeReport, colour bool) {
	head := rep.Target
	if rep.Address != rep.Target {
		head += " (" + rep.Address + ")"
	}
	var via []string
	if rep.StartTLS != "" {
		via = append(via, "STARTTLS "+rep.StartTLS)
	}
	if rep.result != nil {
		if rep.ServerName != "" {
			via = append(via, "SNI "+rep.ServerName)
		} else {
			via = append(via, "no SNI")
		}
	}
	if len(via) > 0 {
		head += " [" + strings.Join(via, ", ") + "]"
	}
	fmt.Fprintln(w, render.Colour(colour, render.Bold, head))
	if rep.Error != "" {
		fmt.Fprintf(w, "  %s %s\n", render.Colour(colour, render.Red, "error:"), rep.Error)
		return
	}
	if rep.Version != "" {
		line := rep.Version + ", " + rep.CipherSuite
		if rep.ALPN != "" {
			line += ", ALPN " + rep.ALPN
		}
		if rep.Legacy {
			line += " (legacy handshake)"
		}
		fmt.Fprintf(w, "  %s\n", line)
	}
	if rep.HandshakeError != "" {
		fmt.Fprintf(w, "  %s %s\n", render.Colour(colour, render.Red, "handshake failed:"), rep.HandshakeError)
	}
	if len(rep.Chain) > 0 {
		fmt.Fprintf(w, "  chain as sent (%d):\n", len(rep.Chain))
	}
	for _, c := range rep.Chain {
		fmt.Fprintf(w, "   #%d %s\n", c.Index, c.Subject)
		row := func(k, v string) {
			if v != "" {
				fmt.Fprintf(w, "      %-9s %s\n", k, v)
			}
		}
		row("issuer", c.Issuer)
		row("SANs", strings.Join(c.SANs, ", "))
		if c.NotAfter != "" {
			valid := dateOf(c.NotBefore) + " to " + dateOf(c.NotAfter) + " (" + c.Validity + ")"
			if c.DaysLeft < 0 {
				valid = render.Colour(colour, render.Red, valid)
			}
			row("valid", valid)
		}
		key := c.KeyDesc
		if c.Signature != "" {
			key += ", signed " + c.Signature
		}
		row("key", strings.TrimPrefix(key, ", "))
		row("sha256", c.SHA256)
		if c.ParseError != "" {
			row("note", "Go's parser refused it: "+c.ParseError)
		}
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  %s %s\n", render.Colour(colour, render.Yellow, "chain:"), p.Message)
	}
	if len(rep.Chain) > 0 && rep.Name != "" {
		if rep.NameMatch {
			fmt.Fprintf(w, "  name: the leaf is valid for %s\n", rep.Name)
		} else {
			fmt.Fprintf(w, "  name: %s\n", render.Colour(colour, render.Red, "the leaf is NOT valid for "+rep.Name+" ("+rep.NameError+")"))
		}
	}
	if f := rep.Fallback; f != nil {
		v := f.Verdict
		if f.DefaultPresented {
			v = render.Colour(colour, render.Red, v)
		}
		fmt.Fprintf(w, "  SNI: %s\n", v)
	}
	if ca := rep.ClientAuth; ca != nil {
		switch {
		case !ca.Requested:
			fmt.Fprintln(w, "  client certificate: not requested")
		default:
			names := "any CA (no names sent)"
			if len(ca.AcceptedCAs) > 0 {
				names = strings.Join(ca.AcceptedCAs, "; ")
			}
			state := "none sent"
			switch {
			case ca.Sent && ca.Accepted:
				state = "ours was accepted"
			case ca.Sent:
				state = "ours was refused"
			case ca.Accepted:
				state = "none sent; the handshake completed without one"
			}
			fmt.Fprintf(w, "  client certificate: requested, %s\n", state)
			fmt.Fprintf(w, "    accepted CAs: %s\n", names)
		}
	}
	if o := rep.OCSP; o != nil {
		line := "stapled OCSP: " + o.Status
		if o.Status == "revoked" {
			line += " at " + o.RevokedAt
		}
		if o.ProducedAt != "" {
			line += ", produced " + o.ProducedAt
		}
		if o.NextUpdate != "" {
			line += ", next update " + o.NextUpdate
		}
		if !o.SerialMatches && o.Status != "undecodable" {
			line += " (about another certificate)"
		}
		if o.Error != "" {
			line += " (" + o.Error + ")"
		}
		fmt.Fprintf(w, "  %s\n", line)
	} else if rep.Version != "" {
		fmt.Fprintln(w, "  stapled OCSP: none")
	}
	if len(rep.SCTs) > 0 {
		fmt.Fprintf(w, "  SCTs (%d):\n", len(rep.SCTs))
		for _, s := range rep.SCTs {
			if s.Error != "" {
				fmt.Fprintf(w, "    %s: %s\n", s.Source, s.Error)
				continue
			}
			fmt.Fprintf(w, "    log %s at %s (%s)\n", s.LogID, s.Time, s.Source)
		}
	}
	for _, wk := range rep.Weak {
		fmt.Fprintf(w, "  %s %s\n", render.Colour(colour, render.Yellow, "weak:"), wk)
	}
	if rep.Verification != nil {
		fmt.Fprintln(w, "  verification:")
		var b strings.Builder
		renderChain(&b, rep.Verification, colour)
		for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
	for _, c := range rep.Checks {
		if c.What == "verification" && rep.Verification != nil {
			continue
		}
		mark := render.Colour(colour, render.Green, "ok")
		if !c.OK {
			mark = render.Colour(colour, render.Red, "FAILED")
		}
		fmt.Fprintf(w, "  expect %s: %s (%s)\n", c.What, mark, c.Detail)
	}
	if rep.OK {
		fmt.Fprintf(w, "  result: %s\n", render.Colour(colour, render.Green, "ok"))
	} else {
		fmt.Fprintf(w, "  result: %s\n", render.Colour(colour, render.Red, "FAILED"))
		for _, f := range rep.Failures {
			fmt.Fprintf(w, "    - %s\n", f)
		}
	}
}
