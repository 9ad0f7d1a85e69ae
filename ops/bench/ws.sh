#!/usr/bin/env bash
# WebSocket benchmark (issue 3): N simulated devices each syncing M changes over their own
# WebSocket into shared cases, against casesync (SQLite and PostgreSQL) and the official Node
# automerge-repo sync server, on this machine in one run; the in-process limit; live push
# latency (one instance, two instances on one PostgreSQL); memory with 10,000 documents.
# Builds in release mode, runs tests/src/bin/bench_ws and writes ops/bench/ws.md.
#
#   bash ops/bench/ws.sh                        # 200 devices x 20 changes, 5 shared cases
#   DEVICES=50 RUNS=3 bash ops/bench/ws.sh
#   SERVERS="node postgres" SKIP="memory" OUT=/tmp/ws.md bash ops/bench/ws.sh
#   BEFORE=/tmp/ws-before.md bash ops/bench/ws.sh   # include an earlier run's results
#
# PostgreSQL: uses TEST_DATABASE_URL when set (each scenario creates a fresh database and
# drops it); otherwise starts a throwaway cluster with ops/services/postgres.sh and stops it
# on exit. Node and the automerge-repo packages come from ops/services/node.sh (npm ci of
# tests/js). A benchmark, not a test: nothing here fails on a slow machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

DEVICES="${DEVICES:-200}"
CHANGES="${CHANGES:-20}"
SHARED="${SHARED:-5}"
RUNS="${RUNS:-1}"
SERVERS="${SERVERS:-node sqlite postgres}"
DOCUMENTS="${DOCUMENTS:-10000}"
SAMPLES="${SAMPLES:-200}"
SKIP="${SKIP:-}" # any of: throughput inprocess latency memory
OUT="${OUT:-ops/bench/ws.md}"
BEFORE="${BEFORE:-}"

# shellcheck source=ops/services/postgres.sh
source ops/services/postgres.sh
# shellcheck source=ops/services/node.sh
source ops/services/node.sh

STARTED_PG=""
WORK="$(mktemp -d "${TMPDIR:-/tmp}/casesync-ws-bench.XXXXXX")"
cleanup() {
  local status=$?
  if [[ -n "$STARTED_PG" ]]; then
    postgres_stop || true
  fi
  rm -rf "$WORK" || true
  exit "$status"
}
trap cleanup EXIT

if [[ -z "${TEST_DATABASE_URL:-}" ]]; then
  export CASESYNC_SERVICES_DIR="$WORK/services"
  STARTED_PG=1
  postgres_start
fi
node_start

cargo build --release --locked -p casesync-server --bin casesync -p casesync-tests --bin bench_ws >&2
# Private copies: a build running meanwhile must not swap the binaries under the run.
cp "${CARGO_TARGET_DIR:-target}/release/casesync" "${CARGO_TARGET_DIR:-target}/release/bench_ws" "$WORK/"
# The figures as JSON lines, kept beside the table (a late failure must not lose a run).
RAW="${OUT%.md}.jsonl"
: >"$RAW"
# What a failed scenario printed, whole (the row quotes its first line).
FAILURES="${OUT%.md}.failures.log"
rm -f "$FAILURES"
# One scenario; a failed one (a server that stopped answering, say) becomes a row saying so,
# and the other scenarios still run.
bench() {
  local out
  # No backtraces: the error's own message is what the row quotes.
  if out="$(RUST_BACKTRACE=0 RUST_LIB_BACKTRACE=0 "$WORK/bench_ws" "$@" --casesync "$WORK/casesync" \
    --node "$CASESYNC_NODE" --json "$RAW" 2>"$WORK/last.err")"; then
    printf '%s\n' "$out"
  else
    printf '[bench] failed: %s (whole error in %s)\n' "$*" "$FAILURES" >&2
    { printf '== bench_ws %s\n' "$*"; cat "$WORK/last.err"; } >>"$FAILURES"
    printf '| failed: `bench_ws %s`: %s |\n' "$*" \
      "$(grep -m 1 '^Error' "$WORK/last.err" | tr '|\n' '/ ' | cut -c1-300)"
  fi
}
skipped() { [[ " $SKIP " == *" $1 "* ]]; }

