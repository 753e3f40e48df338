#!/usr/bin/env bash
# 3-peer stock Netflix Eureka server cluster on loopback, the peer of bench/eureka-vs-roster.sh.
#
#   ./eureka-cluster.sh start            # fresh log dir, start peer1..3, wait until each answers GET /eureka/apps 200
#   ./eureka-cluster.sh stop             # TERM (then KILL) ONLY the PIDs recorded in $PIDFILE
#   ./eureka-cluster.sh status           # per peer: pid, HTTP code, instances/apps it holds, replicas it knows
#   ./eureka-cluster.sh url <peer>       # http://127.0.0.1:<port> of peer1|peer2|peer3
#   ./eureka-cluster.sh urls             # the 3 base URLs, one a line
#   ./eureka-cluster.sh pids             # the live PIDs we started, one a line
#
# Ports $EUREKA_PORTS (default 28761 28762 28763); each peer lists the other two in defaultZone
# (server/application.yml has the same as defaults; the ports given here are passed as arguments).
# Logs and the PID file go to $EUREKA_BENCH_DIR (default ${TMPDIR:-/tmp}/roster-eureka-bench).
# The jar is server/target/eureka-bench-server.jar; `start` runs server/build.sh if it is missing.
# Never kills by process name: each PID is read from $PIDFILE and its /proc/<pid>/cmdline
# is checked to still carry our marker (-Deureka.bench.dir=$BASE) and the peer's profile.
# env: EUREKA_BENCH_DIR, EUREKA_JAR, EUREKA_PORTS, JAVA (java), JAVA_HEAP (-Xmx512m), JAVA_EXTRA (extra JVM flags),
#      EUREKA_ARGS (extra Spring args, e.g. --logging.level.com.netflix.eureka=WARN; not used by default),
#      START_TIMEOUT (240 s)
set -u
cd "$(dirname "$0")"
HERE=$PWD
BASE=${EUREKA_BENCH_DIR:-${TMPDIR:-/tmp}/roster-eureka-bench}
PIDFILE=$BASE/pids
JAR=${EUREKA_JAR:-$HERE/server/target/eureka-bench-server.jar}
JAVA=${JAVA:-java}
JAVA_HEAP=${JAVA_HEAP:--Xmx512m}
JAVA_EXTRA=${JAVA_EXTRA:-}
EUREKA_ARGS=${EUREKA_ARGS:-}
START_TIMEOUT=${START_TIMEOUT:-240}
HOST=127.0.0.1
NAMES=(peer1 peer2 peer3)
read -r -a PORTS <<< "${EUREKA_PORTS:-28761 28762 28763}"
(( ${#PORTS[@]} == 3 )) || { echo "EUREKA_PORTS must name 3 ports" >&2; exit 2; }

_idx() { local i; for i in "${!NAMES[@]}"; do [[ ${NAMES[$i]} == "$1" ]] && { echo "$i"; return 0; }; done; echo "unknown peer $1" >&2; return 1; }
url() { local i; i=$(_idx "$1") || return 1; echo "http://$HOST:${PORTS[$i]}"; }
urls() { local n; for n in "${NAMES[@]}"; do url "$n"; done; }

peer_pid() { [[ -f $PIDFILE ]] && awk -v n="$1" '$1==n{p=$2} END{if(p)print p}' "$PIDFILE"; }

# true if pid is alive and is a java we started for that peer
_ours() {
  local pid=$1 name=$2 cmd
  [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
  cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline")
  [[ $cmd == *"-Deureka.bench.dir=$BASE "* && $cmd == *"--spring.profiles.active=$name"* ]]
}
pids() { local n p; for n in "${NAMES[@]}"; do p=$(peer_pid "$n"); _ours "$p" "$n" && echo "$p"; done; return 0; }

_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 -H 'Accept: application/json' "$1/eureka/apps" 2>/dev/null || true; }

_launch() { # name
  local name=$1 i j zone=""; i=$(_idx "$name") || return 1
  for j in 0 1 2; do (( j == i )) || zone+="${zone:+,}http://$HOST:${PORTS[$j]}/eureka/"; done
  # shellcheck disable=SC2086
  nohup "$JAVA" $JAVA_HEAP $JAVA_EXTRA -Deureka.bench.dir="$BASE" -jar "$JAR" \
    --spring.profiles.active="$name" --server.port="${PORTS[$i]}" \
    --eureka.client.service-url.defaultZone="$zone" $EUREKA_ARGS >>"$BASE/$name.log" 2>&1 < /dev/null &
  echo "$name $!" >> "$PIDFILE"
  disown "$!" 2>/dev/null || true
}

wait_up() { # [timeout_s]: every peer answers GET /eureka/apps with 200
  local deadline=$(( $(date +%s) + ${1:-$START_TIMEOUT} )) n ok
  while (( $(date +%s) < deadline )); do
    ok=1
    for n in "${NAMES[@]}"; do
      if ! _ours "$(peer_pid "$n")" "$n"; then echo "$n (pid $(peer_pid "$n")) died; see $BASE/$n.log" >&2; return 1; fi
      [[ $(_code "$(url "$n")") == 200 ]] || { ok=0; break; }
    done
    if (( ok )); then echo "eureka cluster up: $(urls | tr '\n' ' ')(logs in $BASE)"; return 0; fi
    sleep 1
  done
  echo "eureka cluster NOT up after ${1:-$START_TIMEOUT}s" >&2
  for n in "${NAMES[@]}"; do echo "$n: HTTP $(_code "$(url "$n")")" >&2; done
  return 1
}

start() {
  local n t0
  if [[ -n $(pids) ]]; then echo "already running ($PIDFILE); run stop first" >&2; return 1; fi
  if [[ ! -f $JAR ]]; then echo "no $JAR: building"; "$HERE/server/build.sh" || return 1; fi
  for n in "${NAMES[@]}"; do
    if [[ $(_code "$(url "$n")") != 000 ]]; then echo "port of $n ($(url "$n")) is already in use" >&2; return 1; fi
  done
  rm -rf "$BASE"; mkdir -p "$BASE"; : > "$PIDFILE"
  t0=$(date +%s)
  for n in "${NAMES[@]}"; do _launch "$n"; done
  wait_up "$START_TIMEOUT" || return 1
  echo "started in $(( $(date +%s) - t0 )) s; pids: $(pids | tr '\n' ' ')"
}

stop() {
  [[ -f $PIDFILE ]] || { echo "no $PIDFILE, nothing to stop"; return 0; }
  local name pid pids=() t alive
  while read -r name pid; do
    if _ours "$pid" "$name"; then kill -TERM "$pid" 2>/dev/null && pids+=("$pid"); fi
  done < "$PIDFILE"
  for t in $(seq 1 200); do   # Spring + Eureka shutdown: up to 20 s, then SIGKILL
    alive=0
    for pid in "${pids[@]}"; do [[ -d /proc/$pid ]] && alive=1; done
    (( alive )) || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do [[ -d /proc/$pid ]] && kill -9 "$pid" 2>/dev/null; done
  echo "stopped pids: ${pids[*]:-none}"
  rm -f "$PIDFILE"
}

status() {
  local n u p code inst apps replicas
  for n in "${NAMES[@]}"; do
    u=$(url "$n"); p=$(peer_pid "$n")
    _ours "$p" "$n" || p="-"
    code=$(_code "$u")
    inst=-; apps=-
    if [[ $code == 200 ]]; then
      # note: /eureka/apps is served from the read-only response cache (up to 30 s old)
      read -r apps inst < <(curl -s --max-time 5 -H 'Accept: application/json' "$u/eureka/apps" |
        jq -r '.applications.application | [length, (map(.instance | length) | add // 0)] | @tsv')
    fi
    replicas=$(curl -s --max-time 3 "$u/" 2>/dev/null | grep -o 'http://127.0.0.1:[0-9]*/eureka/' | sort -u | tr '\n' ' ')
    printf '%s %s pid=%s http=%s apps=%s instances=%s replicas=%s\n' "$n" "$u" "$p" "$code" "$apps" "$inst" "${replicas:-?}"
  done
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  cmd=${1:-}; shift || true
  case $cmd in
    start|stop|status|urls|pids|wait_up) "$cmd" "$@" ;;
    url) url "$@" ;;
    *) sed -n '2,19p' "$0"; exit 2 ;;
  esac
fi
