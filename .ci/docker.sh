# Sourced by .ci/run: a Docker daemon, Compose v2 and a local JRE base image for ComposeClusterIT
# (see docs/operations.md#running-the-compose-test). No image registry is reachable from CI, so the
# base image is built from the Debian mirror with debootstrap; users keep eclipse-temurin:17-jre.
#
# docker_up: installs what is missing, starts dockerd in the background (its PID in DOCKERD_PID),
#   removes containers of an earlier run, builds the base image once, and exports what the tests
#   read: ROSTER_DOCKER=required (ComposeClusterIT then fails instead of skipping) and the base
#   image. (ComposeClusterIT runs the docker compose CLI itself; the two Testcontainers settings
#   are for any test that uses Testcontainers on this machine: no Ryuk image to pull, and a
#   /.dockerenv that would make it look for a gateway.)
# docker_down: removes what the test left and stops the daemon this script started, by PID.

ROSTER_CI_BASE_IMAGE=roster-ci/jre17:bookworm
DOCKERD_PID=
DOCKERD_LOG=${TMPDIR:-/tmp}/roster-ci-dockerd.log

# The Debian mirror this machine's apt already uses (no host is named here).
_debian_mirror() {
  { grep -h -oE '^URIs: *[^ ]+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -h -oE '^deb +(\[[^]]*\] +)?[^ ]+' /etc/apt/sources.list 2>/dev/null | awk '{print $NF}'
  } | grep -v security | head -n 1
}

# Compose v2 is not in Debian 12; Debian 13 packages it. One package, fetched with a separate apt
# state so the system stays on Debian 12; only its CLI plugin binary is installed.
_install_compose_v2() {
  docker compose version >/dev/null 2>&1 && return 0
  local d mirror apt
  d=$(mktemp -d)
  mirror=$(_debian_mirror)
  mkdir -p "$d/state/lists/partial" "$d/cache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$d/sources.list"
  apt=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
       -o "Dir::State=$d/state" -o "Dir::Cache=$d/cache" -o Dir::State::status=/var/lib/dpkg/status)
  apt-get "${apt[@]}" update -qq
  (cd "$d" && apt-get "${apt[@]}" download docker-compose >/dev/null 2>&1)
  dpkg-deb -x "$d"/docker-compose_*.deb "$d/x"
  install -D -m 755 "$d/x/usr/libexec/docker/cli-plugins/docker-compose" /usr/libexec/docker/cli-plugins/docker-compose
  rm -rf "$d"
  docker compose version
}

_build_base_image() {
  docker image inspect "$ROSTER_CI_BASE_IMAGE" >/dev/null 2>&1 && return 0
  local root
  root=$(mktemp -d)
  # one pass: debootstrap mounts /proc for the JRE's post-install itself; curl is what the
  # Dockerfile would install for its health check
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates,curl \
    bookworm "$root" "$(_debian_mirror)" > "$root.log" 2>&1 \
    || { echo "debootstrap failed:"; tail -20 "$root.log"; rm -rf "$root"; return 1; }
  # (not $root/usr/bin/java: that is an absolute symlink, which would test the host's java)
  compgen -G "$root/usr/lib/jvm/*/bin/java" > /dev/null \
    || { echo "debootstrap installed no java"; rm -rf "$root"; return 1; }
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  tar -C "$root" -c . | docker import - "$ROSTER_CI_BASE_IMAGE" >/dev/null
  rm -rf "$root" "$root.log"
}

_remove_compose_leftovers() {
  local ids
  ids=$(docker ps -aq --filter label=com.docker.compose.project=roster)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null
  docker volume ls -q --filter label=com.docker.compose.project=roster | xargs -r docker volume rm >/dev/null
  docker network ls -q --filter label=com.docker.compose.project=roster | xargs -r docker network rm >/dev/null
}

docker_up() {
  local t0=$SECONDS
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null
  fi
  if ! docker info >/dev/null 2>&1; then
    dockerd > "$DOCKERD_LOG" 2>&1 &
    DOCKERD_PID=$!
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { echo "dockerd did not start:"; tail -20 "$DOCKERD_LOG"; return 1; }
  fi
  _install_compose_v2
  _remove_compose_leftovers
  _build_base_image
  export ROSTER_DOCKER=required
  export ROSTER_BASE_IMAGE=$ROSTER_CI_BASE_IMAGE
  export TESTCONTAINERS_RYUK_DISABLED=true
  export TESTCONTAINERS_HOST_OVERRIDE=localhost
  echo "docker ready in $((SECONDS - t0)) s (daemon pid ${DOCKERD_PID:-not ours}, base image $ROSTER_BASE_IMAGE)"
}

docker_down() {
  if docker info >/dev/null 2>&1; then
    _remove_compose_leftovers || true
  fi
  if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    kill "$DOCKERD_PID"
    for _ in $(seq 1 40); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$DOCKERD_PID" 2>/dev/null && kill -9 "$DOCKERD_PID"
    DOCKERD_PID=
  fi
}
