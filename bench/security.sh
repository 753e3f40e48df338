#!/usr/bin/env bash
# What tokens and TLS cost (issue 17, docs/benchmarks.md "Tokens and TLS on vs off"): the same
# bench/run.sh scenarios (renew on the leader, stale fetch on a follower) on the 3-node cluster
# once per mode in one run, and each mode's median against "off".
#
#   bench/security.sh               MODES "off tokens tls tls+tokens", renew and fetch,
#                                   CONNS "16 128", REPEAT 3, DURATION 15s
#   MODES="off tls" REPEAT=1 DURATION=5s CONNS=64 bench/security.sh   a quick look
#
# Modes: off (no token files, plain HTTP and Raft); tokens (admin, write and read token files:
# every request sends a bearer token and every node checks it); tls (HTTPS, and mutual TLS
# between the nodes, certificates from deploy/tls/make-certs.sh; wrk keeps its connections, so
# handshakes are not what is measured); tls+tokens (both).
# Output: bench/results/<stamp>-security/<mode>/ (bench/run.sh's output) and security.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=${OUT:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)-security}
mkdir -p "$OUT"
SCENARIOS=${SCENARIOS:-"renew fetch"}
MODES=${MODES:-"off tokens tls tls+tokens"}
export WARMUP=${WARMUP:-30s}

SECRETS=$(mktemp -d)
trap 'rm -rf "$SECRETS"' EXIT
TOKEN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
# a few tokens per file, as during a rotation: every request is compared with all of them
for f in admin write read; do
  { echo "# bench"; for i in 1 2 3; do head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; echo; done
    echo "$TOKEN"; } > "$SECRETS/$f"
  chmod 600 "$SECRETS/$f"
done
# the nodes send the admin file's first token to each other: put the bench's token first there
{ echo "$TOKEN"; cat "$SECRETS/admin"; } > "$SECRETS/admin.tmp" && mv "$SECRETS/admin.tmp" "$SECRETS/admin"
TOKEN_ARGS="--admin-token-file $SECRETS/admin --write-token-file $SECRETS/write --read-token-file $SECRETS/read"
# outside roster-data: run.sh cleans that directory before each cluster
deploy/tls/make-certs.sh "$SECRETS/tls" > /dev/null

for mode in $MODES; do
  echo "== $mode"
  for s in $SCENARIOS; do
    case $mode in
      off) OUT=$OUT/$mode/$s bench/run.sh "$s" ;;
      tokens) OUT=$OUT/$mode/$s ROSTER_TOKEN=$TOKEN EXTRA_ARGS="--expire 1h $TOKEN_ARGS" bench/run.sh "$s" ;;
      tls) OUT=$OUT/$mode/$s ROSTER_TLS=$SECRETS/tls bench/run.sh "$s" ;;
      tls+tokens) OUT=$OUT/$mode/$s ROSTER_TLS=$SECRETS/tls ROSTER_TOKEN=$TOKEN EXTRA_ARGS="--expire 1h $TOKEN_ARGS" bench/run.sh "$s" ;;
      *) echo "unknown mode '$mode' (off, tokens, tls, tls+tokens)" >&2; exit 2 ;;
    esac
  done
done

medians() { # mode -> "name<TAB>rps<TAB>p99" per scenario and connection count
  jq -s -r '
    def med: sort | if length % 2 == 1 then .[(length-1)/2] else (.[length/2-1] + .[length/2]) / 2 end;
    map(select(.discarded | not)) | group_by(.name)[] | {name: .[0].name, rps: (map(.rps)|med), p99: (map(.lat_ms.p99)|med)}
    | "\(.name)\t\(.rps)\t\(.p99)"' "$OUT/$1"/*/results.jsonl | sort
}
{
  echo "# tokens and TLS on vs off, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null)"
  echo
  echo "| scenario | conns | mode | req/s | vs off | p99 ms |"
  echo "|---|---|---|---|---|---|"
  medians off > "$OUT/off.tsv"
  for mode in $MODES; do
    medians "$mode" > "$OUT/$mode.tsv"
    join -t $'\t' "$OUT/off.tsv" "$OUT/$mode.tsv" | while IFS=$'\t' read -r name orps _ rps p99; do
      awk -v n="${name%-c*}" -v c="${name##*-c}" -v m="$mode" -v o="$orps" -v r="$rps" -v p="$p99" \
        'BEGIN { printf "| %s | %s | %s | %.0f | **%.2f×** | %s |\n", n, c, m, r, r / o, p }'
    done
  done
} | tee "$OUT/security.md"
