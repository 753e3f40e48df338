#!/usr/bin/env bash
# wrk throughput and latency of a 3-node Roster cluster on loopback (deploy/local-cluster.sh),
# optionally side by side with etcd's equivalents from the shared peer harness (../shared/bench).
# Method, output format and CPU accounting are those of ../shared/bench/run-etcd.sh.
#
#   bench/run.sh renew              POST /discovery/renew on the leader (INSTANCES over APPS, registered first)
#   bench/run.sh register           POST /discovery/register on the leader (REG_INSTANCES in bench.reg.*)
#   bench/run.sh fetch              GET /discovery/fetch on a follower (stale: local read)
#   bench/run.sh fetch-consistent   GET /discovery/fetch?consistent=true on a follower (readIndex)
#   bench/run.sh poll               GET /discovery/poll?latest_timestamp=0 on a follower (answered at once)
#   bench/run.sh all                the five above, in that order
#   bench/run.sh sweep              renew (and etcd keepalive) at SWEEP_CONNS, then the plot
#   bench/run.sh plot [DIR]         (re)draw DIR/renew-vs-connections.png from DIR/results.jsonl
#   bench/run.sh summary DIR        (re)write DIR/summary.md from DIR/results.jsonl
#   bench/run.sh smoke              seconds-long run of everything (CI): checks only that it works
# Several may be given: `bench/run.sh all sweep`. With ETCD=1 each Roster run is followed by the
# etcd equivalent (renew~lease keepalive, register~put, fetch~serializable range,
# fetch-consistent~linearizable range, all on the same role) for ratios.
#
# env: DURATION (15s) THREADS (2) CONNS ("16 128") SWEEP_CONNS ("8 16 32 64 128 256") REPEAT (3)
#      INSTANCES (1000) APPS (100) REG_INSTANCES (1000)
#      ETCD (0 | 1 | auto: only if the harness and etcd are there) ETCD_HARNESS (../shared/bench)
#      QUIET_WAIT (120) QUIET_IDLE (0.85): wait for an idle machine before each run
#      NOISY_FRAC (0.10) RERUNS (2): a run during which other processes used more than NOISY_FRAC
#        of the machine's CPU is kept but marked "discarded" and run again, at most RERUNS times
#      OUT (bench/results/<utc-stamp>) KEEP_CLUSTER (0) FRESH (1: wipe roster-data before starting)
#      WARMUP (60s: an unrecorded wrk run at the highest connection count before each scenario; the
#        JVMs need tens of seconds of load before renew at 16 connections stops improving)
#      ROSTER_JAR JAVA_OPTS EXTRA_ARGS (default "--expire 1h": nothing expires while fetch runs
#        without renews) are passed to deploy/local-cluster.sh.
# Output in $OUT: <name>-r<rep>.txt (raw wrk), results.jsonl (one JSON per run), summary.md
# (median over REPEAT runs, and Roster/etcd ratios), meta.json, renew-vs-connections.png (sweep).
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
CALLER_PWD=$PWD
cd "$ROOT"
CLUSTER=$ROOT/deploy/local-cluster.sh
WRK_DIR=$BENCH/wrk

DURATION=${DURATION:-15s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-"16 128"}
SWEEP_CONNS=${SWEEP_CONNS:-"8 16 32 64 128 256"}
REPEAT=${REPEAT:-3}
WARMUP=${WARMUP:-60s}
export INSTANCES=${INSTANCES:-1000} APPS=${APPS:-100}
REG_INSTANCES=${REG_INSTANCES:-1000}
ETCD_GIVEN=${ETCD:+1}
ETCD=${ETCD:-0}
ETCD_HARNESS=${ETCD_HARNESS:-$ROOT/../shared/bench}
QUIET_WAIT=${QUIET_WAIT:-120}
QUIET_IDLE=${QUIET_IDLE:-0.85}
NOISY_FRAC=${NOISY_FRAC:-0.10}
RERUNS=${RERUNS:-2}
export EXTRA_ARGS=${EXTRA_ARGS---expire 1h}
# ROSTER_TOKEN: a token every request sends (Authorization: Bearer), for a cluster started with
# token files in EXTRA_ARGS (bench/security.sh); the wrk scripts read it too
AUTH=(); [[ -n ${ROSTER_TOKEN:-} ]] && AUTH=(-H "Authorization: Bearer $ROSTER_TOKEN")
# ROSTER_TLS: a directory of deploy/tls/make-certs.sh; the cluster serves HTTPS and speaks mutual
# TLS between the nodes (deploy/local-cluster.sh), curl trusts its CA, wrk speaks https
ROSTER_SCHEME=http
if [[ -n ${ROSTER_TLS:-} ]]; then
  ROSTER_SCHEME=https
  curl() { command curl --cacert "$ROSTER_TLS/ca.pem" "$@"; }