load="$(cut -d' ' -f1-3 /proc/loadavg)"
SIZE=(--devices "$DEVICES" --changes "$CHANGES" --shared "$SHARED")
THROUGHPUT="" INPROCESS="" LATENCY="" MEMORY=""
if ! skipped throughput; then
  for ((run = 1; run <= RUNS; run++)); do
    for server in $SERVERS; do
      printf '[bench] throughput %s, run %d/%d\n' "$server" "$run" "$RUNS" >&2
      THROUGHPUT+="$(bench throughput --server "$server" "${SIZE[@]}")"$'\n'
    done
  done
fi
if ! skipped inprocess; then
  for ((run = 1; run <= RUNS; run++)); do
    printf '[bench] in-process limit, run %d/%d\n' "$run" "$RUNS" >&2
    INPROCESS+="$(bench inprocess "${SIZE[@]}")"$'\n'
  done
fi
if ! skipped latency; then
  for setup in "sqlite 1" "postgres 1" "postgres 2" "node 1"; do
    read -r server instances <<<"$setup"
    printf '[bench] push latency %s, %s instance(s)\n' "$server" "$instances" >&2
    LATENCY+="$(bench latency --server "$server" --instances "$instances" --samples "$SAMPLES")"$'\n'
  done
fi
if ! skipped memory; then
  for server in sqlite postgres; do
    printf '[bench] memory with %s documents, %s\n' "$DOCUMENTS" "$server" >&2
    MEMORY+="| **$server** | | | | |"$'\n'
    MEMORY+="$(bench memory --server "$server" --documents "$DOCUMENTS" --idle-secs 2)"$'\n'
  done
fi
GOALS="$("$WORK/bench_ws" summary --from "$RAW" 2>/dev/null || true)"

cpu="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
mem="$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
os="$(. /etc/os-release && printf '%s' "$PRETTY_NAME")"
pg="$("$(postgres_bin_dir)/postgres" --version 2>/dev/null | awk '{print $3}' || true)"
# The package's exports do not include package.json: read the file itself.
repo="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version)' tests/js/node_modules/@automerge/automerge-repo/package.json)"
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- sync schema server mobile-contract tests/src ops/bench || echo ' (with uncommitted changes)')"

