#!/usr/bin/env bash
# What tokens cost (issue 17, docs/benchmarks.md "Tokens on vs off"): the same bench/run.sh
# scenarios (renew on the leader, stale fetch on a follower) on the 3-node cluster twice in one
# run, first with no token files, then with admin, write and read token files (every request sends
# a bearer token and every node checks it), and the ratio of the medians.
#
#   bench/tokens.sh                 renew and fetch, CONNS "16 128", REPEAT 3, DURATION 15s
#   REPEAT=1 DURATION=5s CONNS=64 bench/tokens.sh   a quick look
#
# Output: bench/results/<stamp>-tokens/{off,on}/ (bench/run.sh's output) and tokens.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=${OUT:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)-tokens}
mkdir -p "$OUT"
SCENARIOS=${SCENARIOS:-"renew fetch"}
export WARMUP=${WARMUP:-30s}

TOKENS=$(mktemp -d)
trap 'rm -rf "$TOKENS"' EXIT
TOKEN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
# a few tokens per file, as during a rotation: every request is compared with all of them
for f in admin write read; do
  { echo "# bench"; for i in 1 2 3; do head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; echo; done
    echo "$TOKEN"; } > "$TOKENS/$f"
  chmod 600 "$TOKENS/$f"
done
# the nodes send the admin file's first token to each other: put the bench's token first there
{ echo "$TOKEN"; cat "$TOKENS/admin"; } > "$TOKENS/admin.tmp" && mv "$TOKENS/admin.tmp" "$TOKENS/admin"

for mode in off on; do
  echo "== tokens $mode"
  for s in $SCENARIOS; do
    if [[ $mode == on ]]; then
      OUT=$OUT/$mode/$s ROSTER_TOKEN=$TOKEN \
        EXTRA_ARGS="--expire 1h --admin-token-file $TOKENS/admin --write-token-file $TOKENS/write --read-token-file $TOKENS/read" \
        bench/run.sh "$s"
    else
      OUT=$OUT/$mode/$s bench/run.sh "$s"
    fi
  done
done

{
  echo "# tokens on vs off, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null)"
  echo
  echo "| scenario | conns | off req/s | on req/s | on/off | off p99 ms | on p99 ms |"
  echo "|---|---|---|---|---|---|---|"
  jq -s -r '
    def med: sort | if length % 2 == 1 then .[(length-1)/2] else (.[length/2-1] + .[length/2]) / 2 end;
    map(select(.discarded | not)) | group_by(.name)[] | {name: .[0].name, rps: (map(.rps)|med), p99: (map(.lat_ms.p99)|med)}
    | "\(.name)\t\(.rps)\t\(.p99)"' "$OUT"/off/*/results.jsonl > "$OUT/off.tsv"
  jq -s -r '
    def med: sort | if length % 2 == 1 then .[(length-1)/2] else (.[length/2-1] + .[length/2]) / 2 end;
    map(select(.discarded | not)) | group_by(.name)[] | {name: .[0].name, rps: (map(.rps)|med), p99: (map(.lat_ms.p99)|med)}
    | "\(.name)\t\(.rps)\t\(.p99)"' "$OUT"/on/*/results.jsonl > "$OUT/on.tsv"
  join -t $'\t' <(sort "$OUT/off.tsv") <(sort "$OUT/on.tsv") | while IFS=$'\t' read -r name orps op99 nrps np99; do
    awk -v n="${name%-c*}" -v c="${name##*-c}" -v o="$orps" -v r="$nrps" -v op="$op99" -v np="$np99" \
      'BEGIN { printf "| %s | %s | %.0f | %.0f | **%.2f×** | %s | %s |\n", n, c, o, r, r / o, op, np }'
  done
} | tee "$OUT/tokens.md"