fi
export BENCH_ENV=${BENCH_ENV:-bench}
CLK_TCK=$(getconf CLK_TCK)
NPROC=$(nproc)

usage() { sed -n '2,31p' "$BENCH/run.sh" | sed 's/^# \{0,1\}//'; }
die() { echo "run.sh: $*" >&2; exit 1; }
need() { command -v "$1" > /dev/null || die "$1 is not installed ($2)"; }

# ---- machine: quiet wait and CPU accounting (as in ../shared/bench/run-etcd.sh) ---------------
# busy jiffies of the whole machine (user+nice+system+irq+softirq+steal)
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
# irq+softirq jiffies: loopback networking at high request rates lands here, not in any process
irq_ticks() { awk '/^cpu /{print $7+$8}' /proc/stat; }
wait_quiet() {
  local t_end=$(( $(date +%s) + QUIET_WAIT )) b0 b1 idle
  while :; do
    b0=$(busy_ticks); sleep 2; b1=$(busy_ticks)
    idle=$(awk -v d=$((b1 - b0)) -v h="$CLK_TCK" -v n="$NPROC" 'BEGIN{printf "%.2f", 1 - d/(2*h*n)}')
    if awk -v i="$idle" -v q="$QUIET_IDLE" 'BEGIN{exit !(i >= q)}'; then break; fi
    (( $(date +%s) < t_end )) || { echo "   (machine not quiet: idle $idle after ${QUIET_WAIT}s, running anyway)" >&2; break; }
  done
  echo "$idle"
}
# CPU ticks (utime+stime, all threads) of the given PIDs
cpu_ticks() { local t=0 p; for p in "$@"; do [[ -r /proc/$p/stat ]] && t=$(( t + $(awk '{print $14+$15}' "/proc/$p/stat") )); done; echo $t; }
seconds() { # 15s, 2m, 500ms -> seconds (for the noise threshold)
  case $1 in *ms) awk -v v="${1%ms}" 'BEGIN{print v/1000}' ;; *s) echo "${1%s}" ;; *m) echo $(( ${1%m} * 60 )) ;; *h) echo $(( ${1%h} * 3600 )) ;; *) echo "$1" ;; esac
}

# ---- Roster cluster (deploy/local-cluster.sh: HTTP 7171-7173, PIDs in roster-data/nodeN.pid) ----
roster_started=0
roster_url() { echo "$ROSTER_SCHEME://127.0.0.1:$((7170 + $1))"; }
roster_pids() { local n; for n in 1 2 3; do [[ -f roster-data/node$n.pid ]] && cat "roster-data/node$n.pid"; done; return 0; }
roster_ours() { # every node answering on 7171-7173 must be one of our PIDs
  local n pid
  for n in 1 2 3; do
    pid=$(cat "roster-data/node$n.pid" 2> /dev/null) || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | grep -q -- "deploy/node$n.yml" || return 1
  done
}
roster_start() {
  if "$CLUSTER" leader > /dev/null 2>&1; then
    roster_ours || die "a cluster not started from $ROOT answers on 127.0.0.1:7171-7173; stop it first"
    echo "using the running Roster cluster (ROSTER_JAR and EXTRA_ARGS of this run do not apply to it)"
    return
  fi
  local p
  for p in 7171 7172 7173 7271 7272 7273; do
    if ss -Hltn "sport = :$p" 2> /dev/null | grep -q .; then die "port $p is in use by another process"; fi
  done
  if [[ ${FRESH:-1} == 1 ]]; then "$CLUSTER" clean > /dev/null; fi
  "$CLUSTER" start
  roster_started=1
}
roster_leader() { "$CLUSTER" leader; }
roster_follower() { local l n; l=$(roster_leader); for n in 1 2 3; do [[ $(roster_url "$n") != "$l" ]] && { roster_url "$n"; return; }; done; }

