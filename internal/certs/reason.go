package certs

import "fmt"

// reasons are the CRLReason names of RFC 5280 section 5.3.1, by code (7
// is unused). CRLs, OCSP responses and the CA's records all use them.
var reasons = [...]string{
	0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged",
	4: "superseded", 5: "cessationOfOperation", 6: "certificateHold",
	8: "removeFromCRL", 9: "privilegeWithdrawn", 10: "aACompromise",
}

// ReasonName returns the RFC 5280 name of a CRL or OCSP revocation reason
// code ("keyCompromise"), or "reason N" for a code it does not know.
func ReasonName(code int) string {
	if code >= 0 && code < len(reasons) && reasons[code] != "" {
		return reasons[code]
	}
	return fmt.Sprintf("reason %d", code)
}

// ReasonCode returns the code of a reason named as RFC 5280 spells it.
func ReasonCode(name string) (code int, ok bool) {
	for code, n := range reasons {
		if n != "" && n == name {
			return code, true
		}
	}
	return 0, false
}
