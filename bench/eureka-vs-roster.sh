#!/usr/bin/env bash
# Roster's Eureka API (/eureka/ on a 3-node Roster cluster) against a stock 3-peer Eureka server,
# side by side in one run: the same wrk scenarios (bench/eureka/wrk/), the same preloaded registry
# (bench/eureka/preload.py), the same connections, durations and repeats, the two systems
# alternated run by run so that both see the same machine.
#
#   bench/eureka-vs-roster.sh all        renew fetch apps delta register repl, in that order
#   bench/eureka-vs-roster.sh renew      PUT  /eureka/apps/{APP}/{id}?status=UP&lastDirtyTimestamp=T  (200)
#   bench/eureka-vs-roster.sh fetch      GET  /eureka/apps/{APP}, one app of INSTANCES/APPS          (200, body)
#   bench/eureka-vs-roster.sh apps       GET  /eureka/apps/, the full registry, for each of GZIPS     (200, gzip or body)
#   bench/eureka-vs-roster.sh delta      GET  /eureka/apps/delta, for each of GZIPS                   (200, gzip or body)
#   bench/eureka-vs-roster.sh register   POST /eureka/apps/{APP} with a Spring client's ~1 KB body   (204)
#   bench/eureka-vs-roster.sh repl       one register on the write target, time until the others serve it
#   bench/eureka-vs-roster.sh smoke      Roster (and Eureka if SYSTEMS has it) for 1 s per scenario: checks only that it works
#   bench/eureka-vs-roster.sh summary DIR   (re)write DIR/summary.md from DIR/results.jsonl
#
# Targets. Roster: writes (renew, register) on the leader and, as separate runs, on a follower
# (which forwards Eureka writes to the leader); reads on a follower. Eureka: writes on peer1,
# reads on peer2 (peers are equal; peer2 is the one the writes reach by replication).
# Per scenario and connection count, each repeat runs every target once, in an order that is
# reversed every other repeat (R-leader, E, R-follower, then R-follower, E, R-leader, ...).
#
# The Roster cluster is started here from ROSTER_JAR (registry-node/target/roster-node.jar, built
# with `mvn -B -q -o package -pl registry-node -am -DskipTests` if missing), HTTP on
# ROSTER_HTTP_PORTS, Raft on ROSTER_RAFT_PORTS, data and logs in $OUT/roster/. The Eureka cluster is
# bench/eureka/eureka-cluster.sh (ports EUREKA_PORTS, logs in $OUT/eureka/); its jar is
# bench/eureka/server/target/eureka-bench-server.jar, built by bench/eureka/server/build.sh from
# Maven Central when missing (EUREKA_JAR: a jar built elsewhere). Both are stopped at the end, by PID.
#
# env: SYSTEMS ("roster eureka") DURATION (15s) THREADS (2) CONNS ("16 128") REPEAT (3)
#      WARMUP (30s: one unrecorded run per target at the highest connection count before each scenario)
#      INSTANCES (1000) APPS (100) REG_INSTANCES (1000) GZIPS ("1 0": registry reads with
#      Accept-Encoding: gzip, as Spring clients send, and plain JSON)
#      DELTA_WAIT (300: seconds to wait, at most, for both deltas to be empty before the delta runs)
#      QUIET_WAIT (30) QUIET_IDLE (0.85): before each run, wait for an idle machine
#      NOISY_FRAC (0.10) RERUNS (1): a run during which other processes took more than NOISY_FRAC of
#        the machine is kept, marked discarded, and run again (at most RERUNS times)
#      LOAD_BELOW (unset) LOAD_WAIT (1200): before starting anything, wait until the 1-minute load
#        average is below LOAD_BELOW (polled every 30 s, at most LOAD_WAIT s; load-wait.json), then run anyway
#      OUT (bench/results/<utc stamp>-eureka-vs-roster) KEEP_CLUSTER (0)
#      ROSTER_JAR JAVA_OPTS (-Xmx512m, the Eureka peers get the same) EXTRA_ARGS (node flags) EUREKA_ENV (prod)
#      ROSTER_HTTP_PORTS ("27171 27172 27173") ROSTER_RAFT_PORTS ("27271 27272 27273")
#      EUREKA_PORTS ("28761 28762 28763") EUREKA_JAR EUREKA_ARGS
# Output in $OUT: <system>-<target>-<scenario>-c<conns>-r<rep>.txt (raw wrk), results.jsonl (one
# JSON object per run), summary.md (medians, and Roster/Eureka ratios), meta.json, preload-*.jsonl,
# repl.jsonl, payloads.jsonl (size and instance count of each read answer before its runs).
set -euo pipefail
# the command as given (settings from the environment first), for meta.json
CMDLINE="$(for v in ROSTER_JAR SYSTEMS DURATION THREADS CONNS REPEAT WARMUP INSTANCES APPS REG_INSTANCES GZIPS DELTA_WAIT QUIET_WAIT RERUNS LOAD_BELOW LOAD_WAIT EXTRA_ARGS EUREKA_ARGS; do
  if [[ -n ${!v+x} ]]; then printf '%s=%q ' "$v" "${!v}"; fi; done)bench/eureka-vs-roster.sh $*"
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
CALLER_PWD=$PWD
cd "$ROOT"
EW=$BENCH/eureka/wrk
EUREKA_CLUSTER=$BENCH/eureka/eureka-cluster.sh

