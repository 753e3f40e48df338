#!/usr/bin/env bash
# How fast the node list tells the truth (docs/benchmarks.md, "Node list after a kill"): three
# node processes on loopback (HTTP 27171-27173, Raft 27271-27273, data in a temp dir), then TRIALS
# times each: kill -9 a follower, and kill -9 the leader, measuring the time until every survivor
# leaves the killed node out of the UP-only fetch of infra.discovery that clients read (env prod:
# the nodes' own application answers in every env), then restarting it and measuring the time
# until every node lists it UP again (that includes the JVM's start).
#
#   bench/node-list.sh [TRIALS]      # default 5; needs the built jar (mvn -B -q package -DskipTests)
#
# Stops only the processes it started, by PID. Prints one line per trial and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-5}
jar=registry-node/target/roster-node.jar
[ -f "$jar" ] || { echo "build the jar first: mvn -B -q package -DskipTests" >&2; exit 1; }
dir=$(mktemp -d)
peers=127.0.0.1:27271,127.0.0.1:27272,127.0.0.1:27273
declare -A pid

start() {
  java -Xmx256m -jar "$jar" --http "127.0.0.1:2717$1" --raft "127.0.0.1:2727$1" --peers "$peers" \
    --data "$dir/d$1" >> "$dir/n$1.log" 2>&1 &
  pid[$1]=$!
}
stop_all() {
  for i in 1 2 3; do [ -n "${pid[$i]:-}" ] && kill "${pid[$i]}" 2>/dev/null || true; done
  for i in 1 2 3; do [ -n "${pid[$i]:-}" ] && wait "${pid[$i]}" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap stop_all EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# lists NODE (its Raft address) as UP, as node I answers a client
lists_up() {
  curl -s -m 1 "127.0.0.1:2717$1/discovery/fetch?env=prod&appid=infra.discovery" | grep -q "\"hostname\":\"$2\""
}
# waits (at most 60 s) until every node in LIST agrees that NODE is UP (want=1) or not (want=0)
await() {
  local want=$1 node=$2; shift 2
  local deadline=$(( $(now_ms) + 60000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    local agree=0
    for i in "$@"; do
      if lists_up "$i" "$node"; then [ "$want" = 1 ] && agree=$((agree + 1)); else [ "$want" = 0 ] && agree=$((agree + 1)); fi
    done
    [ "$agree" = $# ] && return 0
    sleep 0.02
  done
  echo "timed out waiting for $node to be listed $([ "$want" = 1 ] && echo UP || echo 'not UP')" >&2
  exit 1
}
leader() { curl -s -m 1 127.0.0.1:27171/cluster/status | sed -n 's/.*"leader":"127.0.0.1:2727\([123]\)".*/\1/p'; }

for i in 1 2 3; do start "$i"; done
for i in 1 2 3; do await 1 "127.0.0.1:2727$i" 1 2 3; done

results=()
for t in $(seq 1 "$trials"); do
  for role in follower leader; do
    l=$(leader)
    [ -n "$l" ] || { sleep 1; l=$(leader); }
    if [ "$role" = leader ]; then v=$l; else v=$(( l % 3 + 1 )); fi
    survivors=(); for i in 1 2 3; do [ "$i" != "$v" ] && survivors+=("$i"); done
    kill -9 "${pid[$v]}"; wait "${pid[$v]}" 2>/dev/null || true
    t0=$(now_ms); await 0 "127.0.0.1:2727$v" "${survivors[@]}"; down=$(( $(now_ms) - t0 ))
    start "$v"
    t0=$(now_ms); await 1 "127.0.0.1:2727$v" 1 2 3; up=$(( $(now_ms) - t0 ))
    echo "trial $t: kill -9 $role n$v: listed not UP after $down ms; restarted, listed UP after $up ms"
    results+=("$role $down $up")
  done
done
for role in follower leader; do
  printf '%s\n' "${results[@]}" | awk -v r="$role" '$1 == r {print $2}' | sort -n \
    | awk -v r="$role" '{a[NR]=$1} END {printf "median %s kill -> not UP: %d ms (max %d ms)\n", r, a[int((NR+1)/2)], a[NR]}'
done
uptime
