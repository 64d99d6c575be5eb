//go:build unix

package trust_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/store"
	"github.com/trustctl/trustctl/internal/trust"
)

// TestStatusReadsNoFIFO: a sysroot (an image root, say) with FIFOs where
// a JDK's release file, the system bundle and an anchor belong is listed
// without them, not a status that waits for a writer for ever.
func TestStatusReadsNoFIFO(t *testing.T) {
	f := newMachine(t)
	f.jdk("/opt/jdk-17", "17.0.1")
	f.file("/opt/jdk-17/lib/security/cacerts", encodeStore(t, store.FormatJKS, store.Modern, "changeit", oldCert), 0o644)
	f.file(debAnchors+"/other-root.crt", otherRoot.CertPEM, 0o644)
	f.file("/usr/sbin/update-ca-certificates", []byte("#!/bin/sh\n"), 0o755)
	for _, name := range []string{"/opt/jdk-17/release", debBundle, debAnchors + "/fifo.crt"} {
		f.file(name, nil, 0o644)
		if err := syscall.Unlink(f.host(name)); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(f.host(name), 0o644); err != nil {
			t.Skipf("no FIFOs here: %v", err)
		}
	}
	done := make(chan []placeRow, 1)
	go func() {
		rep, err := trust.Status(ctx, f.machine(false), []trust.Target{trust.TargetOf(oldCert)})
		if err != nil {
			t.Error(err)
			done <- nil
			return
		}
		done <- rows(rep.Places)
	}()
	select {
	case got := <-done:
		if len(got) != 2 || got[0].Kind != "jdk" || got[0].Entries != 1 || got[1].Kind != "system" || got[1].Entries != 1 {
			t.Errorf("places: %+v; want the JDK's store and the anchors, each with its one certificate", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("trust status still waits on a FIFO after 20 s")
	}
}