SYSTEMS=${SYSTEMS:-"roster eureka"}
DURATION=${DURATION:-15s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-"16 128"}
REPEAT=${REPEAT:-3}
WARMUP=${WARMUP:-30s}
export INSTANCES=${INSTANCES:-1000} APPS=${APPS:-100} REG_INSTANCES=${REG_INSTANCES:-1000}
GZIPS=${GZIPS:-"1 0"}
DELTA_WAIT=${DELTA_WAIT:-300}
QUIET_WAIT=${QUIET_WAIT:-30}
QUIET_IDLE=${QUIET_IDLE:-0.85}
NOISY_FRAC=${NOISY_FRAC:-0.10}
RERUNS=${RERUNS:-1}
LOAD_WAIT=${LOAD_WAIT:-1200}
ROSTER_JAR=${ROSTER_JAR:-$ROOT/registry-node/target/roster-node.jar}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
EXTRA_ARGS=${EXTRA_ARGS:-}
EUREKA_ENV=${EUREKA_ENV:-prod}
read -r -a RH <<< "${ROSTER_HTTP_PORTS:-27171 27172 27173}"
read -r -a RR <<< "${ROSTER_RAFT_PORTS:-27271 27272 27273}"
export EUREKA_PORTS=${EUREKA_PORTS:-"28761 28762 28763"}
export JAVA_HEAP=${JAVA_HEAP:-$JAVA_OPTS}
CLK_TCK=$(getconf CLK_TCK)
NPROC=$(nproc)

usage() { sed -n '2,46p' "$BENCH/eureka-vs-roster.sh" | sed 's/^# \{0,1\}//'; }
die() { echo "eureka-vs-roster.sh: $*" >&2; exit 1; }
need() { command -v "$1" > /dev/null || die "$1 is not installed ($2)"; }
on() { [[ " $SYSTEMS " == *" $1 "* ]]; }

# ---- machine: quiet wait and CPU accounting (the method of bench/run.sh) ------------------------
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
all_ticks() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
irq_ticks() { awk '/^cpu /{print $7+$8}' /proc/stat; }
load1() { awk '{print $1}' /proc/loadavg; }
wait_quiet() {
  local t_end=$(( $(date +%s) + QUIET_WAIT )) b0 b1 a0 a1 idle span=2
  (( QUIET_WAIT > 0 )) || span=0.2 # no waiting: a short sample for idle_before
  while :; do
    b0=$(busy_ticks); a0=$(all_ticks); sleep $span; b1=$(busy_ticks); a1=$(all_ticks)
    idle=$(awk -v d=$((b1 - b0)) -v t=$((a1 - a0)) 'BEGIN{if(t<=0)t=1; printf "%.2f", 1 - d/t}')
    if awk -v i="$idle" -v q="$QUIET_IDLE" 'BEGIN{exit !(i >= q)}'; then break; fi
    (( $(date +%s) < t_end )) || { (( QUIET_WAIT == 0 )) || echo "   (machine not quiet: idle $idle after ${QUIET_WAIT}s, running anyway)" >&2; break; }
  done
  echo "$idle"
}
cpu_ticks() { local t=0 p; for p in "$@"; do [[ -r /proc/$p/stat ]] && t=$(( t + $(awk '{print $14+$15}' "/proc/$p/stat") )); done; echo $t; }
seconds() { case $1 in *ms) awk -v v="${1%ms}" 'BEGIN{print v/1000}' ;; *s) echo "${1%s}" ;; *m) echo $(( ${1%m} * 60 )) ;; *) echo "$1" ;; esac; }
wait_load() {
  [[ -n ${LOAD_BELOW:-} ]] || return 0
  local t0 l; t0=$(date +%s)
  while :; do
    l=$(load1)
    if awk -v l="$l" -v b="$LOAD_BELOW" 'BEGIN{exit !(l < b)}'; then echo "load average $l < $LOAD_BELOW after $(( $(date +%s) - t0 )) s"; break; fi
    if (( $(date +%s) - t0 >= LOAD_WAIT )); then echo "load average still $l after ${LOAD_WAIT}s: measuring anyway" >&2; break; fi
    echo "   load average $l (waiting for < $LOAD_BELOW, $(( $(date +%s) - t0 )) s so far)"
    sleep 30
  done
  jq -n --arg l "$l" --argjson waited $(( $(date +%s) - t0 )) --arg below "$LOAD_BELOW" --arg up "$(uptime)" \
    '{load1_at_start:($l|tonumber), waited_s:$waited, load_below:$below, uptime:$up}' > "$OUT/load-wait.json"
}

