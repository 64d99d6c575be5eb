#!/bin/sh
# Makes the keytool stores the internal/jks tests read, into directory $1
# (default: this directory). Needs openssl (3.x) and the JDK's keytool.
# Passwords: store password "changeit" everywhere; key entry "gen" in
# mixed.jks has key password "keypass1", key entry "jgen" in store.jceks has
# key password "keypass2"; other keys use the store password.
set -eu
out=${1:-$(dirname "$0")}
cd "$out"
rm -f mixed.jks store.jceks chain.p12 ./*.pem ./*.key ./*.csr ./*.srl ./*.ext
q() { "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; }

# A root, an intermediate and a leaf, with openssl.
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key \
  -out root.pem -subj "/O=Acme Corp/CN=Acme Root" -days 3650 \
  -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign
q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout int.key -out int.csr \
  -subj "/O=Acme Corp/CN=Acme Issuing CA"
printf 'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
q openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -CAcreateserial -out int.pem -days 3000 -extfile ca.ext
q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
  -subj "/CN=www.example.com"
printf 'subjectAltName=DNS:www.example.com\nextendedKeyUsage=serverAuth\n' > leaf.ext
q openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -out leaf.pem -days 365 -extfile leaf.ext
cat leaf.pem int.pem root.pem > chain.pem
q openssl pkcs12 -export -inkey leaf.key -in chain.pem -name server -passout pass:changeit -out chain.p12

# mixed.jks: two trusted certificates (aliases given in mixed case; keytool
# lower-cases them), a generated key pair with its own key password, and a key
# entry with a three-certificate chain imported from PKCS #12.
# Quicker JVM start-up for these short runs.
kt() { q keytool -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC -J-XX:-UsePerfData "$@"; }
kt -importcert -noprompt -keystore mixed.jks -storetype JKS -storepass changeit -alias Acme-Root -file root.pem
kt -importcert -noprompt -keystore mixed.jks -storetype JKS -storepass changeit -alias acme-int -file int.pem
kt -genkeypair -keystore mixed.jks -storetype JKS -storepass changeit -keypass keypass1 -alias gen \
  -keyalg EC -groupname secp256r1 -dname "CN=gen,O=Acme Corp" -validity 3650
kt -importkeystore -noprompt -srckeystore chain.p12 -srcstoretype PKCS12 -srcstorepass changeit \
  -destkeystore mixed.jks -deststoretype JKS -deststorepass changeit -srcalias server -destalias server \
  -destkeypass changeit

# store.jceks: a key pair with its own key password, a trusted certificate and
# two secret keys (each a serialized SealedObject with no length prefix).
kt -genkeypair -keystore store.jceks -storetype JCEKS -storepass changeit -keypass keypass2 -alias jgen \
  -keyalg RSA -keysize 2048 -dname "CN=jgen" -validity 3650
kt -importcert -noprompt -keystore store.jceks -storetype JCEKS -storepass changeit -alias root -file root.pem
kt -genseckey -keystore store.jceks -storetype JCEKS -storepass changeit -keypass changeit -alias aes \
  -keyalg AES -keysize 128
kt -genseckey -keystore store.jceks -storetype JCEKS -storepass changeit -keypass changeit -alias hmac \
  -keyalg HmacSHA256 -keysize 256

rm -f ./*.key ./*.csr ./*.srl ./*.ext chain.p12 chain.pem
