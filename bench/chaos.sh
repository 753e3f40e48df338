#!/usr/bin/env bash
# Long chaos run (docs/chaos.md): N rounds of workload + one fault each against three real node
# processes, every round checked (linearizability per instance, acknowledged writes kept,
# renewing instances not evicted, replicas converge, restarted nodes serve).
#
#   bench/chaos.sh [ROUNDS] [SEED]        # defaults: 50 rounds, random seed
#
# Writes chaos-results/<date>/ (or $CHAOS_RESULTS): report.md, report.json, history.jsonl, the
# nodes' logs, and round-R-<instance>.jsonl for any instance whose history is not linearizable.
# Partition rounds need root, ip netns and iptables (see .ci/run); elsewhere they are skipped.
# Exits non-zero when any round found an anomaly. About 15 s per round on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-50}
seed=${2:-$RANDOM}
out=${CHAOS_RESULTS:-$PWD/chaos-results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"

status=0
mvn -B --no-transfer-progress -pl registry-node -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ChaosIT -Dchaos.rounds="$rounds" -Dchaos.seed="$seed" -Dchaos.results="$out" \
  | grep -E '^chaos:|Tests run:|BUILD|ERROR' || status=$?
if ! grep -q 'anomalies\*\*' "$out/report.md" 2>/dev/null; then
  echo "no report written; see $out/runner.err" >&2
  exit 1
fi
echo
cat "$out/report.md"
echo
echo "results: $out"
grep -q '\*\*0 anomalies\*\*' "$out/report.md"
