#!/usr/bin/env bash
# The one test command: installs what is missing, starts the services the end-to-end tests
# use, runs the whole workspace's tests, and stops everything on exit.
#
#   bash ops/test.sh                    # cargo test --workspace --locked, then a short
#                                       # crash loop (CRASH_LOOP_CYCLES, default 15)
#   bash ops/test.sh -p casesync-sync   # extra args go to cargo test
#   bash ops/test.sh -- --nocapture     # ... including test-binary args
#   CASESYNC_SERVICES_ONLY=1 bash ops/test.sh [CMD...]
#                                       # start services, print the variables, run CMD (if
#                                       # any) instead of cargo test, then stop them
#
# Services and what they export (see ops/README-testing.md):
#   postgres  TEST_DATABASE_URL
#   postgres_tls  TEST_DATABASE_TLS_URL TEST_DATABASE_TLS_ROOT_CERT (TLS-only cluster)
#   s3        TEST_S3_ENDPOINT TEST_S3_ACCESS_KEY TEST_S3_SECRET_KEY TEST_S3_REGION
#             TEST_S3_BUCKET TEST_S3_ROOT
#   node      CASESYNC_JS_DIR CASESYNC_NODE
#   chromium  CHROMIUM CHROMEDRIVER
#
# With CI=true every service is required: one that cannot start fails the run. Elsewhere a
# failing service is a warning and its variables stay unset, so the tests that need it skip.
# Outside CI, CASESYNC_SKIP="chromium s3" (names separated by spaces or commas) skips
# services on purpose, e.g. to avoid building s3s-fs on a laptop.
# CASESYNC_KEEP_SERVICES_DIR=1 keeps the temp dir (data, logs) after the run, for debugging.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=ops/services/lib.sh
source ops/services/lib.sh
# shellcheck source=ops/services/postgres.sh
source ops/services/postgres.sh
# shellcheck source=ops/services/postgres_tls.sh
source ops/services/postgres_tls.sh
# shellcheck source=ops/services/s3.sh
source ops/services/s3.sh
# shellcheck source=ops/services/node.sh
source ops/services/node.sh
# shellcheck source=ops/services/chromium.sh
source ops/services/chromium.sh

in_ci() { [[ "${CI:-}" == true || "${CI:-}" == 1 ]]; }

# One temp dir for every service's data and logs, deleted on exit.
CASESYNC_SERVICES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/casesync-test.XXXXXX")"
export CASESYNC_SERVICES_DIR
chmod 0711 "$CASESYNC_SERVICES_DIR"

