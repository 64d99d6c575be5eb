package render

import (
	"io"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/probe"
)

// ProbeReport is one target as probe shows it: what it presented and the
// verdict internal/probe reached on it. Its JSON field names are stable.
type ProbeReport struct {
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
	Chain          []ProbeCert      `json:"chain"`
	Problems       []ProbeProblem   `json:"chain_problems"`
	NameMatch      bool             `json:"name_match"`
	NameError      string           `json:"name_error,omitempty"`
	Fallback       *ProbeFallback   `json:"sni,omitempty"`
	ClientAuth     *ProbeClientAuth `json:"client_auth,omitempty"`
	OCSP           *ProbeOCSP       `json:"stapled_ocsp,omitempty"`
	SCTs           []ProbeSCT       `json:"scts"`
	Weak           []string         `json:"weak"`
	Verification   *chain.Result    `json:"verification,omitempty"`
	Checks         []ProbeCheck     `json:"checks,omitempty"`
	ElapsedMS      int64            `json:"elapsed_ms"`
	// Subject and DaysLeft are the leaf's, for the summary row.
	Subject  string   `json:"subject,omitempty"`
	DaysLeft *int     `json:"days_left,omitempty"`
	OK       bool     `json:"ok"`
	Failures []string `json:"failures,omitempty"`
	// reached is set when the target answered (a probe.Result, not an
	// error): the text then says which name was sent.
	reached bool
}

// ProbeCert is a certificate of the chain as sent: what show tells of a
// certificate (a field that could not be read is null), and the SANs and
// validity as the text shows them.
type ProbeCert struct {
	Index int `json:"index"`
	certs.Details
	KeyDesc  string   `json:"key_type,omitempty"`
	SANs     []string `json:"sans,omitempty"`
	Validity string   `json:"validity,omitempty"`
}

// ProbeProblem is a problem with the order or completeness of the chain.
type ProbeProblem struct {
	Kind    string `json:"kind"`
	Index   int    `json:"index"`
	Message string `json:"message"`
}

// ProbeFallback compares the handshakes without SNI and with a random name.
type ProbeFallback struct {
	RandomName       string `json:"random_name"`
	NoSNILeaf        string `json:"no_sni_leaf,omitempty"`
	NoSNIError       string `json:"no_sni_error,omitempty"`
	RandomLeaf       string `json:"random_name_leaf,omitempty"`
	RandomError      string `json:"random_name_error,omitempty"`
	SameAsDefault    bool   `json:"same_as_default"`
	DefaultPresented bool   `json:"default_presented"`
	Verdict          string `json:"verdict"`
}

// ProbeClientAuth is whether the server asked for a client certificate,
// and what came of it.
type ProbeClientAuth struct {
	Requested   bool     `json:"requested"`
	AcceptedCAs []string `json:"accepted_cas"`
	Sent        bool     `json:"sent"`
	Accepted    bool     `json:"accepted"`
}

// ProbeOCSP is a stapled OCSP response.
type ProbeOCSP struct {
	Status           string `json:"status"`
	ProducedAt       string `json:"produced_at,omitempty"`
	ThisUpdate       string `json:"this_update,omitempty"`
	NextUpdate       string `json:"next_update,omitempty"`
	RevokedAt        string `json:"revoked_at,omitempty"`
	SerialMatches    bool   `json:"serial_matches"`
	SignatureChecked bool   `json:"signature_checked"`
	Error            string `json:"error,omitempty"`
}

// ProbeSCT is a signed certificate timestamp, embedded or sent.
type ProbeSCT struct {
	Source string `json:"source"`
	LogID  string `json:"log_id,omitempty"`
	Time   string `json:"time,omitempty"`
	Error  string `json:"error,omitempty"`
}

// ProbeCheck is one expectation on a target and whether it held.
type ProbeCheck struct {
	What   string `json:"what"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// ProbeSave is what probe --save did to the truststore: the entries added
// and those already present, as "ALIAS  SUBJECT".
type ProbeSave struct {
	Store    string   `json:"store"`
	Changed  bool     `json:"changed"`
	Added    []string `json:"added"`
	Present  []string `json:"already_present"`
	NoneSent bool     `json:"no_ca_certificates,omitempty"`
}

// ProbeDoc is probe's JSON document.
type ProbeDoc struct {
	Targets []ProbeReport `json:"targets"`
	Saved   *ProbeSave    `json:"saved,omitempty"`
	// Changed is there with --save, the one thing probe writes.
	Changed *bool `json:"changed,omitempty"`
	OK      bool  `json:"ok"`
}

// ProbeJSON writes probe's JSON document; ok is whether every target
// passed, saved what --save did (nil without it).
func ProbeJSON(w io.Writer, reps []ProbeReport, saved *ProbeSave, ok bool) error {
	doc := ProbeDoc{Targets: reps, Saved: saved, OK: ok}
	if saved != nil {
		doc.Changed = &saved.Changed
	}
	return JSON(w, doc)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// NewProbeReport lays out what one target showed and the verdict
// internal/probe reached on it; now is the clock for days left.
func NewProbeReport(o probe.Outcome, v probe.Verdict, now time.Time) ProbeReport {
	rep := ProbeReport{
		Target:       o.Target.String(),
		Address:      o.Target.Addr(),
		Chain:        []ProbeCert{},
		Problems:     []ProbeProblem{},
		SCTs:         []ProbeSCT{},
		Weak:         []string{},
		Verification: v.Verification,
		OK:           v.OK,
		Failures:     v.Failures,
	}
	for _, c := range v.Checks {
		rep.Checks = append(rep.Checks, ProbeCheck{What: c.What, OK: c.OK, Detail: c.Detail})
	}
	if o.Err != nil {
		rep.Error = o.Err.Error()
		rep.ServerName = o.Target.ServerName
		return rep
	}
	r := o.Result
	rep.reached = true
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
		rep.Problems = append(rep.Problems, ProbeProblem{p.Kind, p.Index, p.Message})
	}
	rep.NameMatch, rep.NameError = r.NameMatch, errString(r.NameErr)
	if f := r.Fallback; f != nil {
		pf := &ProbeFallback{RandomName: f.RandomName, NoSNIError: errString(f.NoSNIErr), RandomError: errString(f.RandomErr),
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
	rep.ClientAuth = &ProbeClientAuth{Requested: ca.Requested, AcceptedCAs: ca.AcceptedCAs, Sent: ca.Sent, Accepted: ca.Accepted}
	if rep.ClientAuth.AcceptedCAs == nil {
		rep.ClientAuth.AcceptedCAs = []string{}
	}
	if s := r.OCSP; s != nil {
		rep.OCSP = &ProbeOCSP{Status: s.Status, ProducedAt: RFC3339(s.ProducedAt), ThisUpdate: RFC3339(s.ThisUpdate),
			NextUpdate: RFC3339(s.NextUpdate), RevokedAt: RFC3339(s.RevokedAt), SerialMatches: s.SerialMatches,
			SignatureChecked: s.SignatureChecked, Error: errString(s.Err)}
	}
	for _, s := range r.SCTs {
		rep.SCTs = append(rep.SCTs, ProbeSCT{Source: s.Source, LogID: s.LogID, Time: RFC3339(s.Time), Error: errString(s.Err)})
	}
	rep.Weak = append(rep.Weak, r.Weak...)
	return rep
}

// newProbeCert describes the certificate at index i of a chain.
func newProbeCert(i int, c *certs.Cert, now time.Time) ProbeCert {
	pc := ProbeCert{Index: i, Details: c.Details(now)}
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
		pc.Validity = Days(*pc.NotAfter, now)
	}
	return pc
}
