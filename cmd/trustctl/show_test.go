package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/trustctl/trustctl/internal/testpki"
)

// cmdRefused writes, for each certificate testpki.RefusedCerts makes (ones
// crypto/x509 refuses and openssl prints), NAME.der and NAME.pem:
//
//	refused    v1-mismatched-algorithms, explicit-curve, fractional-time,
//	           bad-netmask, unreadable-basic-constraints
func cmdRefused(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: refused")
	}
	for _, r := range testpki.RefusedCerts(scriptTB{ts: ts}) {
		ts.Check(os.WriteFile(ts.MkAbs(r.Name+".der"), r.DER, 0o644))
		ts.Check(os.WriteFile(ts.MkAbs(r.Name+".pem"), testpki.PEMCert(r.DER), 0o644))
	}
}

// scriptTB lets testpki's helpers report to a script. Only the methods
// below are called by them; the embedded TB is nil.
type scriptTB struct {
	testing.TB
	ts *testscript.TestScript
}

func (s scriptTB) Helper() {}

//lint:ignore U1000 testpki calls it through testing.TB
func (s scriptTB) Fatal(args ...any) { s.ts.Fatalf("%s", fmt.Sprint(args...)) }

//lint:ignore U1000 testpki calls it through testing.TB
func (s scriptTB) Fatalf(format string, a ...any) { s.ts.Fatalf(format, a...) }
