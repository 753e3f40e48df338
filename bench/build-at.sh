#!/usr/bin/env bash
# Builds registry-node's jar as of another commit, for before/after measurements with the same
# tools:  ROSTER_JAR=$(bench/build-at.sh <commit>) bench/run.sh renew
# The commit is checked out in a temporary git worktree (removed afterwards); the jar is kept in
# bench/results/jars/<short-sha>/roster-node.jar and reused on the next call. Prints its path.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
[[ $# == 1 ]] || { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
sha=$(git -C "$ROOT" rev-parse --short "$1^{commit}")
jar=$BENCH/results/jars/$sha/roster-node.jar
if [[ ! -f $jar ]]; then
  wt=$(mktemp -d /tmp/roster-build-XXXXXX)
  trap 'git -C "$ROOT" worktree remove --force "$wt" > /dev/null 2>&1 || true; rm -rf "$wt"' EXIT
  git -C "$ROOT" worktree add --detach "$wt" "$sha" > /dev/null 2>&1
  echo "building $sha ($(git -C "$ROOT" log -1 --format=%s "$sha" | cut -c1-70)) in $wt" >&2
  (cd "$wt" && mvn -B -q ${MVN_OFFLINE:--o} package -DskipTests -pl registry-node -am >&2)
  mkdir -p "$(dirname "$jar")"
  cp "$wt/registry-node/target/roster-node.jar" "$jar"
fi
echo "$jar"
