#!/usr/bin/env bash
# A real S3-compatible server for the tests: s3s-fs (crates.io), which stores objects as
# plain files under a root folder.
#
#   source ops/services/s3.sh; s3_start    # exports TEST_S3_* (see s3_print_env)
#   bash ops/services/s3.sh start|stop|ensure
#
# How s3s-fs lays out its root (read from its source, version 0.14.1):
#   - a bucket is a sub-folder of the root: `mkdir ROOT/NAME` creates bucket NAME, exactly as
#     the CreateBucket API does; ListBuckets lists the sub-folders.
#   - object KEY of bucket B is the file ROOT/B/KEY, byte for byte what was PUT (so tests can
#     read ROOT/B/KEY to check that blobs are encrypted at rest).
#   - per-object metadata and checksums are dot-files in ROOT itself
#     (.bucket-<b64 name>.object-<b64 key>.metadata.json / .internal.json), not in the bucket.
#   - requests are path-style (http://host:port/BUCKET/KEY); virtual-hosted style would need
#     --domain. Auth is AWS SigV4 with the one access key/secret given on the command line,
#     any region; requests must carry x-amz-content-sha256.
# We pre-create the bucket TEST_S3_BUCKET (casesync-test). A test that wants its own bucket
# can mkdir a folder under TEST_S3_ROOT or call CreateBucket.

# shellcheck source=ops/services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S3S_FS_VERSION=0.14.1

# The s3s-fs binary: on PATH, or in cargo's bin dir (not always on PATH in CI).
s3_bin() {
  local cand
  for cand in "$(command -v s3s-fs 2>/dev/null)" "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs"; do
    if [[ -n "$cand" && -x "$cand" ]] &&
      [[ "$("$cand" --version 2>/dev/null)" == "s3s-fs $S3S_FS_VERSION" ]]; then
      printf '%s\n' "$cand"
      return 0
    fi
  done
  return 1
}

# Build it with cargo when missing (about 5 minutes on 2 cores, once per machine: it lands in
# ~/.cargo/bin and later runs reuse it). --locked uses the crate's own Cargo.lock; the
# `binary` feature is what builds the executable (clap, tokio, hyper-util).
s3_ensure() {
  s3_bin >/dev/null && return 0
  if ! command -v cargo >/dev/null 2>&1; then
    casesync_err "cargo not found: cannot build s3s-fs"
    return 1
  fi
  local log
  log="$(casesync_services_dir)/s3s-fs-install.log" || return 1
  casesync_log "building s3s-fs $S3S_FS_VERSION with cargo install (several minutes, once per machine; log: $log)"
  if ! cargo install s3s-fs --version "$S3S_FS_VERSION" --locked --features binary >"$log" 2>&1; then
    casesync_err "cargo install s3s-fs failed"
    casesync_tail_log "$log"
    return 1
  fi
  s3_bin >/dev/null || {
    casesync_err "s3s-fs installed but not found in PATH or ${CARGO_HOME:-$HOME/.cargo}/bin"
    return 1
  }
}

# Signed ListBuckets with curl's built-in SigV4: proves the server answers S3, that our key
# pair is accepted and that our bucket is visible. An unsigned request must be refused, which
# proves authentication is on (tests of the blob store rely on real auth).
s3_check() {
  local endpoint="$1" key="$2" secret="$3" bucket="$4" out code
  local empty_sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
  if ! command -v curl >/dev/null 2>&1; then
    casesync_warn "curl not found: only checked that the S3 port answers"
    return 0
  fi
  out="$(curl -sS --max-time 10 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$key:$secret" \
    -H "x-amz-content-sha256: $empty_sha" -w '\n%{http_code}' "$endpoint/" 2>&1)" || {
    casesync_err "S3 check request failed: $out"
    return 1
  }
  code="${out##*$'\n'}"
  if [[ "$code" != 200 || "$out" != *"<Name>$bucket</Name>"* ]]; then
    casesync_err "signed ListBuckets answered $code, expected 200 listing $bucket: $out"
    return 1
  fi
  code="$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$endpoint/")"
  if [[ "$code" != 403 ]]; then
    casesync_err "unsigned request answered $code, expected 403 (is auth off?)"
    return 1
  fi
}

s3_start() {
  s3_ensure || return 1
  local bin dir root log port pid attempt key secret bucket=casesync-test
  bin="$(s3_bin)" || return 1
  dir="$(casesync_services_dir)/s3" || return 1
  root="$dir/root"
  log="$dir/s3s-fs.log"
  mkdir -p "$root/$bucket" || return 1
  # shellcheck disable=SC2034 # read by ops/test.sh to show the log when tests fail
  S3_LOG="$log"
  key=casesync-test
  # A fresh secret per run: nothing depends on it but the variables we export.
  secret="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" || return 1

  for attempt in 1 2 3; do
    port="$(casesync_free_port)" || return 1
    # RUST_LOG=info keeps the "server is running at" line and errors. stdin from /dev/null:
    # CI has none, and the server must not hold the terminal.
    RUST_LOG="${CASESYNC_S3_LOG_LEVEL:-info}" "$bin" --host 127.0.0.1 --port "$port" \
      --access-key "$key" --secret-key "$secret" "$root" >"$log" 2>&1 </dev/null &
    pid=$!
    printf '%s\n' "$pid" >"$dir/pid"
    if casesync_wait_port "$port" 30 "$pid"; then break; fi
    casesync_kill_pid "$pid" 2
    if grep -qi 'address already in use\|AddrInUse' "$log" && ((attempt < 3)); then
      casesync_warn "s3s-fs: port $port taken, retrying"
      continue
    fi
    casesync_err "s3s-fs did not start listening on 127.0.0.1:$port"
    casesync_tail_log "$log"
    return 1
  done

  if ! s3_check "http://127.0.0.1:$port" "$key" "$secret" "$bucket"; then
    casesync_tail_log "$log"
    return 1
  fi
  export TEST_S3_ENDPOINT="http://127.0.0.1:$port"
  export TEST_S3_ACCESS_KEY="$key"
  export TEST_S3_SECRET_KEY="$secret"
  export TEST_S3_REGION=us-east-1
  export TEST_S3_BUCKET="$bucket"
  export TEST_S3_ROOT="$root"
  casesync_log "s3s-fs $S3S_FS_VERSION on 127.0.0.1:$port, root $root (log: $log)"
}

s3_print_env() {
  local v
  for v in TEST_S3_ENDPOINT TEST_S3_ACCESS_KEY TEST_S3_SECRET_KEY TEST_S3_REGION \
    TEST_S3_BUCKET TEST_S3_ROOT; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
}

# Only the pid we recorded; safe to call twice or when never started.
s3_stop() {
  local pid pidfile="${CASESYNC_SERVICES_DIR:-}/s3/pid"
  [[ -n "${CASESYNC_SERVICES_DIR:-}" && -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile")"
  # Never signal a recycled pid that now belongs to someone else.
  if [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == s3s-fs ]]; then
    casesync_kill_pid "$pid" 5
  fi
  rm -f "$pidfile"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  casesync_service_main s3 "$@"
fi
