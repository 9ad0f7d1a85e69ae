#!/usr/bin/env bash
# Missing-alert delivery benchmark (issue 4): from the admission of a `missing` event to the
# alert on each of N connected phones, on SQLite and on PostgreSQL. Builds in release mode,
# runs `casesync serve` as a process of its own with N live WebSocket phones, and writes
# ops/bench/alerts.md (results, machine, command).
#
#   bash ops/bench/alerts.sh                       # 1000 phones, 5 rounds per run
#   DEVICES=300 ROUNDS=3 bash ops/bench/alerts.sh
#   MODES=answer OUT=/tmp/alerts.md bash ops/bench/alerts.sh
#
# MODES: `answer` (phones answer the server as automerge-repo peers do: the real thing) and
# `silent` (phones never answer: the push path alone), both by default.
# PostgreSQL: uses TEST_DATABASE_URL when set (a fresh database per run, dropped after);
# otherwise starts a throwaway cluster with ops/services/postgres.sh and stops it on exit.
# Loopback only; every run is bounded (per-round and set-up timeouts in the benchmark, and
# `timeout` here). A benchmark, not a test: nothing here fails on a slow machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

DEVICES="${DEVICES:-1000}"
ROUNDS="${ROUNDS:-5}"
MODES="${MODES:-answer silent}"
OUT="${OUT:-ops/bench/alerts.md}"

# shellcheck source=ops/services/postgres.sh
source ops/services/postgres.sh

WORK="$(mktemp -d "${TMPDIR:-/tmp}/casesync-alerts-bench.XXXXXX")"
STARTED_PG=""
cleanup() {
  local status=$?
  if [[ -n "$STARTED_PG" ]]; then
    postgres_stop || true
    rm -rf "$CASESYNC_SERVICES_DIR" || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

# Every phone is a socket in the benchmark and one in the server (plus database files and
# connections): raise the open-file limit as far as allowed.
want=$((DEVICES * 2 + 1024))
if (($(ulimit -n) < want)); then
  ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
if (($(ulimit -n) < DEVICES + 256)); then
  printf '[bench] open-file limit %s is too low for %s phones\n' "$(ulimit -n)" "$DEVICES" >&2
  exit 1
fi

if [[ -z "${TEST_DATABASE_URL:-}" ]]; then
  CASESYNC_SERVICES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/casesync-bench.XXXXXX")"
  export CASESYNC_SERVICES_DIR
  STARTED_PG=1
  postgres_start
fi

cargo build --release --locked -p casesync-server --bin casesync \
  -p casesync-tests --bin bench_alerts >&2
# Private copies: other builds in the shared target folder cannot swap them mid-run.
TARGET="${CARGO_TARGET_DIR:-target}/release"
cp "$TARGET/casesync" "$TARGET/bench_alerts" "$WORK/"

load="$(cut -d' ' -f1-3 /proc/loadavg)"
SUMMARY=""
ROWS=""
for backend in sqlite postgres; do
  for mode in $MODES; do
    printf '[bench] %s, phones %s: %s phones, %s rounds\n' "$backend" "$mode" "$DEVICES" "$ROUNDS" >&2
    out="$(timeout 1800 "$WORK/bench_alerts" --casesync "$WORK/casesync" --backend "$backend" \
      --devices "$DEVICES" --rounds "$ROUNDS" --phones "$mode")"
    SUMMARY+="$(grep '^summary|' <<<"$out" | sed 's/^summary|//')"$'\n'
    ROWS+="$(grep '^round|' <<<"$out" | sed 's/^round|//')"$'\n'
  done
done

cpu="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
mem="$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
os="$(. /etc/os-release && printf '%s' "$PRETTY_NAME")"
pg="$("$(postgres_bin_dir)/postgres" --version 2>/dev/null | awk '{print $3}' || true)"
sqlite="$(awk '/^name = "libsqlite3-sys"/ {getline; gsub(/"/, "", $3); print $3}' Cargo.lock)"
dirty="$(git diff --quiet HEAD -- sync schema server mobile-contract tests/src || echo ' (with uncommitted changes)')"

cat >"$OUT" <<EOF
# Missing-alert delivery benchmark

