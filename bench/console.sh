#!/usr/bin/env bash
# The web console at scale (docs/benchmarks.md, "The console at scale"): starts the 3-node cluster
# (deploy/local-cluster.sh, HTTP 127.0.0.1:7171-7173, data wiped first), preloads INSTANCES
# instances in APPS applications, then times the console's reads on a follower and the console's
# pages in a headless Chromium (bench/console/console_bench.py), and stops the cluster.
#
#   bench/console.sh            100 000 instances in 1 000 applications, 5 page loads per view
#   bench/console.sh smoke      1 000 instances in 10 applications, 1 load, 20 reads: the tool works
#
# Needs python3, chromium and chromium-driver (apt), and the node's jar (mvn -B -q package -DskipTests).
# Results: bench/results/<UTC date>-console-<commit>/console.json and console.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

MODE=${1:-full}
case "$MODE" in
  full) INSTANCES=${INSTANCES:-100000}; APPS=${APPS:-1000}; LOADS=${LOADS:-5}; READS=${READS:-200} ;;
  smoke) INSTANCES=1000; APPS=10; LOADS=1; READS=20 ;;
  *) echo "usage: bench/console.sh [full|smoke]" >&2; exit 2 ;;
esac

OUT=bench/results/$(date -u +%Y%m%dT%H%M%SZ)-console-$(git rev-parse --short HEAD 2>/dev/null || echo nogit)
mkdir -p "$OUT"
deploy/local-cluster.sh clean > /dev/null
trap 'deploy/local-cluster.sh stop > /dev/null 2>&1 || true' EXIT
# default timings: nothing expires during the run, as in production
JAVA_OPTS=${JAVA_OPTS:--Xmx1g} deploy/local-cluster.sh start
LEADER=$(deploy/local-cluster.sh leader)
FOLLOWER=http://127.0.0.1:7172
[[ $LEADER == "$FOLLOWER" ]] && FOLLOWER=http://127.0.0.1:7173

{
  echo "# console at scale, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null)"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$(chromium --version 2>/dev/null || true)"
  echo
  python3 bench/console/console_bench.py --node "$FOLLOWER" --leader "$LEADER" \
    --instances "$INSTANCES" --apps "$APPS" --loads "$LOADS" --reads "$READS" --out "$OUT"
  echo
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/console.md"
echo "results in $OUT"
