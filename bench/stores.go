package main

import (
	"bytes"
	"fmt"
	"path/filepath"
)

const storePass = "changeit"

// benchStores times import, list and convert on truststores of 20,000
// entries, JKS and PKCS#12, against the floor (the same work with
// keystore-go and go-pkcs12) and against keytool, with peak memory.
func benchStores(cfg config) []Row {
	const area = "stores"
	dir := filepath.Join(cfg.Work, "stores")
	n := cfg.pick(20000, 2000)
	logf("stores: making %d CA certificates", n)
	synth, err := syntheticCAs(n)
	if err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	if _, err := writeFile(dir, "synth.pem", certPEM(synth...)); err != nil {
		return []Row{errRow(area, "setup", err)}
	}
	// The stores listed and converted, and those keytool reads, are
	// written by trustctl; the run stops here if it cannot write them.
	for _, name := range []string{"synth.jks", "synth.p12"} {
		if _, _, _, err := runOnce(dir, nil, []string{cfg.Bin, "import", name, "synth.pem", "--password", storePass}); err != nil {
			return []Row{errRow(area, "setup", err)}
		}
	}
	withKeytool := have("keytool")
	runs := cfg.pick(3, 1)
	type format struct{ ext, typ, label string }
	formats := []format{{"jks", "JKS", "JKS"}, {"p12", "PKCS12", "PKCS#12"}}
	var rows []Row
	add := func(task string, ours, floor []string, keytool []string, outs ...string) {
		logf("stores: %s", task)
		var paths []string
		for _, o := range outs {
			paths = append(paths, filepath.Join(dir, o))
		}
		setup := removeAll(paths...)
		ms, err := medians(Bench{Dir: dir, Runs: runs, Setup: setup, Argv: ours}, Bench{Dir: dir, Runs: runs, Setup: setup, Argv: floor})
		row := Row{Area: area, Task: task + ", vs the floor", OursCmd: cmdText(ours), RefCmd: cmdText(floor) + " (bench/floor/stores)",
			Target: 1 / 1.3, RSSRatio: 1.3, Note: "goal: within 1.3x of the floor's time and peak memory, with the Go runtime's default settings"}
		if err != nil {
			row.Err = err.Error()
		} else {
			row.Ours, row.Ref = ms[0], ms[1]
		}
		rows = append(rows, row)
		ktask := task + ", vs keytool"
		if !withKeytool {
			rows = append(rows, skipRow(area, ktask, "keytool is not installed"))
			return
		}
		km, err := Bench{Dir: dir, Runs: cfg.RefRun, Setup: setup, Argv: keytool}.median()
		krow := Row{Area: area, Task: ktask, Ours: row.Ours, OursCmd: row.OursCmd, Ref: km, RefCmd: cmdText(keytool), Target: 20,
			Note: "goal: 20x keytool"}
		if err != nil {
			krow.Err = err.Error()
		}
		rows = append(rows, krow)
	}
	for _, f := range formats {
		out := "out." + f.ext
		ours := []string{cfg.Bin, "import", out, "synth.pem", "--password", storePass}
		add(fmt.Sprintf("import %d CA certificates into a new %s", n, f.label),
			ours,
			[]string{cfg.floor("stores"), "import", out, "synth.pem", storePass},
			[]string{"keytool", "-importkeystore", "-noprompt", "-srckeystore", "synth.p12", "-srcstoretype", "PKCS12", "-srcstorepass", storePass,
				"-destkeystore", "keytool-out." + f.ext, "-deststoretype", f.typ, "-deststorepass", storePass},
			out, "keytool-out."+f.ext)
		if !withKeytool {
			continue
		}
		// The timed runs' outputs are gone (each run starts without
		// them): one more import makes the store keytool checks.
		if err := removeAll(filepath.Join(dir, out))(); err != nil {
			rows[len(rows)-2].Err = err.Error()
			continue
		}
		if _, _, _, err := runOnce(dir, nil, ours); err != nil {
			rows[len(rows)-2].Err = err.Error()
			continue
		}
		if n, err := keytoolCount(dir, out, f.typ); err != nil || n != len(synth) {
			rows[len(rows)-2].Note += fmt.Sprintf("; CHECK FAILED: keytool -list shows %d trustedCertEntry in trustctl's %s (%v)", n, out, err)
		}
	}
	for _, f := range formats {
		add(fmt.Sprintf("list a %d-entry %s", n, f.label),
			[]string{cfg.Bin, "list", "synth." + f.ext, "--password", storePass},
			[]string{cfg.floor("stores"), "list", "synth." + f.ext, storePass},
			[]string{"keytool", "-list", "-keystore", "synth." + f.ext, "-storetype", f.typ, "-storepass", storePass})
	}
	add(fmt.Sprintf("convert a %d-entry JKS to PKCS#12", n),
		[]string{cfg.Bin, "convert", "synth.jks", "conv.p12", "--password", storePass},
		[]string{cfg.floor("stores"), "convert", "synth.jks", "conv.p12", storePass},
		[]string{"keytool", "-importkeystore", "-noprompt", "-srckeystore", "synth.jks", "-srcstoretype", "JKS", "-srcstorepass", storePass,
			"-destkeystore", "keytool-conv.p12", "-deststoretype", "PKCS12", "-deststorepass", storePass},
		"conv.p12", "keytool-conv.p12")
	return rows
}

// keytoolCount is how many trusted certificate entries keytool sees in a
// store: the check that what was timed is what was asked for.
func keytoolCount(dir, path, typ string) (int, error) {
	if !have("keytool") {
		return 0, nil
	}
	_, _, out, err := runOnce(dir, nil, []string{"keytool", "-list", "-keystore", path, "-storetype", typ, "-storepass", storePass})
	if err != nil {
		return 0, err
	}
	return bytes.Count(out, []byte("trustedCertEntry")), nil
}
