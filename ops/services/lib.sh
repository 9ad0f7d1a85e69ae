# shellcheck shell=bash
# Helpers shared by the service scripts in ops/services/. Sourced, never run.
#
# Conventions of every service script (postgres.sh, s3.sh, node.sh, chromium.sh):
#   - `source` it: it defines <name>_ensure (install when missing), <name>_start (start and
#     export TEST_* variables) and, where something runs, <name>_stop. Nothing runs on source.
#   - run it directly (`bash ops/services/postgres.sh start`) to try one service by hand: it
#     prints `export ...` lines (eval-able) and leaves the service running; `... stop` stops it.
#   - The functions never call `exit` and do not rely on `set -e` (bash ignores -e inside a
#     function called from an `if`), so every step checks its own status and `return 1`s.
#   - Runtime state (data, logs, pid files) lives under $CASESYNC_SERVICES_DIR, one folder per
#     service; ops/test.sh creates it and deletes it on exit.

# Guard against double sourcing (every service script sources this file).
if [[ -n "${CASESYNC_LIB_LOADED:-}" ]]; then return 0; fi
CASESYNC_LIB_LOADED=1

casesync_log() { printf '[services] %s\n' "$*" >&2; }
casesync_warn() { printf '[services] WARNING: %s\n' "$*" >&2; }
casesync_err() { printf '[services] ERROR: %s\n' "$*" >&2; }

# Print the last lines of a log file, framed, to stderr: used whenever a start fails, because
# the temp dir holding the log is deleted on exit.
casesync_tail_log() {
  local file="$1" lines="${2:-40}"
  if [[ -s "$file" ]]; then
    printf '[services] ---- last %s lines of %s ----\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" >&2
    printf '[services] ---- end of %s ----\n' "$file" >&2
  fi
}

# The folder for runtime state. ops/test.sh sets it; a service script run by hand gets its own.
# It is made traversable (0711) so that the `postgres` user can reach its own sub-folder.
casesync_services_dir() {
  if [[ -z "${CASESYNC_SERVICES_DIR:-}" ]]; then
    CASESYNC_SERVICES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/casesync-services.XXXXXX")" || return 1
    export CASESYNC_SERVICES_DIR
  fi
  mkdir -p "$CASESYNC_SERVICES_DIR" && chmod 0711 "$CASESYNC_SERVICES_DIR" || return 1
  printf '%s\n' "$CASESYNC_SERVICES_DIR"
}

# Install Debian packages, running `apt-get update` at most once per test run (it is the slow
# part, and a machine that already has everything must not pay for it). Only called for
# packages that were found missing.
casesync_apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    casesync_err "apt-get not found; install by hand: $*"
    return 1
  fi
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
      casesync_err "not root and no sudo; install by hand: apt-get install $*"
      return 1
    fi
  fi
  # apt's output goes to a log (tailed on failure), not into the test output.
  local log
  log="$(casesync_services_dir)/apt.log" || return 1
  # Wait for a concurrent apt/dpkg (e.g. unattended upgrades) instead of failing at once.
  local opts=(-o DPkg::Lock::Timeout=300 -q)
  if [[ -z "${CASESYNC_APT_UPDATED:-}" ]]; then
    casesync_log "apt-get update (once per run; log: $log)"
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" update >>"$log" 2>&1; then
      casesync_err "apt-get update failed"
      casesync_tail_log "$log" 20
      return 1
    fi
    export CASESYNC_APT_UPDATED=1
  fi
  casesync_log "apt-get install $* (log: $log)"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" install -y "$@" >>"$log" 2>&1; then
    casesync_err "apt-get install $* failed"
    casesync_tail_log "$log" 20
    return 1
  fi
}

# A TCP port on 127.0.0.1 that is free right now. The kernel picks it (bind to port 0), so
# two parallel runs do not collide; there is a small window before our server binds it, which
# the start functions cover by retrying on a bind failure.
casesync_free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' && return 0
  fi
  # Fallback without python: random ports until one refuses a connection.
  local port i
  for i in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  return 1
}

# Wait until something accepts TCP connections on 127.0.0.1:$1, for at most $2 seconds.
# Optional $3 is a pid that must stay alive meanwhile (fail fast when the server died).
casesync_wait_port() {
  local port="$1" timeout="${2:-30}" pid="${3:-}" deadline
  deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

# Stop a process by pid: SIGTERM, then SIGKILL after $2 seconds. Only ever our own pid files.
casesync_kill_pid() {
  local pid="$1" grace="${2:-5}" i
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Shared entry point for running a service script by hand:
#   bash ops/services/<name>.sh [start|stop|ensure]
# `start` leaves the service running and prints eval-able exports, including
# CASESYNC_SERVICES_DIR, which `stop` needs (pass it in the environment).
casesync_service_main() {
  local name="$1"
  shift
  local action="${1:-start}"
  case "$action" in
    ensure)
      "${name}_ensure"
      ;;
    start)
      casesync_services_dir >/dev/null || return 1
      "${name}_start" || return 1
      printf 'export CASESYNC_SERVICES_DIR=%q\n' "$CASESYNC_SERVICES_DIR"
      "${name}_print_env"
      ;;
    stop)
      if [[ -z "${CASESYNC_SERVICES_DIR:-}" ]]; then
        casesync_err "set CASESYNC_SERVICES_DIR (printed by start) to stop"
        return 1
      fi
      if declare -F "${name}_stop" >/dev/null; then "${name}_stop"; fi
      # By hand there is no test.sh to delete the state: remove this service's folder, and
      # the whole services dir once the last service is gone.
      rm -rf "${CASESYNC_SERVICES_DIR:?}/$name"
      rmdir "$CASESYNC_SERVICES_DIR" 2>/dev/null || true
      ;;
    *)
      casesync_err "usage: $0 [start|stop|ensure]"
      return 2
      ;;
  esac
}
