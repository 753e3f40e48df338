#!/usr/bin/env bash
# Failover benchmark in a network namespace (docs/benchmarks.md, failover): three real node
# processes started by the chaos suite's runner, one leader fault per trial, then writes (a
# register every ~20 ms, alternately to the two survivors, following 307s) until one is
# acknowledged. Failover time = that answer - the moment the fault was complete.
#
#   bench/failover-netns.sh [FAULT] [TRIALS]     # defaults: blackhole-leader, 10 trials (at most 50)
#
# FAULT is a chaos fault aimed at the leader: blackhole-leader (every packet to and from its
# address dropped, needs root, ip netns and iptables), kill-leader (SIGKILL), pause-leader,
# terminate-leader, isolate-leader. Loopback inside the namespace only; the namespace, and every
# process the run started (by PID), are removed at the end. Bounded: 20 s per trial at most for
# the first write, 180 + 150 s per trial for the whole run. A benchmark: nothing asserts a time.
#
# Writes failover-results/<fault>-<date>/ (or $FAILOVER_RESULTS): failover.md (every trial,
# median, max), failover.json, trial-N.jsonl (every write attempt), node logs, runner.out/err.
set -euo pipefail
cd "$(dirname "$0")/.."

fault=${1:-blackhole-leader}
trials=${2:-10}
if ! [[ $trials =~ ^[0-9]+$ ]] || (( trials < 1 || trials > 50 )); then
  echo "TRIALS must be 1..50" >&2
  exit 2
fi
out=${FAILOVER_RESULTS:-$PWD/failover-results/$fault-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
jar=registry-node/target/roster-node.jar
[[ -f $jar ]] || mvn -B -q -pl registry-node -am package -DskipTests
# the nodes run from a copy: a build while the benchmark runs cannot swap the jar under them
cp "$jar" "$out/roster-node.jar"
{
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- registry-node/src || echo ' (+ uncommitted changes)')"
  echo "jar sha256: $(sha256sum "$out/roster-node.jar" | cut -c1-16)"
  echo "date: $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), $(java -version 2>&1 | head -1)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/meta.txt"

status=0
mvn -B --no-transfer-progress -pl registry-node -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ChaosIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dchaos.failoverTrials="$trials" -Dchaos.failoverFault="$fault" \
  -Dchaos.jar="$out/roster-node.jar" -Dchaos.results="$out" \
  | grep -E '^chaos:|Tests run:|BUILD|ERROR' || status=$?
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/meta.txt"
if [[ ! -f $out/failover.md ]]; then
  echo "no report written; see $out/runner.err" >&2
  exit 1
fi
{ echo; cat "$out/meta.txt"; } >> "$out/failover.md"
echo
cat "$out/failover.md"
echo
echo "results: $out"
exit "$status"
