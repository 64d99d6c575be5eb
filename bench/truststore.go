package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

const (
	systemBundle = "/etc/ssl/certs/ca-certificates.crt"
	storePass    = "changeit"
)

// benchTruststore compares issue 2's truststore workflows: importing the
// system CA bundle and 2,000 synthetic CAs, listing, converting.
func benchTruststore(cfg config) []Row {
	const area = "truststore"
	dir := filepath.Join(cfg.Work, "truststore")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	logf("truststore: preparing inputs")
	bundle, err := os.ReadFile(systemBundle)
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	bundleCerts := splitPEM(bundle)
	sample := min(10, len(bundleCerts))
	for i := range sample {
		if _, err := writeFile(dir, fmt.Sprintf("split/%03d.pem", i), bundleCerts[i]); err != nil {
			return []Row{errRow(area, "setup", err)}
		}
	}
	nSynth := cfg.pick(2000, 300)
	synth, err := syntheticCAs(nSynth)
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	synthPEM, err := writeFile(dir, "synth.pem", certPEM(synth...))
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	bin := cfg.Bin
	// The stores keytool reads are made by trustctl; the run fails here,
	// before any timing, if trustctl cannot make them.
	for _, name := range []string{"synth.jks", "synth.p12"} {
		if _, _, _, err := runOnce(dir, nil, []string{bin, "import", name, synthPEM, "--password", storePass}); err != nil {
			return []Row{errRow(area, "setup", err)}
		}
	}
	var rows []Row
	nBundle := len(bundleCerts)

	// Importing the system bundle: trustctl in one call; keytool needs one
	// -importcert per certificate, timed on a sample and scaled.
	for _, st := range []struct{ ext, typ, label string }{{"jks", "JKS", "JKS"}, {"p12", "PKCS12", "PKCS#12"}} {
		task := fmt.Sprintf("import %d system CAs into a new %s", nBundle, st.label)
		logf("truststore: %s", task)
		out := filepath.Join(dir, "bundle-out."+st.ext)
		ours := []string{bin, "import", out, systemBundle, "--password", storePass}
		om, err := Bench{Dir: dir, Runs: cfg.Runs, Setup: removeAll(out), Argv: ours}.median()
		if err != nil {
			rows = append(rows, errRow(area, task, err))
			continue
		}
		kout := filepath.Join(dir, "keytool-bundle."+st.ext)
		refArgv := func(i int) []string {
			return []string{"keytool", "-importcert", "-noprompt", "-keystore", kout, "-storetype", st.typ,
				"-storepass", storePass, "-alias", fmt.Sprintf("ca%03d", i), "-file", filepath.Join(dir, fmt.Sprintf("split/%03d.pem", i))}
		}
		rm, err := loop(dir, nBundle, sample, removeAll(kout), refArgv)
		row := Row{Area: area, Task: task, Ours: om, OursCmd: cmdText(ours), Ref: rm,
			RefCmd: cmdText(refArgv(0)) + " (one call per certificate)", Target: 1000,
			Note: fmt.Sprintf("keytool loop timed on the first %d certificates, one JVM each, and scaled to %d", sample, nBundle)}
		if err != nil {
			row.Err = err.Error()
		}
		rows = append(rows, row)
	}

	// The same synthetic CAs through keytool's fastest path: one
	// -importkeystore from a PKCS#12 that holds them all.
	srcP12 := filepath.Join(dir, "synth.p12")
	for _, st := range []struct{ ext, typ, label string }{{"jks", "JKS", "JKS"}, {"p12", "PKCS12", "PKCS#12"}} {
		task := fmt.Sprintf("import %d synthetic CAs into a new %s", nSynth, st.label)
		logf("truststore: %s", task)
		out := filepath.Join(dir, "synth-out."+st.ext)
		ours := []string{bin, "import", out, synthPEM, "--password", storePass}
		kout := filepath.Join(dir, "keytool-synth."+st.ext)
		ref := []string{"keytool", "-importkeystore", "-noprompt", "-srckeystore", srcP12, "-srcstoretype", "PKCS12",
			"-srcstorepass", storePass, "-destkeystore", kout, "-deststoretype", st.typ, "-deststorepass", storePass}
		row := compare(area, task, dir, cfg,
			Bench{Dir: dir, Runs: cfg.Runs, Setup: removeAll(out), Argv: ours},
			Bench{Dir: dir, Runs: cfg.RefRun, Setup: removeAll(kout), Argv: ref})
		row.Target, row.MaxRSSMB = 20, 40
		row.Note = fmt.Sprintf("keytool reads a PKCS#12 of the %d certificates made by trustctl", nSynth)
		if n, err := keytoolCount(dir, kout, st.typ); err != nil || n != nSynth {
			row.Note += fmt.Sprintf("; CHECK FAILED: keytool -list shows %d trustedCertEntry in keytool's output store (%v)", n, err)
		}
		if n, err := keytoolCount(dir, out, st.typ); err != nil || n != nSynth {
			row.Note += fmt.Sprintf("; CHECK FAILED: keytool -list shows %d trustedCertEntry in trustctl's store (%v)", n, err)
		}
		rows = append(rows, row)
	}

	{
		task := "list the JDK cacerts"
		logf("truststore: %s", task)
		ours := []string{bin, "list", "--cacerts"}
		ref := []string{"keytool", "-list", "-cacerts", "-storepass", storePass}
		row := compare(area, task, dir, cfg, Bench{Dir: dir, Runs: cfg.Runs, Argv: ours}, Bench{Dir: dir, Runs: cfg.RefRun, Argv: ref})
		row.Target = 10
		rows = append(rows, row)
	}
	for _, st := range []struct{ name, typ, label string }{{"synth.jks", "JKS", "JKS"}, {"synth.p12", "PKCS12", "PKCS#12"}} {
		task := fmt.Sprintf("list a %d-entry %s", nSynth, st.label)
		logf("truststore: %s", task)
		ours := []string{bin, "list", st.name, "--password", storePass}
		ref := []string{"keytool", "-list", "-keystore", st.name, "-storetype", st.typ, "-storepass", storePass}
		row := compare(area, task, dir, cfg, Bench{Dir: dir, Runs: cfg.Runs, Argv: ours}, Bench{Dir: dir, Runs: cfg.RefRun, Argv: ref})
		row.Target, row.MaxRSSMB = 10, 40
		rows = append(rows, row)
	}
	{
		task := fmt.Sprintf("convert a %d-entry JKS to PKCS#12", nSynth)
		logf("truststore: %s", task)
		out := filepath.Join(dir, "conv-out.p12")
		kout := filepath.Join(dir, "keytool-conv.p12")
		ours := []string{bin, "convert", "synth.jks", out, "--password", storePass}
		ref := []string{"keytool", "-importkeystore", "-noprompt", "-srckeystore", "synth.jks", "-srcstoretype", "JKS",
			"-srcstorepass", storePass, "-destkeystore", kout, "-deststoretype", "PKCS12", "-deststorepass", storePass}
		row := compare(area, task, dir, cfg,
			Bench{Dir: dir, Runs: cfg.Runs, Setup: removeAll(out), Argv: ours},
			Bench{Dir: dir, Runs: cfg.RefRun, Setup: removeAll(kout), Argv: ref})
		row.Target, row.MaxRSSMB = 10, 40
		if n, err := keytoolCount(dir, out, "PKCS12"); err != nil || n != nSynth {
			row.Note = fmt.Sprintf("CHECK FAILED: keytool -list shows %d trustedCertEntry in trustctl's output (%v)", n, err)
		}
		rows = append(rows, row)
	}
	return rows
}

// compare times both sides and makes a row.
func compare(area, task, dir string, cfg config, ours, ref Bench) Row {
	row := Row{Area: area, Task: task, OursCmd: cmdText(ours.Argv), RefCmd: cmdText(ref.Argv)}
	ms, err := medians(ours, ref)
	if err != nil {
		row.Err = err.Error()
		logf("%s / %s: %v", area, task, err)
		return row
	}
	row.Ours, row.Ref = ms[0], ms[1]
	return row
}

// keytoolCount is how many trusted certificate entries keytool sees in a
// store: the check that what was timed is what was asked for.
func keytoolCount(dir, path, typ string) (int, error) {
	_, _, out, err := runOnce(dir, nil, []string{"keytool", "-list", "-keystore", path, "-storetype", typ, "-storepass", storePass})
	if err != nil {
		return 0, err
	}
	return bytes.Count(out, []byte("trustedCertEntry")), nil
}
