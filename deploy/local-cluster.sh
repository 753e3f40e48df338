#!/usr/bin/env bash
# A 3-node Roster cluster as plain JVM processes on this machine (no Docker), with the same
# addresses as deploy/docker-compose.yml: HTTP 127.0.0.1:7171-7173, Raft 127.0.0.1:7271-7273.
# Run from the repository root after `mvn -B -q package -DskipTests`.
#
#   deploy/local-cluster.sh start            start the nodes that are not running, wait until ready
#   deploy/local-cluster.sh stop             SIGTERM every node (graceful), SIGKILL after 15 s
#   deploy/local-cluster.sh status           pid, role and leader of each node
#   deploy/local-cluster.sh kill N           SIGKILL node N (1-3), as in a crash
#   deploy/local-cluster.sh term N           SIGTERM node N (graceful shutdown)
#   deploy/local-cluster.sh restart N        stop node N gracefully and start it again
#   deploy/local-cluster.sh start-node N     start node N only
#   deploy/local-cluster.sh logs N           the node's log (follow with: tail -f "$(... logpath N)")
#   deploy/local-cluster.sh logpath N        the path of the node's log
#   deploy/local-cluster.sh leader           the leader's HTTP URL
#   deploy/local-cluster.sh clean            stop, then delete the data directories (not $DATA/tls)
#
# Each node runs `java -jar $ROSTER_JAR -c deploy/nodeN.yml` with its data in roster-data/nodeN
# (relative to the repository root). PIDs are kept in roster-data/nodeN.pid; only those PIDs are
# ever signalled, and only after /proc/PID/cmdline confirms the process is that node.
# Environment: ROSTER_JAR (default registry-node/target/roster-node.jar), JAVA (default java),
# JAVA_OPTS (default -Xmx512m), EXTRA_ARGS (extra flags for every node, e.g. "--expire 5s"),
# ROSTER_TOKEN (a token sent with this script's status requests, for nodes with token files),
# ROSTER_TLS (a directory made by deploy/tls/make-certs.sh: every node serves HTTPS and speaks
# mutual TLS to the others with DIR/nodeN.pem, DIR/nodeN.key and DIR/ca.pem; this script's own
# requests trust DIR/ca.pem and present DIR/client.pem; ROSTER_TLS_CLIENT_CA=1 also requires
# client certificates, --tls-client-ca DIR/ca.pem).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
JAR=${ROSTER_JAR:-registry-node/target/roster-node.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
EXTRA_ARGS=${EXTRA_ARGS:-}
DATA=roster-data
NODES=(1 2 3)

http_port() { echo $((7170 + $1)); }
TLS=${ROSTER_TLS:-}
if [[ -n $TLS ]]; then
  for f in ca.pem node1.pem node1.key node2.pem node2.key node3.pem node3.key client.pem client.key; do
    [[ -f $TLS/$f ]] || { echo "ROSTER_TLS: $TLS/$f missing: run deploy/tls/make-certs.sh $TLS" >&2; exit 2; }
  done
fi
scheme() { if [[ -n $TLS ]]; then echo https; else echo http; fi; }
url() { echo "$(scheme)://127.0.0.1:$(http_port "$1")"; }
# the flags a node gets for TLS (its yml advertises http://, so --advertise is given too)
tls_args() {
  [[ -n $TLS ]] || return 0
  echo "--tls-cert $TLS/node$1.pem --tls-key $TLS/node$1.key --tls-ca $TLS/ca.pem --advertise $(url "$1")"
  [[ -z ${ROSTER_TLS_CLIENT_CA:-} ]] || echo "--tls-client-ca $TLS/ca.pem"
}
CURL_TLS=(); [[ -n $TLS ]] && CURL_TLS=(--cacert "$TLS/ca.pem" --cert "$TLS/client.pem" --key "$TLS/client.key")
pidfile() { echo "$DATA/node$1.pid"; }
logfile() { echo "$DATA/node$1.log"; }

check_node() {
  case "${1:-}" in
    1|2|3) ;;
    *) echo "node must be 1, 2 or 3, got '${1:-}'" >&2; exit 2 ;;
  esac
}

# The PID of node N if it is running and really is that node (not a recycled PID).
pid_of() {
  local f pid
  f=$(pidfile "$1")
  [[ -f $f ]] || return 1
  pid=$(cat "$f")
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "deploy/node$1.yml" || return 1
  echo "$pid"
}

AUTH=(); [[ -n ${ROSTER_TOKEN:-} ]] && AUTH=(-H "Authorization: Bearer $ROSTER_TOKEN")
curl() { command curl ${CURL_TLS[@]+"${CURL_TLS[@]}"} "$@"; }
ready() { curl -fsS -m 1 "$(url "$1")/ready" > /dev/null 2>&1; }

