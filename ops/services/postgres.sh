#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests.
#
#   source ops/services/postgres.sh; postgres_start     # exports TEST_DATABASE_URL
#   bash ops/services/postgres.sh start|stop|ensure     # by hand, see lib.sh
#
# The tests connect as the superuser `postgres` (trust auth, loopback only) and CREATE
# DATABASE a fresh database per test, so one cluster serves the whole run. The cluster lives
# in $CASESYNC_SERVICES_DIR/postgres and is deleted with it; nothing touches the machine's
# own cluster (Debian's "main") or port 5432.

# shellcheck source=ops/services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Highest installed major version's bin dir (Debian keeps servers in
# /usr/lib/postgresql/<major>/bin, off PATH). PG_BIN overrides, for non-Debian machines.
postgres_bin_dir() {
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/initdb" ]] && printf '%s\n' "$PG_BIN"
    return
  fi
  local d best=""
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then best="$d"; fi
  done
  [[ -n "$best" ]] && printf '%s\n' "$best"
}

# Server binaries for the cluster (the build needs no libpq-dev: libpq is built from source).
# Installs only what is missing, so a ready machine runs no apt at all.
postgres_ensure() {
  local missing=()
  postgres_bin_dir >/dev/null || missing+=(postgresql)
  ((${#missing[@]} == 0)) && return 0
  casesync_apt_install "${missing[@]}" || return 1
  # Debian's postinst may start its "main" cluster (not in containers with policy-rc.d);
  # we never use it, so do not leave it running behind the test run.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | awk '$4 == "online" {print $1, $2}' |
      while read -r ver name; do pg_ctlcluster "$ver" "$name" stop || true; done
  fi
  postgres_bin_dir >/dev/null || {
    casesync_err "postgresql installed but no server under /usr/lib/postgresql/*/bin"
    return 1
  }
}

# Run a command as the owner of the cluster: PostgreSQL refuses to run as root. A non-root
# developer runs it as themself. `cd /` avoids "could not change directory" noise when the
# current directory is not readable by `postgres`.
postgres_as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

postgres_start() {
  postgres_ensure || return 1
  local bin dir data log port attempt
  bin="$(postgres_bin_dir)" || return 1
  dir="$(casesync_services_dir)/postgres" || return 1
  data="$dir/data"
  log="$dir/postgres.log"
  mkdir -p "$data" "$dir/run" || return 1
  if [[ "$(id -u)" == 0 ]]; then chown -R postgres:postgres "$dir" || return 1; fi
  # shellcheck disable=SC2034 # read by ops/test.sh to show the log when tests fail
  POSTGRES_LOG="$log"

  # --no-locale: C collation, same on every machine, independent of the caller's LANG.
  # -A trust: no password; the server only listens on 127.0.0.1 and a private socket dir.
  if ! postgres_as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale \
    --no-instructions >"$dir/initdb.log" 2>&1; then
    casesync_err "initdb failed"
    casesync_tail_log "$dir/initdb.log"
    return 1
  fi

  # Settings for a test cluster. fsync stays on (tests may check durability claims);
  # max_connections covers parallel test threads each holding a pool. The unix socket goes
  # into our own folder: /var/run/postgresql may not exist (or belong to another cluster).
  cat >>"$data/postgresql.conf" <<EOF

# --- casesync test cluster (ops/services/postgres.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/run'
max_connections = 300
shared_buffers = 128MB
EOF

  # The port is chosen free just before start; if another process grabs it in between, the
  # bind fails and we try another port.
  for attempt in 1 2 3; do
    port="$(casesync_free_port)" || return 1
    : >"$log"
    chown postgres:postgres "$log" 2>/dev/null || true
    if postgres_as_owner "$bin/pg_ctl" start -w -t 60 -D "$data" -l "$log" -o "-p $port" \
      >"$dir/pg_ctl.log" 2>&1; then
      break
    fi
    if grep -q 'could not bind\|Address already in use' "$log" && ((attempt < 3)); then
      casesync_warn "postgres: port $port taken, retrying"
      continue
    fi
    casesync_err "PostgreSQL did not start"
    casesync_tail_log "$dir/pg_ctl.log" 10
    casesync_tail_log "$log"
    return 1
  done
  printf '%s\n' "$port" >"$dir/port"

  # pg_ctl -w says the postmaster is ready; check that TCP + trust auth really work, which is
  # what the tests use.
  local url="postgres://postgres@127.0.0.1:$port/postgres"
  if ! "$bin/psql" "$url" -Atqc 'select 1' >"$dir/check.log" 2>&1; then
    casesync_err "PostgreSQL started but does not answer on $url"
    casesync_tail_log "$dir/check.log" 10
    casesync_tail_log "$log"
    return 1
  fi
  export TEST_DATABASE_URL="$url"
  casesync_log "postgres $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (log: $log)"
}

postgres_print_env() {
  printf 'export TEST_DATABASE_URL=%q\n' "$TEST_DATABASE_URL"
}

# Fast shutdown (disconnects clients); if pg_ctl cannot do it, kill the postmaster by the pid
# in its own pid file. Safe to call twice or when never started.
postgres_stop() {
  local dir="${CASESYNC_SERVICES_DIR:-}/postgres" bin pid
  [[ -n "${CASESYNC_SERVICES_DIR:-}" && -f "$dir/data/postmaster.pid" ]] || return 0
  bin="$(postgres_bin_dir)" || bin=""
  if [[ -n "$bin" ]] &&
    postgres_as_owner "$bin/pg_ctl" stop -m fast -w -t 30 -D "$dir/data" >/dev/null 2>&1; then
    return 0
  fi
  pid="$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null)"
  casesync_warn "pg_ctl stop failed; killing postmaster $pid"
  casesync_kill_pid "$pid" 10
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  casesync_service_main postgres "$@"
fi
