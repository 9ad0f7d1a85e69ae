#!/usr/bin/env bash
# The crash loop (tests/src/bin/crash_loop.rs): a real `casesync serve` under a sync storm,
# killed with SIGKILL at random moments and restarted on the same storage, checked after
# every restart. Runs SQLite, PostgreSQL, and PostgreSQL with two instances (one killed per
# cycle), starting PostgreSQL through ops/test.sh's services when TEST_DATABASE_URL is unset.
#
#   bash ops/crash-loop.sh [CYCLES] [--release]    # default 1000 cycles per backend
#   CRASH_LOOP_SEED=42 bash ops/crash-loop.sh 20   # replay a run
#
# Exits non-zero on the first violation (the loop prints the seed and cycle). Figures go in
# docs/RELIABILITY.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

cycles="${1:-1000}"
profile=debug
cargo_flags=()
if [[ "${2:-}" == --release ]]; then
  profile=release
  cargo_flags=(--release)
fi

if [[ -z "${TEST_DATABASE_URL:-}" && -z "${CASESYNC_CRASH_LOOP_INNER:-}" ]]; then
  # Start the test services (PostgreSQL) and come back here with them.
  CASESYNC_CRASH_LOOP_INNER=1 CASESYNC_SKIP="chromium node s3" CASESYNC_SERVICES_ONLY=1 \
    exec bash ops/test.sh bash "$0" "$@"
fi

cargo build --locked "${cargo_flags[@]}" -p casesync-server --bin casesync -p casesync-tests --bin crash_loop
loop="target/$profile/crash_loop"
seed=("${CRASH_LOOP_SEED:+--seed}" "${CRASH_LOOP_SEED:-}")
[[ -n "${CRASH_LOOP_SEED:-}" ]] || seed=()

"$loop" --cycles "$cycles" --backend sqlite "${seed[@]}"
"$loop" --cycles "$cycles" --backend postgres "${seed[@]}"
"$loop" --cycles "$cycles" --backend postgres --instances 2 "${seed[@]}"
