#!/bin/sh
# Regenerates the certificates in this directory. They are checked in
# because trustctl (and crypto/x509) cannot make them: old roots still in
# real truststores carry encodings Go refuses.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A self-signed root with a negative serial number, as some roots issued
# before RFC 5280 have. crypto/x509 refuses it ("negative serial number").
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/C=US/O=Old Roots Inc/CN=Old Negative Serial Root" \
    -keyout "$tmp/neg.key" -out negative-serial.pem -days 36500 -set_serial -1234
