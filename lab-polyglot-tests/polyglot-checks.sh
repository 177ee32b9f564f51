#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2317 # the checks are functions that check() calls by name
# The lab's Go and Node.js code checked the way Surefire checks the Java: run by Maven in
# lab-polyglot-tests' test phase (./mvnw verify), or by hand from anywhere:
#
#   lab-polyglot-tests/polyglot-checks.sh [go] [node:<dir>...]
#
# The parts to run: the arguments, else $POLYGLOT_PARTS (Maven: -Dtracelab.polyglot.parts="go"),
# else all of them: go node:worker-svc/node node:frontend.
#
#   go          gofmt -l (fails when it lists a file), go vet, staticcheck, go test (gotestsum) on ./...
#   node:<dir>  npm ci (when node_modules is missing or older than package.json/package-lock.json),
#               npm run lint (ESLint), npm run typecheck (tsc --noEmit --checkJs), npm test
#               (node --test) with a JUnit reporter beside the spec one
#
# Every part runs even after another failed; the summary names what failed, and the exit status
# is 1 when anything did. JUnit XML lands in $REPORTS_DIR (Maven: lab-polyglot-tests/target/
# surefire-reports): TEST-go.xml, TEST-node-<dir>.xml. Logs of npm ci: <dir>/target/npm-ci.log.
#
# A missing toolchain (Go 1.26+ on PATH or in /usr/local/go/bin; Node.js 20.19+ and npm on PATH or in
# /usr/local/bin, /usr/bin) skips its parts with the reason, unless TRACELAB_TOOLCHAINS=required
# (Maven: -Dtracelab.toolchains=required, as CI runs), which fails them instead.
#
# Environment: STATICCHECK_VERSION, GOTESTSUM_VERSION (Maven passes the root pom's properties;
# both tools come from the Go module proxy through `go run <tool>@<version>`, built once into Go's
# build cache), TRACELAB_TOOLCHAINS (optional|required), REPORTS_DIR, POLYGLOT_PARTS.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPORTS_DIR=${REPORTS_DIR:-$ROOT/lab-polyglot-tests/target/surefire-reports}
TOOLCHAINS=${TRACELAB_TOOLCHAINS:-optional}
STATICCHECK_VERSION=${STATICCHECK_VERSION:?"not set (the root pom property staticcheck.version)"}
GOTESTSUM_VERSION=${GOTESTSUM_VERSION:?"not set (the root pom property gotestsum.version)"}
GO_MIN=1.26
NODE_MIN=20.19 # ESLint 10's minimum; node --test's JUnit reporter needs 20.11

declare -a SUMMARY=()
failed=0
record() { # record STATUS NAME SECONDS [REASON]
  SUMMARY+=("$(printf '%-8s %-40s %5ss  %s' "$1" "$2" "$3" "${4:-}")")
  [ "$1" = FAILED ] && failed=1
  return 0
}
# check DIR NAME CMD...: runs one check in DIR, output as it goes, recorded with its wall time
check() {
  local dir=$1 name=$2 t=$SECONDS; shift 2
  echo; echo "--- $name: $*"
  if (cd "$dir" && "$@"); then
    record ok "$name" $((SECONDS - t))
  else
    record FAILED "$name" $((SECONDS - t))
    return 1
  fi
}
# unavailable NAME REASON: the parts NAME cannot run here; skipped, or failed when required
unavailable() {
  if [ "$TOOLCHAINS" = required ]; then
    echo "$1: $2 and -Dtracelab.toolchains=required is set" >&2
    record FAILED "$1" 0 "$2 (toolchains required)"
  else
    echo "$1: SKIPPED: $2 (-Dtracelab.toolchains=required fails instead)" >&2
    record SKIPPED "$1" 0 "$2"
  fi
}
# find_tool NAME DIR...: the first executable NAME on PATH or in DIR...
find_tool() {
  local name=$1 dir; shift
  local IFS=:
  for dir in $PATH "$@"; do
    [ -n "$dir" ] && [ -x "$dir/$name" ] && { echo "$dir/$name"; return 0; }
  done
  return 1
}
# at_least HAVE MIN: dotted versions, HAVE >= MIN
at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

# ------------------------------------------------------------------------------------------- Go
gofmt_clean() {
  local dirs files
  dirs=$(go list -f '{{.Dir}}' ./...) || return 1
  # shellcheck disable=SC2086 # one directory per word
  files=$(gofmt -l $dirs) || return 1
  [ -z "$files" ] && return 0
  echo "gofmt would change these files (run gofmt -w on them):"
  echo "$files"
  # shellcheck disable=SC2086
  gofmt -d $files | head -200
  return 1
}

