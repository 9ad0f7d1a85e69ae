#!/usr/bin/env bash
# A second throwaway PostgreSQL cluster that accepts TLS connections only, for the tests of
# `sslmode` (the connection pool through libpq, the instance bridge through rustls).
#
#   source ops/services/postgres_tls.sh; postgres_tls_start
#       # exports TEST_DATABASE_TLS_URL (no sslmode in it: each test says which it wants)
#       # and TEST_DATABASE_TLS_ROOT_CERT (the PEM of the CA that signed the server)
#   bash ops/services/postgres_tls.sh start|stop|ensure     # by hand, see lib.sh
#
# A CA and a server certificate (for 127.0.0.1 and localhost) are made with the openssl CLI
# at every start, so no key outlives the run. pg_hba rejects every plaintext TCP connection:
# a client that quietly falls back to plaintext fails here instead of passing. Same binaries,
# same trust auth and same layout as ops/services/postgres.sh, in its own folder and port.

# shellcheck source=ops/services/postgres.sh
source "$(dirname "${BASH_SOURCE[0]}")/postgres.sh"

postgres_tls_ensure() {
  postgres_ensure || return 1
  command -v openssl >/dev/null 2>&1 && return 0
  casesync_apt_install openssl
}

# CA, then a server key and certificate signed by it. The server key stays with the cluster
# (PostgreSQL refuses a key readable by others); the CA certificate is what tests trust.
postgres_tls_make_certs() {
  local dir="$1" log="$1/openssl.log"
  : >"$log"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=casesync test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" >>"$log" 2>&1 || return 1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$dir/server.key" -out "$dir/server.csr" >>"$log" 2>&1 || return 1
  printf 'subjectAltName = IP:127.0.0.1, DNS:localhost\nbasicConstraints = CA:FALSE\n' \
    >"$dir/server.ext" || return 1
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" >>"$log" 2>&1 ||
    return 1
  # The CA key is needed for nothing else; the CA certificate must be readable by the tests.
  rm -f "$dir/ca.key" "$dir/server.csr" "$dir/ca.srl"
  chmod 0600 "$dir/server.key" && chmod 0644 "$dir/ca.crt" "$dir/server.crt"
}

postgres_tls_start() {
  postgres_tls_ensure || return 1
  local bin dir data log port attempt
  bin="$(postgres_bin_dir)" || return 1
  dir="$(casesync_services_dir)/postgres_tls" || return 1
  data="$dir/data"
  log="$dir/postgres.log"
  mkdir -p "$data" "$dir/run" "$dir/certs" || return 1
  # shellcheck disable=SC2034 # read by ops/test.sh to show the log when tests fail
  POSTGRES_TLS_LOG="$log"

  if ! postgres_tls_make_certs "$dir/certs"; then
    casesync_err "openssl could not make the test certificates"
    casesync_tail_log "$dir/certs/openssl.log"
    return 1
  fi
  if [[ "$(id -u)" == 0 ]]; then chown -R postgres:postgres "$dir" || return 1; fi

  if ! postgres_as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale \
    --no-instructions >"$dir/initdb.log" 2>&1; then
    casesync_err "initdb failed (TLS cluster)"
    casesync_tail_log "$dir/initdb.log"
    return 1
  fi

  # Smaller than the main cluster: only the TLS tests use it.
  cat >>"$data/postgresql.conf" <<EOF

# --- casesync TLS-only test cluster (ops/services/postgres_tls.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/run'
max_connections = 100
shared_buffers = 32MB
ssl = on
ssl_cert_file = '$dir/certs/server.crt'
ssl_key_file = '$dir/certs/server.key'
EOF
  # TCP only over TLS; the local socket (for pg_ctl) stays as initdb made it.
  cat >"$data/pg_hba.conf" <<EOF
local     all all              trust
hostssl   all all 127.0.0.1/32 trust
hostnossl all all 0.0.0.0/0    reject
EOF

  for attempt in 1 2 3; do
    port="$(casesync_free_port)" || return 1
    : >"$log"
    chown postgres:postgres "$log" 2>/dev/null || true
    if postgres_as_owner "$bin/pg_ctl" start -w -t 60 -D "$data" -l "$log" -o "-p $port" \
      >"$dir/pg_ctl.log" 2>&1; then
      break
    fi
    if grep -q 'could not bind\|Address already in use' "$log" && ((attempt < 3)); then
      casesync_warn "postgres_tls: port $port taken, retrying"
      continue
    fi
    casesync_err "PostgreSQL (TLS cluster) did not start"
    casesync_tail_log "$dir/pg_ctl.log" 10
    casesync_tail_log "$log"
    return 1
  done

  # Check both halves of the promise: TLS with the CA works, plaintext is refused.
  local url="postgres://postgres@127.0.0.1:$port/postgres"
  if ! "$bin/psql" "$url?sslmode=verify-full&sslrootcert=$dir/certs/ca.crt" -Atqc 'select 1' \
    >"$dir/check.log" 2>&1; then
    casesync_err "TLS cluster does not answer over TLS on $url"
    casesync_tail_log "$dir/check.log" 10
    casesync_tail_log "$log"
    return 1
  fi
  if "$bin/psql" "$url?sslmode=disable" -Atqc 'select 1' >>"$dir/check.log" 2>&1; then
    casesync_err "TLS cluster accepted a plaintext connection on $url"
    return 1
  fi
  export TEST_DATABASE_TLS_URL="$url"
  export TEST_DATABASE_TLS_ROOT_CERT="$dir/certs/ca.crt"
  casesync_log "postgres (TLS only) on 127.0.0.1:$port (log: $log)"
}

postgres_tls_print_env() {
  printf 'export TEST_DATABASE_TLS_URL=%q\n' "$TEST_DATABASE_TLS_URL"
  printf 'export TEST_DATABASE_TLS_ROOT_CERT=%q\n' "$TEST_DATABASE_TLS_ROOT_CERT"
}

postgres_tls_stop() {
  local dir="${CASESYNC_SERVICES_DIR:-}/postgres_tls" bin pid
  [[ -n "${CASESYNC_SERVICES_DIR:-}" && -f "$dir/data/postmaster.pid" ]] || return 0
  bin="$(postgres_bin_dir)" || bin=""
  if [[ -n "$bin" ]] &&
    postgres_as_owner "$bin/pg_ctl" stop -m fast -w -t 30 -D "$dir/data" >/dev/null 2>&1; then
    return 0
  fi
  pid="$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null)"
  casesync_warn "pg_ctl stop failed (TLS cluster); killing postmaster $pid"
  casesync_kill_pid "$pid" 10
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  casesync_service_main postgres_tls "$@"
fi