# ---- etcd (the shared harness; optional) -------------------------------------------------------
etcd_on=0 etcd_started=0
ETCD_CLUSTER=$ETCD_HARNESS/etcd-cluster.sh
etcd_pids() { [[ -f ${ETCD_BENCH_DIR:-/tmp/etcd-bench}/pids ]] && awk '{print $2}' "${ETCD_BENCH_DIR:-/tmp/etcd-bench}/pids"; return 0; }
etcd_setup() {
  case $ETCD in
    0) return ;;
    1|auto) ;;
    *) die "ETCD must be 0, 1 or auto, got '$ETCD'" ;;
  esac
  if [[ ! -x $ETCD_CLUSTER ]] || ! command -v etcd > /dev/null || ! command -v etcdctl > /dev/null; then
    [[ $ETCD == 1 ]] && die "ETCD=1 needs $ETCD_CLUSTER (the shared harness, set ETCD_HARNESS) and etcd/etcdctl (apt-get install etcd-server etcd-client)"
    echo "etcd side-by-side skipped: no harness at $ETCD_HARNESS or no etcd installed"
    return
  fi
  if ! "$ETCD_CLUSTER" leader | grep -q .; then "$ETCD_CLUSTER" start; etcd_started=1; fi
  etcd_on=1
}
etcd_leader() { "$ETCD_CLUSTER" leader | awk '{print $2}'; }
etcd_follower() { "$ETCD_CLUSTER" followers | head -1 | awk '{print $2}'; }

cleanup() {
  local rc=$?
  if (( etcd_started )) && [[ ${KEEP_CLUSTER:-0} != 1 ]]; then "$ETCD_CLUSTER" stop || true; fi
  if (( roster_started )) && [[ ${KEEP_CLUSTER:-0} != 1 ]]; then "$CLUSTER" stop || true; fi
  exit $rc
}

