#!/usr/bin/env bash
# A test CA and certificates for a 3-node Roster cluster with TLS, made with openssl (EC P-256).
# For trying TLS out and for tests: a production CA keeps its key elsewhere.
#
#   deploy/tls/make-certs.sh [DIR] [NAME...]
#
# Writes to DIR (default roster-data/tls):
#   ca.pem ca.key                 the cluster's CA (--tls-ca), valid 10 years
#   node1.pem node1.key ... node3 one certificate per node (--tls-cert, --tls-key), valid 1 year,
#                                 for localhost, 127.0.0.1, node1..node3 and every extra NAME (host
#                                 names or IP addresses the nodes are reached by)
#   client.pem client.key         a client certificate signed by the same CA (for --tls-client-ca)
# Keys are unencrypted PKCS#8 PEM (what Roster reads), owner-only. Existing files are replaced.
# Then: ROSTER_TLS=DIR deploy/local-cluster.sh start   (see deploy/local-cluster.sh)
set -euo pipefail

DIR=${1:-roster-data/tls}
shift || true
EXTRA=("$@")
mkdir -p "$DIR"
cd "$DIR"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2> /dev/null; }

key ca.key
openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=Roster test cluster CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.pem 2> /dev/null

issue() { # name, subjectAltName
  local name=$1 san=$2
  key "$name.key"
  openssl req -new -key "$name.key" -subj "/CN=$name" -out "$name.csr" 2> /dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyAgreement" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=$san" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 365 \
    -extfile "$name.ext" -out "$name.pem" 2> /dev/null
  rm -f "$name.csr" "$name.ext"
}

for n in 1 2 3; do
  san="DNS:localhost,IP:127.0.0.1,DNS:node$n"
  for e in ${EXTRA[@]+"${EXTRA[@]}"}; do
    if [[ $e =~ ^[0-9.]+$ || $e == *:* ]]; then san+=",IP:$e"; else san+=",DNS:$e"; fi
  done
  issue "node$n" "$san"
done
issue client "DNS:client"
rm -f ca.srl
chmod 644 ./*.pem
echo "CA and certificates in $(pwd): ca.pem, node1..3.pem/.key, client.pem/.key"
