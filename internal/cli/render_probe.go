package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
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
	// Subject and DaysLeft are the leaf's, for the summary row.
	Subject  string   `json:"subject,omitempty"`
	DaysLeft *int     `json:"days_left,omitempty"`
	OK       bool     `json:"ok"`
	Failures []string `json:"failures,omitempty"`
	fallback bool
	result   *probe.Result
}

// probeCert is a certificate of the chain as sent: what show tells of a
// certificate (a field that could not be read is null), and the SANs and
// validity as the text shows them.
type probeCert struct {
	Index int `json:"index"`
	certs.Details
	KeyDesc  string   `json:"key_type,omitempty"`
	SANs     []string `json:"sans,omitempty"`
	Validity string   `json:"validity,omitempty"`
}

// newProbeCert describes the certificate at index i of a chain.
func newProbeCert(i int, c *certs.Cert, now time.Time) probeCert {
	pc := probeCert{Index: i, Details: c.Details(now)}
	if pc.Key != nil {
		pc.KeyDesc = *pc.Key
	}
	for _, l := range []struct {
		prefix string
		names  []string
	}{{"DNS:", pc.DNSNames}, {"IP:", pc.IPs}, {"email:", pc.Emails}, {"URI:", pc.URIs}} {
		for _, n := range l.names {
			pc.SANs = append(pc.SANs, l.prefix+n)
		}
	}
	if pc.NotAfter != nil {
		pc.Validity = render.Days(*pc.NotAfter, now)
	}
	return pc
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

// newProbeReport lays out what one target showed and the verdict
// internal/probe reached on it.
func newProbeReport(o probe.Outcome, v probe.Verdict, now time.Time) probeReport {
	rep := probeReport{
		Target:       o.Target.String(),
		Address:      o.Target.Addr(),
		Chain:        []probeCert{},
		Problems:     []probeProblem{},
		SCTs:         []probeSCT{},
		Weak:         []string{},
		Verification: v.Verification,
		OK:           v.OK,
		Failures:     v.Failures,
		fallback:     v.Fallback,
	}
	for _, c := range v.Checks {
		rep.Checks = append(rep.Checks, probeCheck{What: c.What, OK: c.OK, Detail: c.Detail})
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
		rep.Chain = append(rep.Chain, newProbeCert(i, c, now))
	}
	if leaf := r.Leaf(); leaf != nil {
		// Days left stay unknown (null) when notAfter could not be read.
		rep.Subject, rep.DaysLeft = leaf.Subject(), rep.Chain[0].DaysLeft
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
		rep.OCSP = &probeOCSP{Status: s.Status, ProducedAt: render.RFC3339(s.ProducedAt), ThisUpdate: render.RFC3339(s.ThisUpdate),
			NextUpdate: render.RFC3339(s.NextUpdate), RevokedAt: render.RFC3339(s.RevokedAt), SerialMatches: s.SerialMatches,
			SignatureChecked: s.SignatureChecked, Error: errString(s.Err)}
	}
	for _, s := range r.SCTs {
		rep.SCTs = append(rep.SCTs, probeSCT{Source: s.Source, LogID: s.LogID, Time: render.RFC3339(s.Time), Error: errString(s.Err)})
	}
	rep.Weak = append(rep.Weak, r.Weak...)
	return rep
}

type probeDoc struct {
	Targets []probeReport `json:"targets"`
	Saved   *probeSave    `json:"saved,omitempty"`
	// Changed is there with --save, the one thing probe writes.
	Changed *bool `json:"changed,omitempty"`
	OK      bool  `json:"ok"`
}

func printProbeJSON(w io.Writer, reps []probeReport, saved *probeSave, ok bool) error {
	doc := probeDoc{Targets: reps, Saved: saved, OK: ok}
	if saved != nil {
		doc.Changed = &saved.Changed
	}
	return render.JSON(w, doc)
}

// printProbeSummary ends a probe of several targets with one row each:
// target, verdict, the leaf's subject and days left, and why it failed.
func printProbeSummary(w io.Writer, reps []probeReport, colour bool) error {
	rows := make([][]string, 0, len(reps))
	failed := 0
	for _, rep := range reps {
		verdict, days, reason := render.Colour(colour, render.Green, "ok"), "-", ""
		if !rep.OK {
			failed++
			verdict = render.Colour(colour, render.Red, "FAILED")
			reason = strings.Join(rep.Failures, "; ")
		}
		if rep.DaysLeft != nil {
			days = strconv.Itoa(*rep.DaysLeft)
		}
		subject := rep.Subject
		if subject == "" {
			subject = "-"
		}
		rows = append(rows, []string{rep.Target, verdict, days, subject, reason})
	}
	fmt.Fprintln(w)
	if err := render.Table(w, []string{"TARGET", "RESULT", "DAYS", "SUBJECT", "REASON"}, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d targets: %d ok, %d failed\n", len(reps), len(reps)-failed, failed)
	return err
}
