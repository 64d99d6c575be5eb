package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ProbeText writes what each target presented, a blank line between
// targets, and then what --save did (saved is nil without it). The
// verification result is drawn as verify draws it (Chain), indented under
// "verification:". colour turns on ANSI colours.
func ProbeText(w io.Writer, reps []ProbeReport, saved *ProbeSave, colour bool) error {
	bw := bufio.NewWriter(w)
	w = bw
	for i, rep := range reps {
		if i > 0 {
			fmt.Fprintln(w)
		}
		probeOne(w, rep, colour)
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
			fmt.Fprintf(w, "%s: %d added, %d already present%s\n", saved.Store, len(saved.Added), len(saved.Present), Unchanged(saved.Changed))
		}
	}
	return bw.Flush()
}

// probeOne writes one target.
func probeOne(w io.Writer, rep ProbeReport, colour bool) {
	fmt.Fprintln(w, Colour(colour, Bold, probeHead(rep)))
	if rep.Error != "" {
		fmt.Fprintf(w, "  %s %s\n", Colour(colour, Red, "error:"), rep.Error)
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
		fmt.Fprintf(w, "  %s %s\n", Colour(colour, Red, "handshake failed:"), rep.HandshakeError)
	}
	probeCerts(w, rep, colour)
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  %s %s\n", Colour(colour, Yellow, "chain:"), p.Message)
	}
	if len(rep.Chain) > 0 && rep.Name != "" {
		if rep.NameMatch {
			fmt.Fprintf(w, "  name: the leaf is valid for %s\n", rep.Name)
		} else {
			fmt.Fprintf(w, "  name: %s\n", Colour(colour, Red, "the leaf is NOT valid for "+rep.Name+" ("+rep.NameError+")"))
		}
	}
	if f := rep.Fallback; f != nil {
		v := f.Verdict
		if f.DefaultPresented {
			v = Colour(colour, Red, v)
		}
		fmt.Fprintf(w, "  SNI: %s\n", v)
	}
	probeClientAuth(w, rep.ClientAuth)
	probeStapled(w, rep)
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
		fmt.Fprintf(w, "  %s %s\n", Colour(colour, Yellow, "weak:"), wk)
	}
	probeVerdict(w, rep, colour)
}

// probeHead is a target's first line: what was dialled, and how.
func probeHead(rep ProbeReport) string {
	head := rep.Target
	if rep.Address != rep.Target {
		head += " (" + rep.Address + ")"
	}
	var via []string
	if rep.StartTLS != "" {
		via = append(via, "STARTTLS "+rep.StartTLS)
	}
	if rep.reached {
		if rep.ServerName != "" {
			via = append(via, "SNI "+rep.ServerName)
		} else {
			via = append(via, "no SNI")
		}
	}
	if len(via) > 0 {
		head += " [" + strings.Join(via, ", ") + "]"
	}
	return head
}

// probeCerts lists the chain as the server sent it.
func probeCerts(w io.Writer, rep ProbeReport, colour bool) {
	if len(rep.Chain) > 0 {
		fmt.Fprintf(w, "  chain as sent (%d):\n", len(rep.Chain))
	}
	for _, c := range rep.Chain {
		fmt.Fprintf(w, "   #%d %s\n", c.Index, OrUnknown(c.Subject))
		row := func(k, v string) {
			if v != "" {
				fmt.Fprintf(w, "      %-9s %s\n", k, v)
			}
		}
		row("issuer", OrUnknown(c.Issuer))
		row("SANs", strings.Join(c.SANs, ", "))
		if c.NotAfter != nil {
			nb := "unknown"
			if c.NotBefore != nil {
				nb = Date(*c.NotBefore)
			}
			valid := nb + " to " + Date(*c.NotAfter) + " (" + c.Validity + ")"
			if *c.DaysLeft < 0 {
				valid = Colour(colour, Red, valid)
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
}

// probeClientAuth says whether the server asked for a client certificate,
// which CAs it accepts, and what became of ours.
func probeClientAuth(w io.Writer, ca *ProbeClientAuth) {
	if ca == nil {
		return
	}
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

// probeStapled describes the stapled OCSP response, if any.
func probeStapled(w io.Writer, rep ProbeReport) {
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
}

// probeVerdict draws the verification, the expectations and the result.
func probeVerdict(w io.Writer, rep ProbeReport, colour bool) {
	if rep.Verification != nil {
		fmt.Fprintln(w, "  verification:")
		var b strings.Builder
		_ = Chain(&b, rep.Verification, colour) // a strings.Builder does not fail
		for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
	for _, c := range rep.Checks {
		if c.What == "verification" && rep.Verification != nil {
			continue
		}
		mark := Colour(colour, Green, "ok")
		if !c.OK {
			mark = Colour(colour, Red, "FAILED")
		}
		fmt.Fprintf(w, "  expect %s: %s (%s)\n", c.What, mark, c.Detail)
	}
	if rep.OK {
		fmt.Fprintf(w, "  result: %s\n", Colour(colour, Green, "ok"))
	} else {
		fmt.Fprintf(w, "  result: %s\n", Colour(colour, Red, "FAILED"))
		for _, f := range rep.Failures {
			fmt.Fprintf(w, "    - %s\n", f)
		}
	}
}

// ProbeSummary ends a probe of several targets with one row each:
// target, verdict, the leaf's subject and days left, and why it failed.
func ProbeSummary(w io.Writer, reps []ProbeReport, colour bool) error {
	rows := make([][]string, 0, len(reps))
	failed := 0
	for _, rep := range reps {
		verdict, days, reason := Colour(colour, Green, "ok"), "-", ""
		if !rep.OK {
			failed++
			verdict = Colour(colour, Red, "FAILED")
			reason = strings.Join(rep.Failures, "; ")
		}
		if rep.DaysLeft != nil {
			days = strconv.Itoa(*rep.DaysLeft)
		}
		subject := rep.Subject
		if subject == "" {
			subject = "-"
		}
		// The name sent, when it is not the target's host: two lines of
		// a targets file for one address differ only by it.
		target := rep.Target
		if rep.ServerName != "" && !strings.HasPrefix(target, rep.ServerName) {
			target += " " + rep.ServerName
		}
		rows = append(rows, []string{target, verdict, days, subject, reason})
	}
	fmt.Fprintln(w)
	if err := Table(w, []string{"TARGET", "RESULT", "DAYS", "SUBJECT", "REASON"}, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d targets: %d ok, %d failed\n", len(reps), len(reps)-failed, failed)
	return err
}
