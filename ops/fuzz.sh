#!/usr/bin/env bash
# Coverage-guided fuzzing of what devices send (issue 12): cargo-fuzz (libFuzzer, nightly
# Rust), one target per check of casesync_sync::fuzz_checks (see docs/RELIABILITY.md,
# "Fuzzing"). Targets run one after another, each as one process (no -jobs/-workers):
#
#   bash ops/fuzz.sh                  # each target: 10^7 executions or 2 CPU-hours, whichever first
#   bash ops/fuzz.sh --short          # each target: 60 s (a quick check before a commit)
#   bash ops/fuzz.sh case_sync        # only these targets (repo_frame batch_body case_sync case_doc)
#   FUZZ_SECONDS=240 bash ops/fuzz.sh # another time bound (FUZZ_RUNS: another execution bound)
#   bash ops/fuzz.sh --merge          # afterwards, add the new inputs that reach new edges
#                                     # to fuzz/corpus/<target> (libFuzzer -merge=1, hit
#                                     # counts ignored to keep the corpus small), to commit
#
# Inputs start from fuzz/corpus/<target> (read only); what the fuzzer finds goes to
# $FUZZ_WORK/<target> (default /tmp/casesync-fuzz), kept between runs. A crash is written to
# fuzz/artifacts/<target>/ (not committed): reproduce it with
#   cargo +nightly fuzz run -s none <target> fuzz/artifacts/<target>/crash-...
# fix it, and keep the input in fuzz/artifacts-regressions/<target>/, which the stable test
# sync/tests/fuzz_corpus.rs replays with the corpus.
#
# Builds: release with debug assertions and overflow checks (cargo-fuzz's default), no
# sanitizer (-s none): the code is safe Rust, and libFuzzer still reports panics, aborts,
# stack overflows, timeouts (-timeout, 10 s) and memory over -rss_limit_mb (2048).
#
# Fallback: when cargo-fuzz cannot be installed (`cargo install cargo-fuzz --locked` needs
# nightly for the runs, and a libFuzzer-capable platform), the same checks run under AFL++
# through afl.rs: a binary per target calling `afl::fuzz!(|data: &[u8]| check(data))`,
# built with `cargo afl build --release`, run with
# `cargo afl fuzz -i fuzz/corpus/<target> -o /tmp/afl-<target> -V 7200 target/release/<target>`.
# That fallback is documented, not scripted.
#
# Exit status: 0 when no target crashed, 1 when one did, 2 when the tools are missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ALL_TARGETS=(repo_frame batch_body case_sync case_doc)
runs="${FUZZ_RUNS:-10000000}"
seconds="${FUZZ_SECONDS:-7200}"
merge=0
targets=()
for arg in "$@"; do
  case "$arg" in
    --short) seconds="${FUZZ_SECONDS:-60}" ;;
    --merge) merge=1 ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    -*) echo "unknown option $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=("${ALL_TARGETS[@]}")

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz.sh: needs a nightly toolchain: rustup toolchain install nightly" >&2
  exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: needs cargo-fuzz: cargo install cargo-fuzz --locked (or see the afl.rs fallback above)" >&2
  exit 2
fi

work="${FUZZ_WORK:-/tmp/casesync-fuzz}"
target_dir="${CARGO_TARGET_DIR:-$ROOT/target}/fuzz"
fuzz=(cargo +nightly fuzz)
build_flags=(-s none --target-dir "$target_dir")

# fuzz/Cargo.lock is committed: refuse to run on a lock file cargo would have to change.
cargo +nightly metadata --locked --offline --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null 2>&1 ||
  cargo +nightly metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null

echo "fuzz.sh: building ${targets[*]} (cargo-fuzz $(cargo fuzz --version | awk '{print $2}'), libFuzzer)"
for target in "${targets[@]}"; do
  "${fuzz[@]}" build "${build_flags[@]}" "$target"
done

summary=()
status=0
for target in "${targets[@]}"; do
  mkdir -p "$work/$target" "fuzz/artifacts/$target"
  log="$work/$target.log"
  echo "fuzz.sh: $target: up to $runs executions or $seconds s; log $log"
  start=$(date +%s)
  set +e
  "${fuzz[@]}" run "${build_flags[@]}" "$target" "$work/$target" "fuzz/corpus/$target" -- \
    -runs="$runs" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="fuzz/artifacts/$target/" -print_final_stats=1 >"$log" 2>&1
  code=$?
  set -e
  elapsed=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  corpus=$(find "$work/$target" -type f | wc -l)
  if [[ $code -eq 0 ]]; then
    result=ok
  else
    result="CRASH (exit $code): $(grep -m1 -o 'Test unit written to .*' "$log" || echo "see $log")"
    status=1
  fi
  line="$target: ${execs:-?} executions in ${elapsed}s (${rate:-?}/s), coverage ${cov:-?}, ${corpus} inputs found, $result"
  echo "fuzz.sh: $line"
  summary+=("$line")
  if [[ $merge -eq 1 && $code -eq 0 ]]; then
    before=$(find "fuzz/corpus/$target" -type f | wc -l)
    "${fuzz[@]}" run "${build_flags[@]}" "$target" "fuzz/corpus/$target" "$work/$target" -- \
      -merge=1 -use_counters=0 -timeout=10 >"$work/$target.merge.log" 2>&1
    after=$(find "fuzz/corpus/$target" -type f | wc -l)
    echo "fuzz.sh: $target: merged $((after - before)) new inputs into fuzz/corpus/$target"
  fi
done

echo
echo "fuzz.sh summary ($(date -u +%FT%TZ), -runs=$runs -max_total_time=$seconds per target):"
printf '  %s\n' "${summary[@]}"
exit $status