# ---- one measurement ---------------------------------------------------------------------------
# run_wrk <system roster|etcd> <name> <role> <url> <conns> <script> [VAR=val ...]
run_wrk() {
  local sys=$1 name=$2 role=$3 url=$4 c=$5 script=$6; shift 6
  local rep try raw t0 t1 o0 o1 m0 m1 q0 q1 wt cmd idle_before pids others other irq frac discarded
  if [[ $sys == roster ]]; then pids=$(roster_pids); others=$(etcd_pids); else pids=$(etcd_pids); others=$(roster_pids); fi
  # shellcheck disable=SC2086
  for rep in $(seq 1 "$REPEAT"); do
    for try in $(seq 0 "$RERUNS"); do
      raw=$OUT/$name-r$rep$([[ $try == 0 ]] || echo "-retry$try").txt
      cmd="env $* RESULT_NAME=$name wrk -t$THREADS -c$c -d$DURATION --latency -s $script $url"
      echo "== $cmd"
      idle_before=$(wait_quiet | tail -1)
      t0=$(cpu_ticks $pids); o0=$(cpu_ticks $others); m0=$(busy_ticks); q0=$(irq_ticks)
      { TIMEFORMAT='%U %S'; time env "$@" RESULT_NAME="$name" wrk -t"$THREADS" -c"$c" -d"$DURATION" --latency -s "$script" "$url" > "$raw" 2>&1; } 2> "$raw.time"
      t1=$(cpu_ticks $pids); o1=$(cpu_ticks $others); m1=$(busy_ticks); q1=$(irq_ticks)
      wt=$(awk '{printf "%.2f", $1+$2}' "$raw.time"); rm -f "$raw.time"
      # other = machine busy - measured cluster - idle peer cluster - wrk
      other=$(awk -v m=$((m1 - m0)) -v e=$((t1 - t0)) -v i=$((o1 - o0)) -v h="$CLK_TCK" -v w="$wt" 'BEGIN{o=(m-e-i)/h-w; if(o<0)o=0; printf "%.2f", o}')
      irq=$(awk -v d=$((q1 - q0)) -v h="$CLK_TCK" 'BEGIN{printf "%.2f", d/h}')
      # the noise test leaves out irq/softirq time (the load's own loopback traffic)
      frac=$(awk -v o="$other" -v q="$irq" -v d="$(seconds "$DURATION")" -v n="$NPROC" 'BEGIN{x=o-q; if(x<0)x=0; printf "%.3f", x/(d*n)}')
      discarded=false
      if [[ $try -lt $RERUNS ]] && awk -v f="$frac" -v x="$NOISY_FRAC" 'BEGIN{exit !(f > x)}'; then discarded=true; fi
      grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors' "$raw" | sed 's/^/   /' || true
      if ! grep -q '^RESULT_JSON ' "$raw"; then cat "$raw" >&2; die "wrk failed: $cmd"; fi
      grep '^RESULT_JSON ' "$raw" | sed 's/^RESULT_JSON //' | jq -c \
        --arg sys "$sys" --arg role "$role" --arg url "$url" --argjson c "$c" --arg cmd "$cmd" --argjson rep "$rep" \
        --argjson node_cpu "$(awk -v d=$((t1 - t0)) -v h="$CLK_TCK" 'BEGIN{printf "%.2f", d/h}')" \
        --argjson idle_cpu "$(awk -v d=$((o1 - o0)) -v h="$CLK_TCK" 'BEGIN{printf "%.2f", d/h}')" \
        --argjson wrk_cpu "$wt" --argjson idle_before "$idle_before" --argjson other_cpu "$other" --argjson irq "$irq" \
        --argjson discarded "$discarded" --argjson retry "$try" \
        '. + {system:$sys, role:$role, url:$url, conns:$c, rep:$rep, node_cpu_s:$node_cpu, wrk_cpu_s:$wrk_cpu, other_cpu_s:$other_cpu, irq_cpu_s:$irq, idle_cluster_cpu_s:$idle_cpu, idle_before:$idle_before, retry:$retry, discarded:$discarded, cmd:$cmd}' >> "$JSONL"
      if [[ $discarded == true ]]; then echo "   noisy: other processes used $other CPU-s ($irq of it irq/softirq; $frac of the machine); run again" >&2; else break; fi
    done
  done
}

# warmup <url> <conns> <script> [VAR=val ...]: an unrecorded wrk run before a scenario's
# measurements (JIT compilation, connection pools, caches), WARMUP long (0 = none)
warmup() {
  local url=$1 c=$2 script=$3; shift 3
  [[ $WARMUP == 0 || $WARMUP == 0s ]] && return 0
  echo "   warm-up: wrk -c$c -d$WARMUP $(basename "$script") $url"
  env "$@" wrk -t"$THREADS" -c"$c" -d"$WARMUP" -s "$script" "$url" > /dev/null 2>&1 || true
}
max_conns() { printf '%s\n' "$@" | sort -n | tail -1; }

