#!/usr/bin/env bash
# demo.sh walks through trustctl end to end on 127.0.0.1 only: a root CA,
# an intermediate signed through a CSR, a server and a client certificate,
# a PFX and a truststore, two OCSP responders, an openssl TLS server, then
# probe, verify --ocsp, revoke, and verify --ocsp again (which now fails).
#
# Usage: scripts/demo.sh [TRUSTCTL-BINARY] [WORKDIR]   (make demo passes bin/trustctl;
# without a binary, one is built; TRUSTCTL=path works too)
# Needs: openssl; ports 18801-18803 free on 127.0.0.1.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
if [[ $# -gt 0 && -f "$1" && -x "$1" ]]; then
	TRUSTCTL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
	shift
fi
work=${1:-$(mktemp -d -t trustctl-demo.XXXXXX)}
mkdir -p "$work"
cd "$work"

if [[ -z "${TRUSTCTL:-}" ]]; then
	(cd "$here" && go build -o "$work/trustctl" ./cmd/trustctl)
	TRUSTCTL=$work/trustctl
fi
t() { echo "+ trustctl $*" >&2; "$TRUSTCTL" "$@"; }

ROOT_OCSP=127.0.0.1:18801
ISSUING_OCSP=127.0.0.1:18802
TLS=127.0.0.1:18803
pids=()
cleanup() {
	# Only the processes this script started, by their ids.
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT
wait_port() {
	for _ in $(seq 50); do
		if (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "nothing listening on $1" >&2
	return 1
}

echo "== a root CA and an intermediate signed through its CSR"
t ca init root --subject 'CN=Demo Root CA,O=Demo Corp,C=US' --days 3650 --pathlen 1 \
	--ocsp-url "http://$ROOT_OCSP"
t ca init issuing --subject 'CN=Demo Issuing CA,O=Demo Corp,C=US' --csr-only \
	--issue-days 90 --max-days 397 --ocsp-url "http://$ISSUING_OCSP"
t ca sign root issuing/ca.csr --profile intermediate --out issuing.crt
t ca init issuing --cert issuing.crt

echo "== a server and a client certificate"
t key gen --type ec256 --out server.key
t csr --key server.key --subject 'CN=localhost' --san dns:localhost,ip:127.0.0.1 --out server.csr
t ca sign issuing server.csr --profile server --out server.crt
t key gen --type ec256 --out client.key
t csr --key client.key --subject 'CN=demo-client,O=Demo Corp' --out client.csr
t ca sign issuing client.csr --profile client --out client.crt

echo "== a PFX for the client and a truststore with the root"
t keystore build --key client.key --cert client.crt --chain issuing.crt --chain root/ca.crt \
	--out client.p12 --password demo-pw
t import truststore.jks root/ca.crt --password changeit
t list truststore.jks --password changeit

echo "== OCSP responders and a TLS server"
"$TRUSTCTL" ocsp serve --ca root --listen "$ROOT_OCSP" 2>root-ocsp.log &
pids+=($!)
"$TRUSTCTL" ocsp serve --ca issuing --listen "$ISSUING_OCSP" 2>issuing-ocsp.log &
pids+=($!)
openssl s_server -quiet -accept "${TLS#*:}" -naccept 1000 -cert server.crt -key server.key \
	-cert_chain issuing.crt -www >s_server.log 2>&1 &
pids+=($!)
wait_port "$ROOT_OCSP"
wait_port "$ISSUING_OCSP"
wait_port "$TLS"

echo "== probe and verify"
t probe "$TLS" --servername localhost --roots truststore.jks --source-password changeit
t verify server.crt --intermediates issuing.crt --roots truststore.jks --source-password changeit \
	--host localhost --purpose server --ocsp
t ocsp check server.crt --issuer issuing.crt

echo "== revoke the server certificate; verify --ocsp now fails"
serial=$(openssl x509 -in server.crt -noout -serial | cut -d= -f2)
t ca revoke issuing "$serial" --reason keyCompromise
t ca list issuing
if t verify server.crt --intermediates issuing.crt --roots truststore.jks --source-password changeit \
	--host localhost --purpose server --ocsp; then
	echo "demo: verify --ocsp passed for a revoked certificate" >&2
	exit 1
fi
t ca crl issuing --out issuing.crl
openssl crl -in issuing.crl -CAfile issuing.crt -verify -noout

echo "== what expires first"
t expiry root issuing client.p12 --password demo-pw --within 30d || true

echo "demo: done in $work"
