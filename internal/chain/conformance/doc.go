// Package conformance runs the x509-limbo path-validation suite against
// trustctl verify and, as the baseline, against crypto/x509 directly, and
// writes CONFORMANCE.md at the repository root. It holds no code of its
// own: the harness is limbo_test.go, which runs only with TRUSTCTL_LIMBO=1
// (make conformance) so that go test ./... stays fast.
//
// It leaves out the limbo features trustctl does not claim: e-mail peer
// names (RFC822), max_chain_depth, required key usages and signature
// algorithm lists; such cases still run, with those fields ignored.
package conformance