# ---- setup of the data the scenarios read ------------------------------------------------------
# registers INSTANCES over APPS (bench.app.*) until every application has INSTANCES/APPS instances
roster_populate() {
  local l f want have i args=()
  l=$(roster_leader); f=$(roster_follower)
  want=$INSTANCES
  for i in $(seq 0 $(( (APPS < INSTANCES ? APPS : INSTANCES) - 1 ))); do args+=(--data-urlencode "appid=bench.app.$i"); done
  for i in $(seq 1 8); do  # a cold JVM on a busy machine may need more than a few rounds
    have=$(curl -fsS ${AUTH[@]+"${AUTH[@]}"} -G "$f/discovery/fetchs" --data-urlencode "env=$BENCH_ENV" --data-urlencode status=3 "${args[@]}" \
      | jq '[.data[].instances[] | length] | add // 0')
    [[ $have == "$want" ]] && { echo "Roster: $have instances over $APPS applications registered"; return; }
    echo "Roster: registering $INSTANCES instances over $APPS applications ($have so far)"
    APP_PREFIX=bench.app. wrk -t2 -c16 -d"$(( i + 1 ))s" -s "$WRK_DIR/roster-register.lua" "$l" > /dev/null
    sleep 0.5
  done
  die "could not register $INSTANCES instances (have $have)"
}
LEASE_FILE=
etcd_leases() {
  local l i n=${LEASES:-1000}
  l=$(etcd_leader); LEASE_FILE=$OUT/leases.txt; : > "$LEASE_FILE"
  echo "etcd: granting $n leases (TTL 300 s) on $l"
  for i in $(seq 1 "$n"); do curl -sf -X POST "$l/v3/lease/grant" -d '{"TTL":300}' | jq -r .ID >> "$LEASE_FILE"; done
  [[ $(grep -c . "$LEASE_FILE") == "$n" ]] || die "etcd lease grant failed"
}
etcd_revoke() {
  local l i; l=$(etcd_leader)
  while read -r i; do curl -s -o /dev/null -X POST "$l/v3/lease/revoke" -d "{\"ID\":\"$i\"}"; done < "$LEASE_FILE"
}
etcd_keys() {
  local l; l=$(etcd_leader)
  if ! curl -s -X POST "$l/v3/kv/range" -d "{\"key\":\"$(printf /bench/k/999 | base64)\"}" | grep -q '"kvs"'; then
    wrk -t2 -c16 -d3s -s "$ETCD_HARNESS/wrk/etcd-put.lua" "$l" > /dev/null
  fi
}

# ---- scenarios ---------------------------------------------------------------------------------
# each: for every connection count, Roster then (ETCD on) the etcd equivalent, so both see the
# same machine conditions
do_renew() { # [suffix] [conns]
  local sfx=${1:-} cs=${2:-$CONNS} c
  roster_populate
  if (( etcd_on )); then etcd_leases; fi
  warmup "$(roster_leader)" "$(max_conns $cs)" "$WRK_DIR/roster-renew.lua" APP_PREFIX=bench.app.
  if (( etcd_on )); then warmup "$(etcd_leader)" "$(max_conns $cs)" "$ETCD_HARNESS/wrk/etcd-lease-keepalive.lua" LEASE_FILE="$LEASE_FILE"; fi
  for c in $cs; do
    run_wrk roster "roster-renew$sfx-c$c" leader "$(roster_leader)" "$c" "$WRK_DIR/roster-renew.lua" APP_PREFIX=bench.app.
    if (( etcd_on )); then run_wrk etcd "etcd-keepalive$sfx-c$c" leader "$(etcd_leader)" "$c" "$ETCD_HARNESS/wrk/etcd-lease-keepalive.lua" LEASE_FILE="$LEASE_FILE"; fi
  done
  if (( etcd_on )); then etcd_revoke; fi
}
do_register() {
  local c
  # shellcheck disable=SC2086
  warmup "$(roster_leader)" "$(max_conns $CONNS)" "$WRK_DIR/roster-register.lua" APP_PREFIX=bench.reg. INSTANCES="$REG_INSTANCES"
  # shellcheck disable=SC2086
  if (( etcd_on )); then warmup "$(etcd_leader)" "$(max_conns $CONNS)" "$ETCD_HARNESS/wrk/etcd-put.lua"; fi
  for c in $CONNS; do
    run_wrk roster "roster-register-c$c" leader "$(roster_leader)" "$c" "$WRK_DIR/roster-register.lua" APP_PREFIX=bench.reg. INSTANCES="$REG_INSTANCES"
    if (( etcd_on )); then run_wrk etcd "etcd-put-c$c" leader "$(etcd_leader)" "$c" "$ETCD_HARNESS/wrk/etcd-put.lua"; fi
  done
}
do_fetch() { # consistent 0|1
  local cons=$1 c n=roster-fetch e=etcd-range-serializable-follower ser=1
  [[ $cons == 1 ]] && { n=roster-fetch-consistent; e=etcd-range-linearizable-follower; ser=0; }
  roster_populate
  if (( etcd_on )); then etcd_keys; fi
  # shellcheck disable=SC2086
  warmup "$(roster_follower)" "$(max_conns $CONNS)" "$WRK_DIR/roster-fetch.lua" APP_PREFIX=bench.app. CONSISTENT="$cons"
  # shellcheck disable=SC2086
  if (( etcd_on )); then warmup "$(etcd_follower)" "$(max_conns $CONNS)" "$ETCD_HARNESS/wrk/etcd-range.lua" SERIALIZABLE=$ser; fi
  for c in $CONNS; do
    run_wrk roster "$n-c$c" follower "$(roster_follower)" "$c" "$WRK_DIR/roster-fetch.lua" APP_PREFIX=bench.app. CONSISTENT="$cons"
    if (( etcd_on )); then run_wrk etcd "$e-c$c" follower "$(etcd_follower)" "$c" "$ETCD_HARNESS/wrk/etcd-range.lua" SERIALIZABLE=$ser; fi
  done
}
do_poll() {
  local c
  roster_populate
  # shellcheck disable=SC2086
  warmup "$(roster_follower)" "$(max_conns $CONNS)" "$WRK_DIR/roster-poll.lua" APP_PREFIX=bench.app. LATEST_TIMESTAMP=0
  for c in $CONNS; do
    run_wrk roster "roster-poll-c$c" follower "$(roster_follower)" "$c" "$WRK_DIR/roster-poll.lua" APP_PREFIX=bench.app. LATEST_TIMESTAMP=0
  done
}
do_sweep() { do_renew -sweep "$SWEEP_CONNS"; plot "$OUT"; }