go_checks() {
  local go have
  if ! go=$(find_tool go /usr/local/go/bin); then
    unavailable "go" "Go $GO_MIN+ not found on PATH or in /usr/local/go/bin"; return
  fi
  have=$("$go" env GOVERSION 2>/dev/null); have=${have#go}
  if ! at_least "${have:-0}" "$GO_MIN"; then
    unavailable "go" "Go $GO_MIN+ needed, $go is ${have:-unusable}"; return
  fi
  PATH="$(dirname "$go"):$PATH"
  echo "=== Go: $("$go" version)"
  check "$ROOT" "go: gofmt -l" gofmt_clean
  check "$ROOT" "go: go vet" go vet ./...
  check "$ROOT" "go: staticcheck $STATICCHECK_VERSION" go run "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" ./...
  check "$ROOT" "go: go test (gotestsum)" go run "gotest.tools/gotestsum@$GOTESTSUM_VERSION" \
    --format pkgname --junitfile "$REPORTS_DIR/TEST-go.xml" \
    --junitfile-testsuite-name relative --junitfile-testcase-classname relative -- ./...
}

# -------------------------------------------------------------------------------------- Node.js
npm_ci_if_stale() { # in the package's directory
  local installed=node_modules/.package-lock.json
  if [ -f "$installed" ] && [ ! package-lock.json -nt "$installed" ] && [ ! package.json -nt "$installed" ]; then
    echo "node_modules up to date with package-lock.json"
    return 0
  fi
  mkdir -p target
  echo "npm ci (node_modules missing or older than the lockfile; log: $PWD/target/npm-ci.log)"
  if ! npm ci --no-audit --no-fund >target/npm-ci.log 2>&1; then
    tail -40 target/npm-ci.log
    return 1
  fi
}

node_tests() { # in the package's directory; JUnit to $1, the spec reporter to stdout
  # node --test takes no option after its file arguments, so the reporters go in NODE_OPTIONS:
  # package.json's "test" script stays the one definition of what runs (and its --test-timeout
  # fails a test that hangs). A run that still does not end within NODE_TEST_RUN_TIMEOUT fails.
  NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=$1" \
    timeout --kill-after=10s "${NODE_TEST_RUN_TIMEOUT:-900}" npm test
}

node_checks() {
  local dir=$1 name node npm have
  name="node $dir"
  [ -f "$ROOT/$dir/package.json" ] || { record FAILED "$name" 0 "no package.json in $dir"; return; }
  if ! node=$(find_tool node /usr/local/bin /usr/bin); then
    unavailable "$name" "Node.js $NODE_MIN+ not found on PATH or in /usr/local/bin, /usr/bin"; return
  fi
  have=$("$node" --version 2>/dev/null); have=${have#v}
  if ! at_least "${have:-0}" "$NODE_MIN"; then
    unavailable "$name" "Node.js $NODE_MIN+ needed (ESLint 10), $node is ${have:-unusable}"; return
  fi
  if ! npm=$(PATH="$(dirname "$node"):$PATH" find_tool npm); then
    unavailable "$name" "npm not found beside $node or on PATH"; return
  fi
  PATH="$(dirname "$node"):$(dirname "$npm"):$PATH"
  echo; echo "=== Node.js $have, npm $(npm --version): $dir"
  local report="$REPORTS_DIR/TEST-node-${dir//\//-}.xml" pkg="$ROOT/$dir"
  if ! check "$pkg" "$name: npm ci" npm_ci_if_stale; then
    record FAILED "$name: lint, typecheck, test" 0 "not run: npm ci failed"
    return
  fi
  check "$pkg" "$name: eslint" npm run --silent lint
  check "$pkg" "$name: tsc --checkJs" npm run --silent typecheck
  check "$pkg" "$name: node --test" node_tests "$report"
}

# ------------------------------------------------------------------------------------------ main
parts=("$@")
# shellcheck disable=SC2206 # POLYGLOT_PARTS is a space-separated list (Maven: -Dtracelab.polyglot.parts)
[ ${#parts[@]} -gt 0 ] || parts=(${POLYGLOT_PARTS:-go node:worker-svc/node node:frontend})
mkdir -p "$REPORTS_DIR"
t0=$SECONDS
for part in "${parts[@]}"; do
  case "$part" in
    go) go_checks ;;
    node:*) node_checks "${part#node:}" ;;
    *) echo "unknown part '$part' (go, node:<dir>)" >&2; exit 2 ;;
  esac
done

echo
echo "=== polyglot checks ($((SECONDS - t0)) s; JUnit XML in $REPORTS_DIR)"
printf '  %s\n' "${SUMMARY[@]}"
exit "$failed"