# Runs on every exit, including failures and Ctrl-C: stop servers first (they hold files in
# the dir), then delete the dir. Never fails, and keeps the exit status of the run.
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_child || true
  s3_stop || true
  postgres_tls_stop || true
  postgres_stop || true
  if [[ "${CASESYNC_KEEP_SERVICES_DIR:-}" == 1 ]]; then
    casesync_log "kept $CASESYNC_SERVICES_DIR"
  else
    rm -rf "$CASESYNC_SERVICES_DIR" || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The variables each service exports. A service that fails must leave none of them set (not
# even values inherited from the caller's shell), so the tests skip instead of using them.
declare -A SERVICE_VARS=(
  [postgres]="TEST_DATABASE_URL"
  [postgres_tls]="TEST_DATABASE_TLS_URL TEST_DATABASE_TLS_ROOT_CERT"
  [s3]="TEST_S3_ENDPOINT TEST_S3_ACCESS_KEY TEST_S3_SECRET_KEY TEST_S3_REGION TEST_S3_BUCKET TEST_S3_ROOT"
  [node]="CASESYNC_JS_DIR CASESYNC_NODE"
  [chromium]="CHROMIUM CHROMEDRIVER"
)
SERVICES=(postgres postgres_tls chromium node s3) # quick ones first; s3 may build s3s-fs (minutes)
STARTED=()
FAILED=()

skipped() {
  in_ci && return 1
  [[ " ${CASESYNC_SKIP:-} " == *[\ ,]"$1"[\ ,]* ]]
}

start_service() {
  local name="$1" var
  for var in ${SERVICE_VARS[$name]}; do unset "$var"; done
  if skipped "$name"; then
    casesync_warn "$name skipped (CASESYNC_SKIP); tests needing ${SERVICE_VARS[$name]%% *} will skip"
    return 0
  fi
  # The start functions check every step themselves and print the tail of their log on
  # failure (set -e does not apply inside a function called from `if`).
  if "${name}_start"; then
    STARTED+=("$name")
    return 0
  fi
  for var in ${SERVICE_VARS[$name]}; do unset "$var"; done
  FAILED+=("$name")
  if in_ci; then
    casesync_err "service '$name' could not be started; CI requires every service (see the log above)"
    exit 1
  fi
  casesync_warn "service '$name' could not be started; tests needing ${SERVICE_VARS[$name]%% *} will skip"
}

# Everything a test binary sees, secrets masked (the S3 secret is random per run anyway).
print_env() {
  local name var
  for name in "${SERVICES[@]}"; do
    for var in ${SERVICE_VARS[$name]}; do
      if [[ -z "${!var:-}" ]]; then
        printf '  %-20s (unset: %s not running)\n' "$var" "$name"
      elif [[ "$var" == *SECRET* ]]; then
        printf '  %-20s (set, random per run)\n' "$var"
      else
        printf '  %-20s %s\n' "$var" "${!var}"
      fi
    done
  done
}

# Run cargo test as a background job in its own process group and wait for it. Why:
#  - bash defers traps while a foreground child runs, so a SIGTERM (e.g. from `timeout`) would
#    leave the services up until cargo finished; `wait` is interrupted by the trap instead.
#  - its own process group (job control on just for the spawn) lets cleanup stop cargo, the
#    test binaries and whatever servers they spawned with one signal, and keeps SIGINT
#    working in them (without job control, background jobs ignore SIGINT). Ctrl-C in a
#    terminal reaches this script, whose trap then stops the group.
CHILD_PID=""
run_child() {
  local st=0
  set -m
  "$@" &
  CHILD_PID=$!
  set +m
  wait "$CHILD_PID" || st=$?
  CHILD_PID=""
  return "$st"
}

# Stop the test process group, if running: TERM, then KILL after a grace period.
# shellcheck disable=SC2317 # called from cleanup (trap)
stop_child() {
  [[ -n "${CHILD_PID:-}" ]] || return 0
  kill -TERM -- "-$CHILD_PID" 2>/dev/null || return 0
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 -- "-$CHILD_PID" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$CHILD_PID" 2>/dev/null || true
}

# On a failed test run, the servers' own view (their logs go away with the temp dir).
print_service_logs() {
  [[ -n "${POSTGRES_LOG:-}" ]] && casesync_tail_log "$POSTGRES_LOG" 20
  [[ -n "${POSTGRES_TLS_LOG:-}" ]] && casesync_tail_log "$POSTGRES_TLS_LOG" 20
  [[ -n "${S3_LOG:-}" ]] && casesync_tail_log "$S3_LOG" 20
  return 0
}

casesync_log "services dir $CASESYNC_SERVICES_DIR${CI:+ (CI=$CI)}"

# A one-shot build gains nothing from cargo's incremental cache, which is several GB.
in_ci && export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

# A full disk shows up as an obscure rustc I/O error minutes in; say it first, plainly.
# The cold test build (target/) needs about 3 GB; the services a few hundred MB.
free_kb="$(df -Pk "$ROOT" | awk 'NR == 2 { print $4 }')"
if [[ -n "$free_kb" ]] && ((free_kb < 4 * 1024 * 1024)); then
  casesync_warn "only $((free_kb / 1024)) MB free on the disk of $ROOT; the build needs about 3 GB (target/)"
fi
for service in "${SERVICES[@]}"; do start_service "$service"; done

# Build tools: libpq and OpenSSL are built from source (schema/Cargo.toml), which needs a C
# compiler, make and perl; nothing of PostgreSQL's client library.
for tool in cc make perl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    if in_ci; then
      casesync_err "$tool is missing: the build of libpq and OpenSSL from source needs it"
      exit 1
    fi
    casesync_warn "$tool missing: the build of libpq and OpenSSL from source will fail"
  fi
done

printf '[services] started: %s%s\n' "${STARTED[*]:-none}" "${FAILED:+; FAILED: ${FAILED[*]}}" >&2
print_env >&2

if [[ "${CASESYNC_SERVICES_ONLY:-}" == 1 ]]; then
  (($# == 0)) && exit 0
  casesync_log "running: $*"
  # In the foreground, so that an interactive command (`... ops/test.sh bash`) owns the
  # terminal; a SIGTERM then waits for the command to end before cleanup runs.
  status=0
  "$@" || status=$?
  exit "$status"
fi

status=0
# The tests that start servers as processes (crash recovery, the crash loop) run the
# workspace's binaries: `cargo test` builds test harnesses, not the `casesync` binary itself.
run_child cargo build --workspace --bins --locked || status=$?
if ((status != 0)); then
  casesync_err "cargo build failed (exit $status)"
  exit "$status"
fi
run_child cargo test --workspace --locked "$@" || status=$?
if ((status != 0)); then
  casesync_err "cargo test failed (exit $status)"
  print_service_logs
  exit "$status"
fi

# The short crash loop (the whole test suite only: extra arguments select a part of it).
# `cargo test --workspace` built its binary and the server's; ops/crash-loop.sh runs the long
# one. SQLite, then two PostgreSQL instances with one killed per cycle.
if (($# == 0)) && [[ "${CASESYNC_SKIP_CRASH_LOOP:-}" != 1 ]]; then
  casesync_log "crash loop (short)"
  run_child target/debug/crash_loop --cycles "${CRASH_LOOP_CYCLES:-15}" --backend sqlite || status=$?
  if ((status == 0)) && [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    run_child target/debug/crash_loop --cycles "${CRASH_LOOP_CYCLES:-15}" --backend postgres --instances 2 || status=$?
  fi
  if ((status != 0)); then
    casesync_err "crash loop found a violation (exit $status)"
  fi
fi
exit "$status"