# ---- summary and plot --------------------------------------------------------------------------
MED='def med: sort | if length % 2 == 1 then .[(length-1)/2] else (.[length/2-1] + .[length/2]) / 2 end;'
summary() {
  [[ -s $JSONL ]] || return 0
  {
    echo "| run | target | conns | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | node CPU-ms/req | other CPU-s (worst) | runs (discarded) |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    jq -s -r "$MED"'
      (map(select(.discarded | not)) | group_by(.name)) as $g
      | (map(select(.discarded)) | group_by(.name) | map({key: .[0].name, value: length}) | from_entries) as $d
      | $g | sort_by(.[0].system, (.[0].name | capture("^(?<k>[a-z-]+)-c(?<c>[0-9]+)$") | [.k, (.c|tonumber)]))[] |
      "| \(.[0].name) | \(.[0].role) | \(.[0].conns) | \(map(.rps)|med|floor) | \(map(.lat_ms.p50)|med) | \(map(.lat_ms.p90)|med) | \(map(.lat_ms.p99)|med) | \(map(.lat_ms.p999)|med) | \(map(.lat_ms.max)|max) | \(map(.errors|to_entries|map(.value)|add)|add) | \(map(.node_cpu_s/.requests*1000)|med*1000|floor/1000) | \(map(.other_cpu_s)|max) | \(length) (\($d[.[0].name] // 0)) |"
    ' "$JSONL"
    if jq -se 'any(.[]; .system == "etcd")' "$JSONL" > /dev/null; then
      echo
      echo "Roster vs etcd (medians; ok req/s = req/s without the errors; ratio = Roster / etcd ok req/s; CPU = node CPU-ms per request, all 3 nodes)"
      echo
      echo "| Roster | etcd | conns | Roster ok req/s | etcd ok req/s | ratio | Roster p99 ms | etcd p99 ms | Roster errors | etcd errors | Roster CPU-ms/req | etcd CPU-ms/req |"
      echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
      jq -s -r "$MED"'
        def pairs: [["roster-renew","etcd-keepalive"],["roster-renew-sweep","etcd-keepalive-sweep"],["roster-register","etcd-put"],
                    ["roster-fetch","etcd-range-serializable-follower"],["roster-fetch-consistent","etcd-range-linearizable-follower"]];
        def errs: [.errors[]] | add;
        def stat($rows): {rps: ($rows|map(.rps * (1 - errs / .requests))|med), p99: ($rows|map(.lat_ms.p99)|med),
                          err: ($rows|map(errs)|add), cpu: ($rows|map(.node_cpu_s/.requests*1000)|med)};
        map(select(.discarded | not)) as $all
        | pairs[] as [$r, $e]
        | ($all | map(.conns) | unique)[] as $c
        | ($all | map(select(.name == "\($r)-c\($c)"))) as $rr
        | ($all | map(select(.name == "\($e)-c\($c)"))) as $er
        | select(($rr|length) > 0 and ($er|length) > 0)
        | stat($rr) as $a | stat($er) as $b
        | "| \($r) | \($e) | \($c) | \($a.rps|floor) | \($b.rps|floor) | **\(($a.rps/$b.rps*100|floor)/100)×** | \($a.p99) | \($b.p99) | \($a.err) | \($b.err) | \($a.cpu*1000|floor/1000) | \($b.cpu*1000|floor/1000) |"
      ' "$JSONL"
    fi
  } > "$OUT/summary.md"
  cat "$OUT/summary.md"
}