# ---- Roster: 3 nodes from ROSTER_JAR, PIDs in $RDIR/nodeN.pid ------------------------------------
RDIR=
roster_started=0
rurl() { echo "http://127.0.0.1:${RH[$(( $1 - 1 ))]}"; }
roster_pid() { # the PID of node N if it runs and is ours (its cmdline names our data dir)
  local pid
  pid=$(cat "$RDIR/node$1.pid" 2> /dev/null) || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | grep -qF -- "--data $RDIR/node$1 " || return 1
  echo "$pid"
}
roster_pids() { local n; for n in 1 2 3; do roster_pid "$n" || true; done; }
roster_start() {
  local n p peers="127.0.0.1:${RR[0]},127.0.0.1:${RR[1]},127.0.0.1:${RR[2]}" deadline
  if [[ ! -f $ROSTER_JAR ]]; then
    [[ $ROSTER_JAR == "$ROOT/registry-node/target/roster-node.jar" ]] || die "no $ROSTER_JAR"
    echo "building $ROSTER_JAR"
    (cd "$ROOT" && mvn -B -q -o package -pl registry-node -am -DskipTests)
  fi
  for p in "${RH[@]}" "${RR[@]}"; do
    if ss -Hltn "sport = :$p" 2> /dev/null | grep -q .; then die "port $p is in use (ROSTER_HTTP_PORTS/ROSTER_RAFT_PORTS)"; fi
  done
  rm -rf "$RDIR"; mkdir -p "$RDIR"
  roster_started=1
  for n in 1 2 3; do
    # shellcheck disable=SC2086
    nohup java $JAVA_OPTS -jar "$ROSTER_JAR" --http "127.0.0.1:${RH[$((n - 1))]}" --raft "127.0.0.1:${RR[$((n - 1))]}" \
      --peers "$peers" --data "$RDIR/node$n" --eureka-env "$EUREKA_ENV" $EXTRA_ARGS > "$RDIR/node$n.log" 2>&1 < /dev/null &
    echo $! > "$RDIR/node$n.pid"
  done
  deadline=$(( $(date +%s) + 90 ))
  for n in 1 2 3; do
    until curl -fsS -m 1 "$(rurl "$n")/ready" > /dev/null 2>&1; do
      roster_pid "$n" > /dev/null || { tail -20 "$RDIR/node$n.log" >&2; die "Roster node $n exited"; }
      (( $(date +%s) < deadline )) || die "Roster node $n not ready after 90 s"
      sleep 0.3
    done
  done
  echo "Roster cluster ready: $(rurl 1) $(rurl 2) $(rurl 3), pids $(roster_pids | tr '\n' ' ')(data and logs in $RDIR)"
}
roster_stop() {
  local n pid pids=() t
  for n in 1 2 3; do pid=$(roster_pid "$n") && { kill -TERM "$pid" 2> /dev/null || true; pids+=("$pid"); }; done
  for t in $(seq 1 150); do
    local alive=0; for pid in "${pids[@]}"; do [[ -d /proc/$pid ]] && alive=1; done
    (( alive )) || break; sleep 0.1
  done
  for pid in "${pids[@]}"; do [[ -d /proc/$pid ]] && kill -KILL "$pid" 2> /dev/null; done
  echo "Roster stopped: pids ${pids[*]:-none}"
}
roster_role() { curl -fsS -m 2 "$(rurl "$1")/cluster/status" 2> /dev/null | grep -o '"role":"[a-z]*"' | cut -d'"' -f4; }
roster_leader() {
  local n i
  for i in $(seq 1 50); do
    for n in 1 2 3; do [[ $(roster_role "$n") == leader ]] && { rurl "$n"; return; }; done
    sleep 0.2
  done
  die "no Roster leader"
}
# the follower used for reads and follower writes: the first node that is not the leader
roster_follower() { local l n; l=$(roster_leader); for n in 1 2 3; do [[ $(rurl "$n") != "$l" ]] && { rurl "$n"; return; }; done; }
roster_others() { local l n; l=$(roster_leader); for n in 1 2 3; do [[ $(rurl "$n") != "$l" ]] && echo "$(rurl "$n")"; done; }

