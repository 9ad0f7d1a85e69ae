#!/usr/bin/env bash
# Batch sync benchmark (issue 2): N devices with M offline observations each converge through
# POST /v1/sync, on SQLite and on PostgreSQL. Builds in release mode, runs both backends
# and writes ops/bench/batch.md (results, machine, command).
#
#   bash ops/bench/batch.sh                     # 50 devices x 20 observations, 3 shared cases
#   DEVICES=200 OBSERVATIONS=20 SHARED=5 RUNS=3 bash ops/bench/batch.sh
#   OUT=/tmp/batch.md bash ops/bench/batch.sh   # write the report elsewhere
#
# PostgreSQL: uses TEST_DATABASE_URL when set (a fresh database is created per run and
# dropped after); otherwise starts a throwaway cluster with ops/services/postgres.sh and
# stops it on exit. A benchmark, not a test: nothing here fails on a slow machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

DEVICES="${DEVICES:-50}"
OBSERVATIONS="${OBSERVATIONS:-20}"
SHARED="${SHARED:-3}"
RUNS="${RUNS:-3}"
OUT="${OUT:-ops/bench/batch.md}"

# shellcheck source=ops/services/postgres.sh
source ops/services/postgres.sh

STARTED_PG=""
cleanup() {
  local status=$?
  if [[ -n "$STARTED_PG" ]]; then
    postgres_stop || true
    rm -rf "$CASESYNC_SERVICES_DIR" || true
  fi
  exit "$status"
}
trap cleanup EXIT

if [[ -z "${TEST_DATABASE_URL:-}" ]]; then
  CASESYNC_SERVICES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/casesync-bench.XXXXXX")"
  export CASESYNC_SERVICES_DIR
  STARTED_PG=1
  postgres_start
fi

cargo build --release --locked -p casesync-tests --bin bench_batch >&2
BIN="${CARGO_TARGET_DIR:-target}/release/bench_batch"

# Other work on the machine skews the figures: record how busy it was.
load="$(cut -d' ' -f1-3 /proc/loadavg)"
ARGS=(--devices "$DEVICES" --observations "$OBSERVATIONS" --shared "$SHARED")
ROWS=""
for backend in sqlite postgres; do
  for ((run = 1; run <= RUNS; run++)); do
    printf '[bench] %s run %d/%d\n' "$backend" "$run" "$RUNS" >&2
    ROWS+="$("$BIN" --backend "$backend" "${ARGS[@]}")"$'\n'
  done
done

cpu="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
mem="$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
os="$(. /etc/os-release && printf '%s' "$PRETTY_NAME")"
pg="$("$(postgres_bin_dir)/postgres" --version 2>/dev/null | awk '{print $3}' || true)"
sqlite="$(awk '/^name = "libsqlite3-sys"/ {getline; gsub(/"/, "", $3); print $3}' Cargo.lock)"

cat >"$OUT" <<EOF
# Batch sync benchmark

How long $DEVICES field devices with $OBSERVATIONS offline observations each take to converge
through \`POST /v1/sync\`, on SQLite and on PostgreSQL. Written by \`ops/bench/batch.sh\`;
the scenario is in the header of \`tests/src/bin/bench_batch.rs\`.

## Scenario

One organisation with one reception centre, $DEVICES reception staff with a phone each (their
scope is the centre's cases), $SHARED shared cases that every phone already holds. Offline, every phone opens a case of its own and records $OBSERVATIONS
observations (one automerge change each), alternately in its own case and in a shared case.
Then all phones come online at once (one thread each, CBOR over HTTP/1.1 on loopback) and
sync: each pushes until the server has acknowledged all its changes; once all have pushed,
each pulls until a round brings nothing new (new cases are fetched by id in the following
round). **Converged** means every phone holds all $((SHARED + DEVICES)) cases of the
organisation with exactly the server's heads, which the benchmark checks before it reports.
The server is the real application (actix-web, the sync engine, diesel) in the same process,
with its default pool of 16 connections; every acknowledgement follows a committed
transaction (SQLite WAL, PostgreSQL with fsync on).

## Results

$RUNS runs per backend. *changes* is what the phones made offline (the case each opened plus
its observations); *wall* runs from the first request to the last reply, *push* until the
last phone had all its changes acknowledged (committed); *changes/s* is changes over wall
time; *KiB up/down* are request and response bodies; latency is per request, as a phone sees
it. The phones run in the benchmark's process on the same cores as the server: their own
automerge work (each applies every other phone's changes, about $((DEVICES * (DEVICES - 1) * (OBSERVATIONS + 1))) change
applications in all) competes with the server's for the CPU, mostly in the pull phase.

| backend | devices | observations | shared cases | cases | changes | wall (s) | push (s) | changes/s | requests | KiB up | KiB down | p50 (ms) | p99 (ms) |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
$ROWS
Where the time goes: the push phase is the server admitting and committing (one transaction
per document and request); its cost is mostly the shape check, which reads the whole case
document again for every batch (see \`ops/bench/README.md\`), so shared cases that grow make
later pushes slower. The pull phase is mostly the phones' own automerge work in this process.

## Machine and command

- $(nproc) cores: $cpu; $mem memory; $os; load average $load when the runs began
- $(rustc --version); PostgreSQL ${pg:-?} (throwaway cluster of ops/services/postgres.sh, fsync on); SQLite bundled with libsqlite3-sys ${sqlite}
- commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- sync schema server mobile-contract tests/src ':!tests/src/bin' || echo ' (with uncommitted changes)'), $(date -u +%Y-%m-%d)

\`\`\`sh
DEVICES=$DEVICES OBSERVATIONS=$OBSERVATIONS SHARED=$SHARED RUNS=$RUNS bash ops/bench/batch.sh
\`\`\`
EOF
printf '[bench] wrote %s\n' "$OUT" >&2