{
  cat <<EOF
# WebSocket benchmark

Live sync over WebSocket (\`GET /v1/sync/ws\`, automerge-repo protocol v1) against the official
automerge-repo sync server, on one machine in one run. Written by \`ops/bench/ws.sh\`; the
scenarios are in the headers of \`tests/src/bin/bench_ws/*.rs\`.

## Throughput: $DEVICES devices x $CHANGES changes into $SHARED shared cases

One organisation, one reception centre, $DEVICES reception staff with a phone each. Set-up (not
timed): device 0 opens $SHARED shared cases, every device opens a case of its own, then all
devices connect, each on its own WebSocket (one thread each, in the benchmark's process), and
fetch the shared cases. Timed: every device records $CHANGES observations, one automerge change
each, alternately in its own case and in a shared case; it sends each change at once and waits
for the server's acknowledgement (its next sync message whose heads include the change) before
the next, as a phone on a live link does. Every device holds every shared case, so each change
to a shared case is pushed to all $DEVICES devices. **Converged** when every device holds every
change of every shared case (checked by hash); then all devices' heads are compared, the server
is stopped, restarted on the same storage, and a fresh client reads every document back with
the same heads (so every acknowledged change was stored).

The same client code talks to both servers; casesync gets a device token per socket
(\`Authorization: Bearer\`, devices enrolled with \`casesync admin ... --json\`), the Node server
needs none. Each server is a process of its own: *server CPU* is its user + system time
(\`/proc/PID/stat\`) from the start of the timed phase until convergence, *peak RSS* its
\`VmHWM\` over the whole run (set-up included); *MiB up/down* and *frames* are counted by the
clients at the TCP stream (WebSocket frames and headers) during the timed phase.

**Durability.** casesync acknowledges a change only once it is committed (SQLite WAL with
\`synchronous = FULL\`, PostgreSQL with fsync on): its durable throughput is its acknowledged
throughput. The Node server (\`@automerge/automerge-repo\` $repo with \`NodeWSServerAdapter\` and
\`NodeFSStorageAdapter\`, \`ops/bench/node-sync-server.mjs\`) acknowledges a change as soon as it
has merged it in memory and writes it later: saves are throttled per document and go through
\`fs.writeFile\` with no fsync, so an acknowledged change can be lost to a crash for a moment
and to a power cut until the kernel flushes. Its *durable changes/s* counts until its
graceful shutdown after convergence (which flushes every pending save) has finished:
changes / (acked + shutdown time).

| server | devices | changes | acked (s) | acked changes/s | durable changes/s | all converged (s) | server CPU (s) | CPU ms per change (until acked) | peak RSS (MiB) | MiB up | MiB down | frames up | frames down |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${THROUGHPUT}
## In-process limit

The same $((DEVICES * CHANGES)) changes, recorded offline the same way, merged one at a time in arrival order
with no network and no database (\`bench_ws inprocess\`, median of runs in the goals below).

| what | changes | seconds | changes/s |
|---|---|---|---|
${INPROCESS}
## Goals of issue 3

Durable throughput (median of the runs) against the Node server's and against the in-process
limit (automerge \`apply_changes\` alone; the last column against admission without storage).

| server | durable changes/s | Node durable changes/s | ratio to Node | ratio to in-process apply | ratio to in-process admission |
|---|---|---|---|---|---|
${GOALS}

## Live push latency

From the moment one device sends a change until another device, connected to the same case,
holds it; $SAMPLES changes, one at a time (each acknowledged, then 20 ms apart). casesync
gathers pushes for 10 ms (a burst of changes goes out as one message), included here. *Two
instances*: two \`casesync serve\` processes on one PostgreSQL database, the writer on one and
the reader on the other (the change crosses through LISTEN/NOTIFY). *ack* is the writer's own
round trip until the acknowledgement.

| setup | samples | push p50 (ms) | push p99 (ms) | ack p50 (ms) | ack p99 (ms) |
|---|---|---|---|---|---|
${LATENCY}
## Memory with $DOCUMENTS documents

casesync (allocator mimalloc) with \`CASESYNC_IDLE_DOCUMENT_SECS=2\`: four phones create $DOCUMENTS cases over batch sync
(100 per request), then one phone reads every case over one WebSocket (200 requests in flight),
twice, with idle pauses between. RSS of the server process sampled every 100 ms; *loaded* is
\`casesync_documents_loaded\` from \`GET /metrics\` at the end of the phase.

| phase | seconds | peak RSS in phase (MiB) | RSS at end (MiB) | documents loaded at end |
|---|---|---|---|---|
${MEMORY}
## Machine and command

- $(nproc) cores: $cpu; $mem memory; $os; load average $load when the runs began (other work
  on the machine competes with both servers and with the simulated devices)
- $(rustc --version); PostgreSQL ${pg:-?} (fsync on); SQLite bundled; node $(node --version), automerge-repo $repo
- commit $commit, $(date -u +%Y-%m-%d)

\`\`\`sh
DEVICES=$DEVICES CHANGES=$CHANGES SHARED=$SHARED RUNS=$RUNS DOCUMENTS=$DOCUMENTS SAMPLES=$SAMPLES bash ops/bench/ws.sh
\`\`\`
EOF
  if [[ -n "$BEFORE" && -f "$BEFORE" ]]; then
    printf '\n## Before the performance changes\n\n'
    cat "$BEFORE"
  fi
} >"$OUT"
printf '[bench] wrote %s\n' "$OUT" >&2