# ---- Eureka: bench/eureka/eureka-cluster.sh -----------------------------------------------------
eureka_started=0
eureka_pids() { "$EUREKA_CLUSTER" pids; }
eurl() { "$EUREKA_CLUSTER" url "$1"; }
eureka_start() {
  local p
  for p in $EUREKA_PORTS; do
    if ss -Hltn "sport = :$p" 2> /dev/null | grep -q .; then die "port $p is in use (EUREKA_PORTS)"; fi
  done
  eureka_started=1
  "$EUREKA_CLUSTER" start
}

cleanup() {
  local rc=$?
  if [[ ${KEEP_CLUSTER:-0} != 1 ]]; then
    if (( eureka_started )); then "$EUREKA_CLUSTER" stop || true; fi
    if (( roster_started )); then roster_stop || true; fi
  fi
  exit $rc
}

# target <system> <role>: the base URL of that target (resolved before every run: a leader can move)
target() {
  case $1:$2 in
    roster:leader) roster_leader ;;
    roster:follower) roster_follower ;;
    eureka:*) eurl "$2" ;;
    *) die "unknown target $1:$2" ;;
  esac
}
sys_pids() { if [[ $1 == roster ]]; then roster_pids; else eureka_pids; fi; }
other_pids() { if [[ $1 == roster ]]; then on eureka && eureka_pids; else roster_pids; fi; return 0; }

# ---- one measurement ---------------------------------------------------------------------------
# run_wrk <system> <role> <scenario> <conns> <rep> <script> [VAR=val ...]
run_wrk() {
  local sys=$1 role=$2 scen=$3 c=$4 rep=$5 script=$6; shift 6
  local url try raw name t0 t1 o0 o1 m0 m1 q0 q1 wt cmd idle_before pids others other irq frac discarded l1
  pids=$(sys_pids "$sys"); others=$(other_pids "$sys")
  name=$scen-c$c
  for try in $(seq 0 "$RERUNS"); do
    url=$(target "$sys" "$role")
    raw=$OUT/$sys-$role-$name-r$rep$([[ $try == 0 ]] || echo "-retry$try").txt
    cmd="env $* RESULT_NAME=$name wrk -t$THREADS -c$c -d$DURATION --latency -s bench/eureka/wrk/$script $url"
    echo "== [$sys $role] $cmd"
    idle_before=$(wait_quiet | tail -1); l1=$(load1)
    # shellcheck disable=SC2086
    t0=$(cpu_ticks $pids); o0=$(cpu_ticks $others); m0=$(busy_ticks); q0=$(irq_ticks)
    { TIMEFORMAT='%U %S'; time env "$@" RESULT_NAME="$name" wrk -t"$THREADS" -c"$c" -d"$DURATION" --latency -s "$EW/$script" "$url" > "$raw" 2>&1; } 2> "$raw.time"
    # shellcheck disable=SC2086
    t1=$(cpu_ticks $pids); o1=$(cpu_ticks $others); m1=$(busy_ticks); q1=$(irq_ticks)
    wt=$(awk '{printf "%.2f", $1+$2}' "$raw.time"); rm -f "$raw.time"
    other=$(awk -v m=$((m1 - m0)) -v e=$((t1 - t0)) -v i=$((o1 - o0)) -v h="$CLK_TCK" -v w="$wt" 'BEGIN{o=(m-e-i)/h-w; if(o<0)o=0; printf "%.2f", o}')
    irq=$(awk -v d=$((q1 - q0)) -v h="$CLK_TCK" 'BEGIN{printf "%.2f", d/h}')
    frac=$(awk -v o="$other" -v q="$irq" -v d="$(seconds "$DURATION")" -v n="$NPROC" 'BEGIN{x=o-q; if(x<0)x=0; printf "%.3f", x/(d*n)}')
    discarded=false
    if [[ $try -lt $RERUNS ]] && awk -v f="$frac" -v x="$NOISY_FRAC" 'BEGIN{exit !(f > x)}'; then discarded=true; fi
    grep -E 'Requests/sec|  50%|  99%|Non-2xx|Socket errors' "$raw" | sed 's/^/   /' || true
    if ! grep -q '^RESULT_JSON ' "$raw"; then cat "$raw" >&2; die "wrk failed: $cmd"; fi
    grep '^RESULT_JSON ' "$raw" | sed 's/^RESULT_JSON //' | jq -c \
      --arg sys "$sys" --arg role "$role" --arg scen "$scen" --arg url "$url" --argjson c "$c" --arg cmd "$cmd" --argjson rep "$rep" \
      --argjson node_cpu "$(awk -v d=$((t1 - t0)) -v h="$CLK_TCK" 'BEGIN{printf "%.2f", d/h}')" \
      --argjson idle_cpu "$(awk -v d=$((o1 - o0)) -v h="$CLK_TCK" 'BEGIN{printf "%.2f", d/h}')" \
      --argjson wrk_cpu "$wt" --argjson idle_before "$idle_before" --argjson other_cpu "$other" --argjson irq "$irq" \
      --argjson discarded "$discarded" --argjson retry "$try" --argjson load1 "$l1" \
      --argjson pb "${PAYLOAD_B:--1}" --argjson pi "${PAYLOAD_I:--1}" \
      '. + {system:$sys, role:$role, scenario:$scen, url:$url, conns:$c, rep:$rep, node_cpu_s:$node_cpu, wrk_cpu_s:$wrk_cpu,
            other_cpu_s:$other_cpu, irq_cpu_s:$irq, idle_cluster_cpu_s:$idle_cpu, idle_before:$idle_before, load1:$load1,
            payload_bytes:$pb, payload_instances:$pi, retry:$retry, discarded:$discarded, cmd:$cmd}' >> "$JSONL"
    jq -r 'select(.rep == '"$rep"') | "   bad=\(.bad) (bad_status=\(.errors.bad_status) bad_body=\(.errors.bad_body)) node_cpu_s=\(.node_cpu_s) other_cpu_s=\(.other_cpu_s) load1=\(.load1)"' <<< "$(tail -1 "$JSONL")"
    if [[ $discarded == true ]]; then echo "   noisy: other processes used $other CPU-s ($irq of it irq/softirq; $frac of the machine); run again" >&2; else break; fi
  done
}

