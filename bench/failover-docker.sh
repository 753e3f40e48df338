#!/usr/bin/env bash
# docker kill failover on the compose cluster (docs/benchmarks.md#failover-docker-kill-compose-cluster).
#
#   bench/failover-docker.sh [TRIALS]            # default 10
#
# Each trial: find the leader; start a write loop that registers through the two survivors, one
# attempt every ~20 ms, alternating between them, following 307s (curl -L, at most 3 s per attempt);
# `docker kill` the leader's container (SIGKILL: its IP and name vanish from the compose network).
# The time is from the container's death (its State.FinishedAt, from dockerd, same clock) to the
# first acknowledged write (code 0) among the attempts that started after it; attempts that
# started earlier may have been acknowledged by the old leader and do not count. Also printed:
# the time from invoking `docker kill` (on a loaded machine the CLI and dockerd alone can take
# a second). Then the container is started again and the trial waits until all three are
# healthy and one leader is known, and SETTLE seconds more (default 5).
# KEEP_LOGS=DIR keeps each trial's attempts (start end ok|fail node answer) in DIR/trial-N.log.
#
# Uses a running compose project `roster` (deploy/docker-compose.yml) if there is one and leaves
# it running; otherwise starts one (`up -d --build --wait`, ROSTER_BASE_IMAGE passes the base
# image, as in CI) and removes it with its volumes at the end. Needs docker with Compose v2, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

trials=${1:-10}
[ -z "${KEEP_LOGS:-}" ] || mkdir -p "$KEEP_LOGS"
settle=${SETTLE:-5}
compose=(docker compose -f deploy/docker-compose.yml)
started=
if [ -z "$("${compose[@]}" ps -q 2>/dev/null)" ]; then
  "${compose[@]}" up -d --build --wait --wait-timeout 300 >/dev/null
  started=1
fi
cleanup() { [ -z "$started" ] || "${compose[@]}" down -v >/dev/null 2>&1 || true; }
trap cleanup EXIT

# bash's clock, no fork: the write loop must not be slowed down by the machine it measures
now_ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }

# the number N of the node that answers role leader, or nothing
leader() {
  local n
  for n in 1 2 3; do
    if curl -s --max-time 1 "127.0.0.1:717$n/cluster/status" | grep -q '"role":"leader"'; then
      echo "$n"; return
    fi
  done
}

healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null)" = healthy ]; }

await_cluster() {
  local deadline=$(( SECONDS + 240 )) n ok
  while (( SECONDS < deadline )); do
    ok=1
    for n in 1 2 3; do healthy "$("${compose[@]}" ps -q node$n)" || ok=; done
    [ -n "$ok" ] && [ -n "$(leader)" ] && return 0
    sleep 0.5
  done
  echo "cluster not healthy with a leader within 240 s" >&2
  "${compose[@]}" ps >&2
  return 1
}

# one register through node N; prints the envelope and curl's view (redirects, HTTP status).
# 3 s per attempt, more than the node's own bound (election timeout + 1 s): a node that knows no
# leader yet holds the write until one is elected, and cutting that short (as a 1 s limit did)
# only delays the measured first acknowledgement to the next attempt.
register() { # node-number hostname
  curl -s -L --max-time 3 -X POST "127.0.0.1:717$1/discovery/register" \
    -d zone=default -d env=bench -d appid=bench.failover.docker -d "hostname=$2" \
    -d addrs=http://10.0.0.1:8080 -w ' redirects=%{num_redirects} http=%{http_code} url=%{url_effective}' 2>&1
}

# one line per attempt: start_ms end_ms ok|fail node-number what-came-back
write_loop() { # survivor-a survivor-b hostname
  local i=0 start node out
  while :; do
    i=$(( i + 1 )); node=${@:$(( i % 2 + 1 )):1}; start=$(now_ms)
    out=$(register "$node" "$3") || true
    if [[ $out == *'"code":0'* ]]; then echo "$start $(now_ms) ok node$node redirects=${out##* redirects=}"
    else echo "$start $(now_ms) fail node$node ${out:0:300}"; fi
    sleep 0.02
  done
}

await_cluster
results=()
for t in $(seq 1 "$trials"); do
  l=$(leader)
  container=$("${compose[@]}" ps -q "node$l")
  survivors=()
  for n in 1 2 3; do [ "$n" = "$l" ] || survivors+=("$n"); done
  log=$(mktemp)
  write_loop "${survivors[@]}" "trial-$t" > "$log" &
  loop_pid=$!
  sleep 0.3 # the loop is running (its first attempts go through the old leader)
  t_kill=$(now_ms)
  docker kill "$container" >/dev/null
  t_died=$(( $(date -d "$(docker inspect -f '{{.State.FinishedAt}}' "$container")" +%s%N) / 1000000 ))
  deadline=$(( SECONDS + 60 ))
  while ! first=$(awk -v d="$t_died" '$1 > d && $3 == "ok" {print $2; exit}' "$log") || [ -z "$first" ]; do
    (( SECONDS < deadline )) || { kill "$loop_pid"; echo "trial $t: no acknowledged write within 60 s" >&2; exit 1; }
    sleep 0.05
  done
  kill "$loop_pid"; wait "$loop_pid" 2>/dev/null || true
  ms=$(( first - t_died ))
  results+=("$ms")
  attempts=$(awk -v d="$t_died" '$1 > d && $2 <= f' f="$first" "$log" | wc -l)
  if [ -n "${KEEP_LOGS:-}" ]; then mv "$log" "$KEEP_LOGS/trial-$t.log"; else rm -f "$log"; fi
  new=$(leader || true)
  echo "trial $t: killed node$l (died $(date -d "@$(( t_died / 1000 )).$(printf %03d $(( t_died % 1000 )))" +%T.%3N)), first acknowledged write ${ms} ms after its death ($(( first - t_kill )) ms after invoking docker kill; $attempts attempts after the death; new leader node${new:-?})"
  docker start "$container" >/dev/null
  await_cluster
  sleep "$settle" # the restarted JVM's start-up (JIT, catch-up) competes for the same cores
done

sorted=($(printf '%s\n' "${results[@]}" | sort -n))
n=${#sorted[@]}
if (( n % 2 )); then median=${sorted[$(( n / 2 ))]}; else median=$(( (sorted[n/2 - 1] + sorted[n/2]) / 2 )); fi
echo "trials=$n (from the leader container's death) median=${median} ms max=${sorted[$(( n - 1 ))]} ms min=${sorted[0]} ms"
