#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ensure-docker.sh — make sure a Docker engine answers `docker info` on this machine.
#
# Idempotent; runs as root, non-interactive (CI on a fresh machine).
#  1. installs Debian's docker.io (+ debootstrap, unzip for the stand-ins) when missing (.ci/run
#     installs them beforehand; Compose V2 comes from build-compose.sh, not from apt);
#  2. when no engine answers, starts dockerd in the background, trying storage
#     drivers in order (overlay2, fuse-overlayfs, vfs) and waits (bounded) for it.
#
# Env knobs:
#   DOCKERD_LOG            log file                     (default /var/log/tracelab-dockerd.log)
#   DOCKERD_STORAGE_DRIVERS space-separated try order   (default "overlay2 fuse-overlayfs vfs")
#   DOCKERD_WAIT_SECONDS   wait per attempt             (default 60)
#   DOCKERD_EXTRA_FLAGS    appended to the dockerd command line
set -euo pipefail

log() { printf '[ensure-docker] %s\n' "$*"; }
t0=$(date +%s)

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/tracelab-dockerd.log}
DOCKERD_STORAGE_DRIVERS=${DOCKERD_STORAGE_DRIVERS:-"overlay2 fuse-overlayfs vfs"}
DOCKERD_WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}
DOCKERD_EXTRA_FLAGS=${DOCKERD_EXTRA_FLAGS:-}

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (needs apt-get and dockerd)"; exit 1
fi

# ---------------------------------------------------------------- packages
need=()
command -v dockerd        >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap    >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
command -v unzip          >/dev/null 2>&1 || need+=(unzip)
if [ ${#need[@]} -gt 0 ]; then
  log "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends keeps out apparmor/cgroupfs-mount/git etc.;
  # iptables, containerd, runc and tini come in as hard dependencies.
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  log "installed: ${need[*]}"
else
  log "packages already present (dockerd, debootstrap, unzip)"
fi

# ---------------------------------------------------------------- engine
engine_up() { timeout 10 docker info >/dev/null 2>&1; }

if engine_up; then
  log "engine already answering: $(docker info --format '{{.ServerVersion}} storage={{.Driver}} cgroup={{.CgroupDriver}}' 2>/dev/null)"
  log "done in $(( $(date +%s) - t0 ))s"
  exit 0
fi

# A dockerd process that exists but does not answer (e.g. half-started) is left
# alone if it is not ours; a stale pid file from a dead one is removed.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid
fi
if [ -f /var/run/docker.pid ]; then
  pid=$(cat /var/run/docker.pid)
  log "dockerd pid $pid exists but does not answer yet; waiting up to ${DOCKERD_WAIT_SECONDS}s"
  for _ in $(seq "$DOCKERD_WAIT_SECONDS"); do engine_up && break; sleep 1; done
  if engine_up; then log "engine up"; exit 0; fi
  log "dockerd pid $pid still not answering; see $DOCKERD_LOG"; exit 1
fi

# iptables: Debian's default alternative is iptables-nft; when the kernel lacks
# nf_tables but has the legacy tables (or vice versa), pick the one that works.
iptables_flags=""
if command -v iptables >/dev/null 2>&1; then
  if iptables -t nat -L -n >/dev/null 2>&1; then
    log "iptables ($(readlink -f "$(command -v iptables)" | xargs basename)) works"
  elif command -v iptables-legacy >/dev/null 2>&1 && iptables-legacy -t nat -L -n >/dev/null 2>&1; then
    update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null
    update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >/dev/null 2>&1 || true
    log "switched iptables alternative to iptables-legacy"
  else
    iptables_flags="--iptables=false --ip6tables=false --ip-masq=false"
    log "no working iptables: dockerd runs with $iptables_flags (published ports use docker-proxy)"
  fi
else
  iptables_flags="--iptables=false --ip-masq=false"
fi

mkdir -p "$(dirname "$DOCKERD_LOG")"
started=""
for drv in $DOCKERD_STORAGE_DRIVERS; do
  case $drv in
    overlay2)       grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || { log "skip overlay2: no overlay fs"; continue; } ;;
    fuse-overlayfs) command -v fuse-overlayfs >/dev/null 2>&1 || { log "skip fuse-overlayfs: binary not installed"; continue; } ;;
  esac
  # shellcheck disable=SC2086
  set -- dockerd --storage-driver="$drv" --host=unix:///var/run/docker.sock $iptables_flags $DOCKERD_EXTRA_FLAGS
  log "starting: $* (log: $DOCKERD_LOG)"
  echo "=== $(date -Is) $*" >>"$DOCKERD_LOG"
  nohup setsid "$@" >>"$DOCKERD_LOG" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq "$DOCKERD_WAIT_SECONDS"); do
    engine_up && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if engine_up; then started=$drv; break; fi
  log "dockerd with $drv did not come up; last log lines:"
  tail -n 5 "$DOCKERD_LOG" | sed 's/^/    /'
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  rm -f /var/run/docker.pid
done

if [ -z "$started" ]; then
  log "FAILED: no storage driver worked; see $DOCKERD_LOG"; exit 1
fi
log "engine up: $(docker info --format '{{.ServerVersion}} storage={{.Driver}} cgroup={{.CgroupDriver}}/v{{.CgroupVersion}}' 2>/dev/null) pid=$pid"
log "done in $(( $(date +%s) - t0 ))s"