warmup() { # <system> <role> <conns> <script> [VAR=val ...]
  local sys=$1 role=$2 c=$3 script=$4 url; shift 4
  [[ $WARMUP == 0 || $WARMUP == 0s ]] && return 0
  url=$(target "$sys" "$role")
  echo "   warm-up [$sys $role]: wrk -c$c -d$WARMUP $script $url"
  env "$@" wrk -t"$THREADS" -c"$c" -d"$WARMUP" -s "$EW/$script" "$url" > /dev/null 2>&1 || true
}
max_conns() { printf '%s\n' $CONNS | sort -n | tail -1; }

# payload <url>: "<bytes on the wire> <instances>" of one answer; GZ=1 counts the gzipped bytes
payload() {
  local u=$1 f b; f=$(mktemp)
  if [[ ${GZ:-0} == 1 ]]; then b=$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept: application/json' -H 'Accept-Encoding: gzip' "$u")
  else b=$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept: application/json' "$u"); fi
  curl -s -o "$f" -H 'Accept: application/json' "$u"
  echo "$b $(jq '[.. | objects | select(has("instanceId"))] | length' "$f" 2> /dev/null || echo -1)"
  rm -f "$f"
}

# scenario <name> <read|write> <script> [VAR=val ...]: warm-up per target, then per connection
# count and repeat every target once, the order reversed every other repeat.
# PAYLOAD_PATH (optional): recorded before every run of a read scenario (payloads.jsonl)
scenario() {
  local scen=$1 kind=$2 script=$3; shift 3
  local targets=() t c rep order sys role
  if [[ $kind == write ]]; then
    on roster && targets+=(roster:leader)
    on eureka && targets+=(eureka:peer1)
    on roster && targets+=(roster:follower)
  else
    on roster && targets+=(roster:follower)
    on eureka && targets+=(eureka:peer2)
  fi
  echo "-- $scen: targets ${targets[*]}"
  for t in "${targets[@]}"; do warmup "${t%%:*}" "${t#*:}" "$(max_conns)" "$script" "$@"; done
  for c in $CONNS; do
    for rep in $(seq 1 "$REPEAT"); do
      order=("${targets[@]}")
      if (( rep % 2 == 0 )); then order=(); for t in "${targets[@]}"; do order=("$t" "${order[@]}"); done; fi
      for t in "${order[@]}"; do
        sys=${t%%:*} role=${t#*:}
        local PAYLOAD_B=-1 PAYLOAD_I=-1
        if [[ -n ${PAYLOAD_PATH:-} ]]; then
          read -r PAYLOAD_B PAYLOAD_I < <(payload "$(target "$sys" "$role")$PAYLOAD_PATH")
          jq -nc --arg sys "$sys" --arg role "$role" --arg scen "$scen" --argjson c "$c" --argjson rep "$rep" \
            --argjson b "$PAYLOAD_B" --argjson i "$PAYLOAD_I" --arg t "$(date -u +%H:%M:%S)" \
            '{time:$t, system:$sys, role:$role, scenario:$scen, conns:$c, rep:$rep, payload_bytes:$b, payload_instances:$i}' >> "$OUT/payloads.jsonl"
        fi
        run_wrk "$sys" "$role" "$scen" "$c" "$rep" "$script" "$@"
      done
    done
  done
}

# ---- the registry both systems serve -------------------------------------------------------------
preloaded=0
preload() {
  (( preloaded )) && return 0
  local l o args
  if on roster; then
    l=$(roster_leader); args=(); for o in $(roster_others); do args+=(--check "$o"); done
    echo "Roster: preloading $INSTANCES instances over $APPS apps on the leader $l"
    python3 "$BENCH/eureka/preload.py" --url "$l" "${args[@]}" --out "$OUT/instances.txt" | tee -a "$OUT/preload-roster.jsonl"
  fi
  if on eureka; then
    echo "Eureka: preloading $INSTANCES instances over $APPS apps on peer1"
    python3 "$BENCH/eureka/preload.py" --url "$(eurl peer1)" --check "$(eurl peer2)" --check "$(eurl peer3)" \
      --out "$OUT/instances.txt" | tee -a "$OUT/preload-eureka.jsonl"
  fi
  preloaded=1
}
# instances of the preload (host-*) in the full registry a read target serves
served() {
  curl -s -H 'Accept: application/json' "$1/eureka/apps/" |
    jq '[.applications.application[].instance[] | select(.instanceId | startswith("host-"))] | length' 2> /dev/null || echo 0
}
# reads wait until both read targets serve the whole preload: Eureka's read-only response cache is
# refreshed every 30 s; Roster serves its applied state (this also checks nothing was evicted)
wait_served() {
  local t_end=$(( $(date +%s) + 90 )) t n ok
  while :; do
    ok=1
    for t in $(on roster && echo roster:follower) $(on eureka && echo eureka:peer2); do
      n=$(served "$(target "${t%%:*}" "${t#*:}")")
      (( n >= INSTANCES )) || { ok=0; echo "   $t serves $n of $INSTANCES preloaded instances"; }
    done
    (( ok )) && return 0
    (( $(date +%s) < t_end )) || die "the read targets do not serve the preload after 90 s"
    sleep 3
  done
}
wait_delta_empty() {
  local t0 t_end t n busy
  t0=$(date +%s); t_end=$(( t0 + DELTA_WAIT ))
  while :; do
    busy=""
    for t in $(on roster && echo roster:follower) $(on eureka && echo eureka:peer2); do
      read -r _ n < <(payload "$(target "${t%%:*}" "${t#*:}")/eureka/apps/delta")
      (( n == 0 )) || busy+=" $t=$n"
    done
    [[ -z $busy ]] && { echo "deltas are empty (waited $(( $(date +%s) - t0 )) s)"; return 0; }
    (( $(date +%s) < t_end )) || { echo "deltas still hold instances after ${DELTA_WAIT}s:$busy (measuring them as they are)"; return 0; }
    sleep 5
  done
}

do_renew() { preload; scenario renew write eureka-renew.lua INSTANCES_FILE="$OUT/instances.txt"; }
do_fetch() { preload; wait_served; PAYLOAD_PATH=/eureka/apps/BENCH-APP-0 scenario fetch-app read eureka-fetch-app.lua; }
do_apps() {
  local g; preload; wait_served
  for g in $GZIPS; do GZ=$g PAYLOAD_PATH=/eureka/apps/ scenario "apps-full$([[ $g == 1 ]] && echo -gzip)" read eureka-apps.lua MODE=full GZIP="$g"; done
}
do_delta() {
  local g; preload; wait_served; wait_delta_empty
  for g in $GZIPS; do GZ=$g PAYLOAD_PATH=/eureka/apps/delta scenario "apps-delta$([[ $g == 1 ]] && echo -gzip)" read eureka-apps.lua MODE=delta GZIP="$g"; done
}
do_register() { preload; scenario register write eureka-register.lua REG_INSTANCES="$REG_INSTANCES"; }
do_repl() {
  local l o args
  if on roster; then
    l=$(roster_leader); args=(); for o in $(roster_others); do args+=(--check "$o"); done
    python3 "$BENCH/eureka/preload.py" --url "$l" "${args[@]}" --repl-probe --timeout 30 | jq -c '. + {system:"roster"}' | tee -a "$OUT/repl.jsonl"
  fi
  if on eureka; then
    python3 "$BENCH/eureka/preload.py" --url "$(eurl peer1)" --check "$(eurl peer2)" --check "$(eurl peer3)" --repl-probe --timeout 30 \
      | jq -c '. + {system:"eureka"}' | tee -a "$OUT/repl.jsonl"
  fi
}

# ---- summary -------------------------------------------------------------------------------------
MED='def med: sort | if length % 2 == 1 then .[(length-1)/2] else (.[length/2-1] + .[length/2]) / 2 end;
  ["renew", "fetch-app", "apps-full-gzip", "apps-full", "apps-delta-gzip", "apps-delta", "register"] as $order |'
summary() {
  [[ -s $JSONL ]] || return 0
  {
    echo "| system | target | run | conns | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | bad | node CPU-ms/req | other CPU-s (worst) | load1 | payload B | runs (discarded) |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    jq -s -r "$MED"'
      (map(select(.discarded | not)) | group_by([.system, .role, .name])) as $g
      | (map(select(.discarded)) | group_by([.system, .role, .name]) | map({key: "\(.[0].system)/\(.[0].role)/\(.[0].name)", value: length}) | from_entries) as $d
      | $g | sort_by((.[0].scenario as $s | $order | index($s)) // 99, .[0].conns, .[0].system != "roster", .[0].role != "leader", .[0].role)[] |
      "| \(.[0].system) | \(.[0].role) | \(.[0].name) | \(.[0].conns) | \(map(.rps)|med|floor) | \(map(.lat_ms.p50)|med) | \(map(.lat_ms.p90)|med) | \(map(.lat_ms.p99)|med) | \(map(.lat_ms.p999)|med) | \(map(.lat_ms.max)|max) | \(map(.errors | .connect + .read + .write + .timeout + .non2xx)|add) | \(map(.bad)|add) | \(map(.node_cpu_s/.requests*1000)|med*1000|floor/1000) | \(map(.other_cpu_s)|max) | \(map(.load1)|max) | \(map(.payload_bytes)|max) | \(length) (\($d["\(.[0].system)/\(.[0].role)/\(.[0].name)"] // 0)) |"
    ' "$JSONL"
    if jq -se 'any(.[]; .system == "eureka") and any(.[]; .system == "roster")' "$JSONL" > /dev/null; then
      echo
      echo "Roster / Eureka (medians of the runs not discarded; ratio = Roster req/s / Eureka req/s; CPU = all 3 nodes or peers, per request; bad = answers with a wrong status or body)"
      echo
      echo "| scenario | conns | Roster target | Roster req/s | Eureka req/s | ratio | Roster p50 / p99 ms | Eureka p50 / p99 ms | CPU-ms/req Roster / Eureka | errors+bad Roster / Eureka |"
      echo "|---|---|---|---|---|---|---|---|---|---|"
      jq -s -r "$MED"'
        def st($rows): {rps: ($rows|map(.rps)|med), p50: ($rows|map(.lat_ms.p50)|med), p99: ($rows|map(.lat_ms.p99)|med),
                        cpu: ($rows|map(.node_cpu_s/.requests*1000)|med),
                        bad: ($rows|map((.errors | .connect + .read + .write + .timeout + .non2xx) + (if .bad > 0 then .bad else 0 end))|add)};
        def r2: (. * 100 | round) / 100;
        map(select(.discarded | not)) as $all
        | ($all | map([.scenario, .conns]) | unique | sort_by(.[0] as $s | ($order | index($s)) // 99, .[1]))[] as [$s, $c]
        | ($all | map(select(.scenario == $s and .conns == $c and .system == "eureka"))) as $er
        | select(($er|length) > 0) | st($er) as $e
        | ($all | map(select(.scenario == $s and .conns == $c and .system == "roster")) | group_by(.role) | sort_by(.[0].role != "leader"))[] as $rr
        | st($rr) as $r
        | "| \($s) | \($c) | \($rr[0].role) | \($r.rps|floor) | \($e.rps|floor) | **\($r.rps/$e.rps|r2)×** | \($r.p50) / \($r.p99) | \($e.p50) / \($e.p99) | \($r.cpu*1000|floor/1000) / \($e.cpu*1000|floor/1000) | \($r.bad) / \($e.bad) |"
      ' "$JSONL"
    fi
    if [[ -s $OUT/repl.jsonl ]]; then
      echo
      jq -r 'select(.peer) | "replication (\(.system)): registered on \(.registered_on), served by \(.peer) after \(.after_s) s (visible=\(.visible))"' "$OUT/repl.jsonl"
    fi
  } > "$OUT/summary.md"
  cat "$OUT/summary.md"
}

meta() {
  jq -n --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg commit "$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo '?')" \
    --arg dirty "$(git -C "$ROOT" status --porcelain 2> /dev/null | grep -c . || true)" \
    --arg jar "$ROSTER_JAR" --arg jar_sha "$(sha256sum "$ROSTER_JAR" 2> /dev/null | cut -c1-16)" \
    --arg ejar "${EUREKA_JAR:-$BENCH/eureka/server/target/eureka-bench-server.jar}" \
    --arg cpu "$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)" --argjson nproc "$NPROC" \
    --arg mem "$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)" --arg kernel "$(uname -r)" \
    --arg java "$(java -version 2>&1 | head -1)" --arg wrk "$(wrk -v 2>&1 | head -1)" --arg uptime "$(uptime)" \
    --arg systems "$SYSTEMS" --arg java_opts "$JAVA_OPTS" --arg extra "$EXTRA_ARGS" --arg eargs "${EUREKA_ARGS:-}" \
    --arg duration "$DURATION" --arg threads "$THREADS" --arg conns "$CONNS" --arg repeat "$REPEAT" --arg warmup "$WARMUP" \
    --arg instances "$INSTANCES" --arg apps "$APPS" --arg gzips "$GZIPS" --arg cmd "$CMDLINE" \
    '{date:$date, commit:$commit, uncommitted_files:($dirty|tonumber), command:$cmd, systems:$systems, roster_jar:$jar, roster_jar_sha256_16:$jar_sha,
      eureka_jar:$ejar, cpu:$cpu, nproc:$nproc, mem:$mem, kernel:$kernel, java:$java, wrk:$wrk, uptime_at_start:$uptime,
      java_opts:$java_opts, roster_extra_args:$extra, eureka_args:$eargs, duration:$duration, warmup:$warmup, threads:$threads,
      conns:$conns, repeat:$repeat, instances:$instances, apps:$apps, gzips:$gzips}' > "$OUT/meta.json"
}

smoke() {
  do_renew; do_fetch; do_apps; do_delta; do_register
  summary > /dev/null
  local bad=0 s n
  for s in $SYSTEMS; do
    for n in renew fetch-app apps-full-gzip apps-full apps-delta-gzip apps-delta register; do
      jq -se --arg s "$s" --arg n "$n" 'map(select(.system == $s and .scenario == $n)) | length > 0 and all(.[]; .requests > 0 and .bad == 0 and ([.errors.connect, .errors.read, .errors.write, .errors.timeout, .errors.non2xx] | add) == 0)' "$JSONL" > /dev/null \
        || { echo "smoke: $s $n missing, empty, with errors or with bad answers" >&2; bad=1; }
    done
  done
  (( bad == 0 )) || die "smoke run failed (see $OUT)"
  echo "smoke run OK: $OUT"
}

# ---- main ----------------------------------------------------------------------------------------
[[ $# -gt 0 ]] || { usage; exit 2; }
case $1 in -h|--help|help) usage; exit 0 ;; esac
abs() { case $1 in /*) echo "$1" ;; *) echo "$CALLER_PWD/$1" ;; esac; }
if [[ $1 == summary ]]; then OUT=$(abs "${2:?summary DIR}"); JSONL=$OUT/results.jsonl; summary; exit; fi
for what in "$@"; do
  case $what in all|renew|fetch|apps|delta|register|repl|smoke) ;; *) usage >&2; die "unknown: $what" ;; esac
done
for s in $SYSTEMS; do case $s in roster|eureka) ;; *) die "SYSTEMS may name roster and eureka, got '$s'" ;; esac; done
need wrk "apt-get install wrk"; need jq "apt-get install jq"; need curl "apt-get install curl"; need python3 "apt-get install python3"
if [[ " $* " == *" smoke "* ]]; then
  DURATION=1s REPEAT=1 CONNS=4 WARMUP=0 QUIET_WAIT=0 RERUNS=0 DELTA_WAIT=0 INSTANCES=100 APPS=10 REG_INSTANCES=100
fi
OUT=${OUT:+$(abs "$OUT")}
OUT=${OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)-eureka-vs-roster}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
JSONL=$OUT/results.jsonl
RDIR=$OUT/roster
export EUREKA_BENCH_DIR=$OUT/eureka
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_load # before the clusters start: their start-up is load too
if on eureka; then eureka_start; fi
if on roster; then roster_start; fi
meta
echo "Roster: $(on roster && echo "leader $(roster_leader), follower $(roster_follower)" || echo off); Eureka: $(on eureka && echo "writes on $(eurl peer1), reads on $(eurl peer2)" || echo off); out $OUT"
for what in "$@"; do
  case $what in
    all) do_renew; do_fetch; do_apps; do_delta; do_register; do_repl ;;
    renew) do_renew ;; fetch) do_fetch ;; apps) do_apps ;; delta) do_delta ;;
    register) do_register ;; repl) do_repl ;; smoke) smoke ;;
  esac
done
summary
