#!/usr/bin/env bash
# CPU profile of the 3 nodes under one wrk scenario, with Java Flight Recorder (JDK 17, no agent).
#
#   bench/profile.sh [renew|register|fetch|fetch-consistent|poll] [CONNS (128)] [SECONDS (30)]
#
# Uses the running deploy/local-cluster.sh cluster, or starts one (and stops it at the end).
# Registers the instances the scenario needs, warms up for 5 s, then records JFR (settings=profile,
# about 100 samples/s per running thread) on every node while wrk runs, and prints per node:
# samples per thread group (Java and native samples: which pool is busy), the top methods by self
# samples, and the top methods by inclusive samples. Raw .jfr files and the reports go to
# $OUT (bench/results/<stamp>-profile-<scenario>). env: ROSTER_JAR JAVA_OPTS EXTRA_ARGS TOP (25).
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
cd "$ROOT"
CLUSTER=$ROOT/deploy/local-cluster.sh
what=${1:-renew} conns=${2:-128} secs=${3:-30}
TOP=${TOP:-25}
export EXTRA_ARGS=${EXTRA_ARGS---expire 1h}
export INSTANCES=${INSTANCES:-1000} APPS=${APPS:-100} BENCH_ENV=${BENCH_ENV:-bench}
OUT=${OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)-profile-$what}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
JAVA_BIN=$(dirname "$(readlink -f "$(command -v java)")")
JCMD=$JAVA_BIN/jcmd JFR=$JAVA_BIN/jfr
[[ -x $JCMD && -x $JFR ]] || { echo "profile.sh: needs jcmd and jfr from a JDK next to $(command -v java)" >&2; exit 1; }

started=0
if ! "$CLUSTER" leader > /dev/null 2>&1; then "$CLUSTER" clean > /dev/null; "$CLUSTER" start; started=1; fi
cleanup() { if (( started )); then "$CLUSTER" stop > /dev/null || true; fi; }
trap cleanup EXIT
L=$("$CLUSTER" leader)
F=; for n in 1 2 3; do u=http://127.0.0.1:$((7170 + n)); [[ $u != "$L" ]] && { F=$u; break; }; done
W=$BENCH/wrk
case $what in
  renew) url=$L script=$W/roster-renew.lua vars=(APP_PREFIX=bench.app.) ;;
  register) url=$L script=$W/roster-register.lua vars=(APP_PREFIX=bench.reg.) ;;
  fetch) url=$F script=$W/roster-fetch.lua vars=(APP_PREFIX=bench.app. CONSISTENT=0) ;;
  fetch-consistent) url=$F script=$W/roster-fetch.lua vars=(APP_PREFIX=bench.app. CONSISTENT=1) ;;
  poll) url=$F script=$W/roster-poll.lua vars=(APP_PREFIX=bench.app. LATEST_TIMESTAMP=0) ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
echo "profile: $what at $conns connections for $secs s on $url (leader $L); out $OUT"
APP_PREFIX=bench.app. wrk -t2 -c16 -d3s -s "$W/roster-register.lua" "$L" > /dev/null
env "${vars[@]}" wrk -t2 -c"$conns" -d5s -s "$script" "$url" > /dev/null   # warm-up

pids=(); roles=()
for n in 1 2 3; do
  pid=$(cat "roster-data/node$n.pid")
  role=$(curl -fsS -m 1 "http://127.0.0.1:$((7170 + n))/cluster/status" | jq -r .data.role)
  pids+=("$pid"); roles+=("$role")
  "$JCMD" "$pid" JFR.start name=bench settings=profile filename="$OUT/node$n-$role.jfr" > /dev/null
done
env "${vars[@]}" wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$script" "$url" | tee "$OUT/wrk.txt" | grep -E 'Requests/sec|  50%|  99%'
for i in 0 1 2; do "$JCMD" "${pids[$i]}" JFR.stop name=bench > /dev/null; done

# one report per node: thread groups, self and inclusive top methods
summarize() { # file.jfr
  "$JFR" print --events jdk.ExecutionSample,jdk.NativeMethodSample "$1" | awk -v top="$TOP" '
    /^jdk\.(ExecutionSample|NativeMethodSample)/ { kind = ($1 ~ /Native/) ? "native" : "java"; thread = ""; depth = -1; delete seen; next }
    /sampledThread = / {
      t = $0; sub(/.*sampledThread = "/, "", t); sub(/".*/, "", t)
      gsub(/[-#_ ]?[0-9]+$/, "", t); gsub(/[-#_ ]?[0-9]+$/, "", t); thread = t; next }
    /stackTrace = \[/ { depth = 0; next }
    depth >= 0 && /^[ \t]*\]/ { groups[thread " (" kind ")"]++; total[kind]++; depth = -1; next }
    depth >= 0 {
      m = $0; sub(/^[ \t]+/, "", m); sub(/[ \t]+line:.*/, "", m); sub(/\(.*$/, "", m)
      if (m == "..." || m == "") next
      if (depth == 0 && kind == "java") self[m]++
      if (kind == "java" && !(m in seen)) { incl[m]++; seen[m] = 1 }
      depth++; next }
    END {
      printf "samples: %d java, %d native\n\nby thread group (java and native samples):\n", total["java"], total["native"]
      n = 0; for (g in groups) order[++n] = groups[g] "\t" g
      sortdesc(order, n); for (i = 1; i <= n && i <= top; i++) { split(order[i], a, "\t"); printf "  %6d  %5.1f%%  %s\n", a[1], 100 * a[1] / (total["java"] + total["native"]), a[2] }
      delete order; n = 0; for (m in self) order[++n] = self[m] "\t" m
      printf "\ntop methods, self (java samples):\n"
      sortdesc(order, n); for (i = 1; i <= n && i <= top; i++) { split(order[i], a, "\t"); printf "  %6d  %5.1f%%  %s\n", a[1], 100 * a[1] / total["java"], a[2] }
      delete order; n = 0; for (m in incl) order[++n] = incl[m] "\t" m
      printf "\ntop methods, inclusive (java samples):\n"
      sortdesc(order, n); for (i = 1; i <= n && i <= top * 2; i++) { split(order[i], a, "\t"); printf "  %6d  %5.1f%%  %s\n", a[1], 100 * a[1] / total["java"], a[2] }
    }
    function sortdesc(arr, n,    i, j, x, y) {   # insertion sort on the leading count
      for (i = 2; i <= n; i++) { x = arr[i]; split(x, y, "\t"); j = i - 1
        while (j > 0 && (split(arr[j], z, "\t") && z[1] + 0 < y[1] + 0)) { arr[j + 1] = arr[j]; j-- }
        arr[j + 1] = x } }
  '
}
for n in 1 2 3; do
  f=$OUT/node$n-${roles[$((n - 1))]}.jfr
  summarize "$f" > "${f%.jfr}.txt"
  echo; echo "==== node$n (${roles[$((n - 1))]}): ${f%.jfr}.txt"; head -n 25 "${f%.jfr}.txt"
done