start_node() {
  local n=$1 pid
  if pid=$(pid_of "$n"); then
    echo "node$n already running (pid $pid)"
    return
  fi
  if [[ ! -f $JAR ]]; then
    echo "$JAR not found: build it first with 'mvn -B -q package -DskipTests'" >&2
    exit 1
  fi
  mkdir -p "$DATA"
  # shellcheck disable=SC2086
  nohup "$JAVA" $JAVA_OPTS -jar "$JAR" -c "deploy/node$n.yml" $(tls_args "$n") $EXTRA_ARGS >> "$(logfile "$n")" 2>&1 &
  echo $! > "$(pidfile "$n")"
  echo "node$n started (pid $!, $(url "$n"), log $(logfile "$n"))"
}

wait_ready() {
  local deadline=$((SECONDS + ${READY_TIMEOUT:-60})) n
  for n in "$@"; do
    until ready "$n"; do
      if ! pid_of "$n" > /dev/null; then
        echo "node$n exited; last log lines:" >&2
        tail -n 20 "$(logfile "$n")" >&2 || true
        exit 1
      fi
      if (( SECONDS >= deadline )); then
        echo "node$n not ready after ${READY_TIMEOUT:-60} s" >&2
        exit 1
      fi
      sleep 0.2
    done
  done
}

signal_node() {
  local n=$1 sig=$2 pid
  if pid=$(pid_of "$n"); then
    kill "-$sig" "$pid"
    echo "node$n: sent SIG$sig to pid $pid"
  else
    echo "node$n is not running"
  fi
}

wait_exit() {
  local n=$1 pid deadline=$((SECONDS + 15))
  pid=$(pid_of "$n") || return 0
  while kill -0 "$pid" 2> /dev/null; do
    if (( SECONDS >= deadline )); then
      echo "node$n (pid $pid) still running after 15 s: SIGKILL"
      kill -KILL "$pid" 2> /dev/null || true
      break
    fi
    sleep 0.1
  done
  rm -f "$(pidfile "$n")"
}

status() {
  local n pid s
  for n in "${NODES[@]}"; do
    if pid=$(pid_of "$n"); then
      s=$(curl -fsS -m 1 ${AUTH[@]+"${AUTH[@]}"} "$(url "$n")/cluster/status" 2> /dev/null \
        | sed -E 's/.*"role":"([^"]*)".*"leader":("?[^",]*"?).*/role=\1 leader=\2/' || echo "not answering")
      echo "node$n pid=$pid $(url "$n") $s"
    else
      echo "node$n stopped"
    fi
  done
}

leader() {
  local n
  for n in "${NODES[@]}"; do
    if curl -fsS -m 1 ${AUTH[@]+"${AUTH[@]}"} "$(url "$n")/cluster/status" 2> /dev/null | grep -q '"role":"leader"'; then
      url "$n"
      return 0
    fi
  done
  echo "no leader" >&2
  return 1
}

cmd=${1:-}
case "$cmd" in
  start)
    for n in "${NODES[@]}"; do start_node "$n"; done
    wait_ready "${NODES[@]}"
    echo "cluster ready: leader $(leader)"
    ;;
  start-node)
    check_node "${2:-}"; start_node "$2"; wait_ready "$2" ;;
  stop)
    for n in "${NODES[@]}"; do signal_node "$n" TERM; done
    for n in "${NODES[@]}"; do wait_exit "$n"; done
    ;;
  status) status ;;
  leader) leader ;;
  kill)
    check_node "${2:-}"; signal_node "$2" KILL; rm -f "$(pidfile "$2")" ;;
  term)
    check_node "${2:-}"; signal_node "$2" TERM; wait_exit "$2" ;;
  restart)
    check_node "${2:-}"; signal_node "$2" TERM; wait_exit "$2"; start_node "$2"; wait_ready "$2" ;;
  logs)
    check_node "${2:-}"; cat "$(logfile "$2")" ;;
  logpath)
    check_node "${2:-}"; logfile "$2" ;;
  clean)
    for n in "${NODES[@]}"; do signal_node "$n" TERM; done
    for n in "${NODES[@]}"; do wait_exit "$n"; done
    # certificates made into $DATA/tls (deploy/tls/make-certs.sh) are kept
    if [[ -d $DATA ]]; then find "$DATA" -mindepth 1 -maxdepth 1 ! -name tls -exec rm -rf {} +; fi
    echo "removed the nodes' data, logs and PIDs in $DATA"
    ;;
  *)
    sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
    [[ -z $cmd || $cmd == help || $cmd == -h || $cmd == --help ]] || exit 2
    ;;
esac