How long after a phone reports a child **missing** the alert is on each of $DEVICES phones
connected over WebSocket, on SQLite and on PostgreSQL. Written by \`ops/bench/alerts.sh\`;
the scenario is in the header of \`tests/src/bin/bench_alerts.rs\`.

## Scenario

\`casesync serve\` runs as a process of its own on 127.0.0.1 with its defaults (2 actix
workers, a pool of 16 database connections, SQLite in WAL mode or PostgreSQL with fsync on).
One organisation, one reception centre; one reporting phone and $DEVICES listening phones of
the centre's staff. The reporter warms up (a child reported missing, then located: the
centre's alert document exists and holds a stood-down alert), opens one case per round,
and finds the alert document in its caseload (\`GET /v1/me\`, then the caseload document).
The listeners then connect, 100 at a time, each on its own WebSocket and OS thread
(automerge-repo protocol v1, blocking reads: a thread wakes when a frame arrives), join and
sync the alert document. Each round the reporter records \`missing\` for another child over
its own WebSocket; each listener notes the instant the new \`missing\` entry for that case
is in its copy of the alert document. Rounds start when the server is idle again.

Two clocks start each delivery:

- **after send**: from the instant the reporter sent the change. This includes the server's
  admission (the change is committed), the derivation (checklist started, alert raised and
  written into the alert document) and the fan-out to every socket.
- **after ack**: from the instant the reporter received the server's acknowledging sync
  message. The server sends it only after the change is committed *and* the alert written,
  so pushes race with it: a negative value means the alert was on that phone before the
  reporter heard its own change was stored.

*first* is the first phone of a round (admission, derivation and one push). Phones
**answer** like any automerge-repo peer (the real protocol: the server handles each answer
and records the delivery); **silent** phones apply what they get and never answer, which
leaves the push path alone. The phones run in the benchmark process on the same 2 cores as
the server; *phones CPU* is what their $DEVICES threads used per round, *server CPU* the
casesync process (PostgreSQL's own processes not included).

## Results

$ROUNDS rounds per run; percentiles over all deliveries of all rounds, in milliseconds.

| backend | phones | devices | rounds | received | after send p50 | p90 | p99 | max | after ack p50 | p90 | p99 | max | first (median of rounds) | server CPU / round (s) | phones CPU / round (s) | server warnings |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
$SUMMARY
Per round (*settled*: from the send until the server was idle again; *threads*: the
server's OS threads after the round, the blocking pool included):

| backend | phones | round | received | after send p50 | p90 | p99 | max | after ack p50 | p90 | p99 | max | first | ack | server CPU (s) | phones CPU (s) | settled (s) | threads |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
$ROWS
## Where the time goes

Read from the code and from a profile of the server during six rounds with 1,000 answering
phones on SQLite (\`perf record -e cpu-clock --call-graph dwarf -p <server pid>\`, taken
on 2026-11-28 on this machine; shares of the server's CPU, inclusive):

1. **Each phone's answer costs the server more than its push.** The server handles every
   sync message a phone sends for the alert document in \`ws::documents::sync_frame\` (60%
   of the server's CPU): access check, a sync step, then
   \`alerts::deliveries::record_held\` (42%), which calls \`record_delivery\` — a write
   transaction (\`BEGIN IMMEDIATE\` on SQLite), 34% — for *every* alert the document holds,
   delivered before or not, on *every* sync message of *every* phone. The cost grows with
   the number of alerts in the site's document times the number of phones. Compare the
   *answer* and *silent* rows: the server CPU per round and the tail (p99) are several
   times those of the push path alone. Recording only the alerts that are new for that
   device (those between its previous and its new heads, which the sync state already
   knows), or one multi-row \`INSERT ... ON CONFLICT DO NOTHING\` per message, removes
   most of it.
2. **Pushes queue on one document lock, each with a database round trip.** Every session
   holding the alert document reacts to \`FeedEvent::Doc\` with a \`web::block\` that calls
   \`Engine::sync_step\`; \`sync_step\` takes the document's mutex and, under it,
   \`LiveDocument::refresh\` queries \`doc_chunks\` (\`chunks_after\`) before generating the
   message. 1,000 sessions means 1,000 identical queries one after another under the same
   lock, and up to 512 blocking threads parked on it (the *threads* column: tokio's
   blocking pool is full). The spread between *first* and *max* in the *silent* rows is
   this queue; it is wider on PostgreSQL, where the query is a network round trip.
   Refreshing once per change (the feed event says the document changed) instead of once
   per session, and generating the pushes of one document in one blocking task, would
   shorten it.
3. **The reporter's acknowledgement waits behind the fan-out.** After writing the alert,
   the server's follow-up (\`record_acks\` reads the alert document) and the rest of the
   derivation need the same document lock and the pool of 16 connections that the pushes
   and answers hold, so *ack* grows with the number of phones (compare *first* with
   *ack*), most on PostgreSQL.

## Machine and command

- $(nproc) cores: $cpu; $mem memory; $os; load average $load when the runs began (the
  machine is shared: other work inflates every figure)
- $(rustc --version); PostgreSQL ${pg:-?}; SQLite bundled with libsqlite3-sys ${sqlite}
- commit $(git rev-parse --short HEAD)$dirty, $(date -u +%Y-%m-%d)

\`\`\`sh
DEVICES=$DEVICES ROUNDS=$ROUNDS MODES="$MODES" bash ops/bench/alerts.sh
\`\`\`
EOF
printf '[bench] wrote %s\n' "$OUT" >&2