# plot <dir>: renew req/s and p99 vs connections, Roster and etcd (sweep rows, else the main ones)
plot() {
  local dir=${1:-$OUT} png data
  need gnuplot "apt-get install gnuplot-nox"
  [[ -s $dir/results.jsonl ]] || die "no $dir/results.jsonl"
  png=$dir/renew-vs-connections.png
  data=$dir/plot-data.tsv
  jq -s -r "$MED"'
    map(select(.discarded | not)) as $all
    | (if any($all[]; .name | test("-sweep-c")) then "-sweep" else "" end) as $s
    | ["roster-renew\($s)", "etcd-keepalive\($s)"][] as $k
    | ($all | map(select(.name | test("^" + $k + "-c[0-9]+$"))) | group_by(.conns)) as $g
    | "# \($k)", ($g[] | "\(.[0].conns)\t\(map(.rps)|med)\t\(map(.rps)|min)\t\(map(.rps)|max)\t\(map(.lat_ms.p99)|med)"), "", ""
  ' "$dir/results.jsonl" > "$data"
  grep -q '^[0-9]' "$data" || die "no renew or keepalive rows in $dir/results.jsonl"
  local XTICS
  XTICS=$(awk -F'\t' '/^[0-9]/{print $1}' "$data" | sort -n -u | paste -sd, -)
  local title
  title="3 nodes on loopback, $(nproc) cores shared with wrk -t$THREADS; median of runs, bars min-max ($(date -u -r "$dir/results.jsonl" +%Y-%m-%d))"
  gnuplot <<EOF
set terminal pngcairo size 1000,800 font "DejaVu Sans,11"
set output "$png"
set datafile separator "\t"
set logscale x 2
set xtics ($XTICS)
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel "wrk connections"
set grid
set key top left
set multiplot layout 2,1 title "Roster renew vs etcd lease keepalive (leader)\n{/*0.8 $title}"
set ylabel "requests/s"
set yrange [0:*]
plot "$data" index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#1f77b4" title "Roster renew", \
     "" index 1 using 1:2:3:4 with yerrorlines lw 2 pt 5 lc rgb "#d62728" title "etcd lease keepalive"
set ylabel "p99 latency, ms"
set logscale y 10
set yrange [*:*]
plot "$data" index 0 using 1:5 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "Roster renew", \
     "" index 1 using 1:5 with linespoints lw 2 pt 5 lc rgb "#d62728" title "etcd lease keepalive"
unset multiplot
EOF
  echo "plot: $png"
}

