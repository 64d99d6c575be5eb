// Package conformance runs two path-validation suites against trustctl
// verify, in-process and with the flags a person would type: x509-limbo
// (../shared/conformance/limbo.json.gz; its webpki cases with --profile
// webpki) and NIST PKITS (testdata/pkits at the repository root). It holds
// no code of its own: the harness is in the _test.go files.
//
// make conformance (TRUSTCTL_CONFORMANCE=1) runs both and fails on any
// case whose verdict disagrees with the suite and is not in the checked-in
// lists testdata/limbo-disagree.txt and testdata/pkits-disagree.txt, so a
// regression fails CI. make conformance-report (TRUSTCTL_CONFORMANCE_REPORT=1)
// also runs crypto/x509 and, when it is installed, openssl verify on the
// same inputs and writes CONFORMANCE.md; with -update it rewrites the lists.
//
// Left out: the limbo features trustctl does not claim (e-mail peer names,
// max_chain_depth, required key usages and signature algorithm lists; such
// cases still run, with those fields ignored) and PKITS's non-default
// policy settings (trustctl has no policy options).
package conformance