meta() {
  local jar=${ROSTER_JAR:-registry-node/target/roster-node.jar}
  jq -n --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg commit "$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo '?')" \
    --arg dirty "$(git -C "$ROOT" status --porcelain 2> /dev/null | grep -c . || true)" \
    --arg jar "$jar" --arg jar_sha "$(sha256sum "$jar" 2> /dev/null | cut -c1-16)" \
    --arg cpu "$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)" --argjson nproc "$NPROC" \
    --arg mem "$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)" --arg kernel "$(uname -r)" \
    --arg java "$(java -version 2>&1 | head -1)" --arg wrk "$(wrk -v 2>&1 | head -1)" \
    --arg etcd "$( (( etcd_on )) && etcd --version 2> /dev/null | awk 'NR==1' || echo none)" \
    --arg java_opts "${JAVA_OPTS:-(local-cluster.sh default)}" --arg extra "$EXTRA_ARGS" \
    --arg duration "$DURATION" --arg threads "$THREADS" --arg conns "$CONNS" --arg repeat "$REPEAT" --arg warmup "$WARMUP" \
    '{date:$date, commit:$commit, uncommitted_files:($dirty|tonumber), jar:$jar, jar_sha256_16:$jar_sha, cpu:$cpu, nproc:$nproc, mem:$mem, kernel:$kernel,
      java:$java, wrk:$wrk, etcd:$etcd, java_opts:$java_opts, extra_args:$extra, duration:$duration, warmup:$warmup, threads:$threads, conns:$conns, repeat:$repeat}' > "$OUT/meta.json"
}

# smoke: every scenario for 2 s at 4 connections, one run; fails on errors or a missing output,
# never on a timing
smoke() {
  do_renew; do_register; do_fetch 0; do_fetch 1; do_poll; do_sweep
  summary > /dev/null
  local name bad=0
  for name in roster-renew-c4 roster-register-c4 roster-fetch-c4 roster-fetch-consistent-c4 roster-poll-c4 roster-renew-sweep-c8; do
    jq -se --arg n "$name" 'map(select(.name == $n)) | length == 1 and (.[0].requests > 0) and ([.[0].errors[]] | add == 0)' "$JSONL" > /dev/null \
      || { echo "smoke: $name missing, empty or with errors" >&2; bad=1; }
  done
  [[ $(head -c 8 "$OUT/renew-vs-connections.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || { echo "smoke: no PNG plot" >&2; bad=1; }
  (( bad == 0 )) || die "smoke run failed (see $OUT)"
  echo "smoke run OK: $OUT"
}

# ---- main --------------------------------------------------------------------------------------
[[ $# -gt 0 ]] || { usage; exit 2; }
case $1 in -h|--help|help) usage; exit 0 ;; esac
abs() { case $1 in /*) echo "$1" ;; *) echo "$CALLER_PWD/$1" ;; esac; }
if [[ $1 == plot ]]; then plot "$(abs "${2:-$(ls -d "$BENCH"/results/*/ 2> /dev/null | tail -1)}")"; exit; fi
if [[ $1 == summary ]]; then OUT=$(abs "${2:?summary DIR}"); JSONL=$OUT/results.jsonl; summary; exit; fi
[[ -z ${OUT:-} ]] || OUT=$(abs "$OUT")
for what in "$@"; do
  case $what in renew|register|fetch|fetch-consistent|poll|all|sweep|smoke) ;; *) usage >&2; die "unknown: $what" ;; esac
done
need wrk "apt-get install wrk"; need jq "apt-get install jq"; need curl "apt-get install curl"
OUT=${OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
JSONL=$OUT/results.jsonl
trap cleanup EXIT
trap 'exit 130' INT TERM
if [[ " $* " == *" smoke "* ]]; then
  DURATION=2s REPEAT=1 CONNS=4 SWEEP_CONNS="4 8" QUIET_WAIT=0 RERUNS=0 WARMUP=1s
  [[ -n $ETCD_GIVEN ]] || ETCD=auto
fi
roster_start
etcd_setup
meta
echo "Roster leader $(roster_leader), follower $(roster_follower); etcd: $( (( etcd_on )) && echo "leader $(etcd_leader), follower $(etcd_follower)" || echo off); out $OUT"
for what in "$@"; do
  case $what in
    renew) do_renew ;;
    register) do_register ;;
    fetch) do_fetch 0 ;;
    fetch-consistent) do_fetch 1 ;;
    poll) do_poll ;;
    all) do_renew; do_register; do_fetch 0; do_fetch 1; do_poll ;;
    sweep) do_sweep ;;
    smoke) smoke ;;
  esac
done
summary
