#!/usr/bin/env bash
# Blob throughput benchmark (issue 6): uploads and downloads through PUT/GET /v1/blobs on the
# local folder and on S3 (s3s-fs), 20 x 5 MB and 200 x 200 KB, one and four clients. Builds
# in release mode and writes ops/bench/blobs.md (results, machine, command).
#
#   bash ops/bench/blobs.sh
#   RUNS=3 OUT=/tmp/blobs.md bash ops/bench/blobs.sh
#
# S3: uses TEST_S3_* when set (ops/services/s3.sh start), otherwise starts s3s-fs (built once
# with cargo install when missing) and stops it on exit. A benchmark, not a test: nothing here
# fails on a slow machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

RUNS="${RUNS:-1}"
OUT="${OUT:-ops/bench/blobs.md}"

# shellcheck source=ops/services/s3.sh
source ops/services/s3.sh

STARTED_S3=""
cleanup() {
  local status=$?
  if [[ -n "$STARTED_S3" ]]; then
    s3_stop || true
    rm -rf "$CASESYNC_SERVICES_DIR" || true
  fi
  exit "$status"
}
trap cleanup EXIT

if [[ -z "${TEST_S3_ENDPOINT:-}" ]]; then
  CASESYNC_SERVICES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/casesync-bench.XXXXXX")"
  export CASESYNC_SERVICES_DIR
  STARTED_S3=1
  s3_start
fi

# BENCH_NO_BUILD=1 reuses the release binary already built (e.g. while the tree is mid-edit).
if [[ -z "${BENCH_NO_BUILD:-}" ]]; then
  cargo build --release --locked -p casesync-tests --bin bench_blobs >&2
fi
BIN="${CARGO_TARGET_DIR:-target}/release/bench_blobs"

# Other work on the machine skews the figures: record how busy it was.
load="$(cut -d' ' -f1-3 /proc/loadavg)"
ROWS=""
for store in local s3; do
  for shape in "20 5000000" "200 200000"; do
    read -r count size <<<"$shape"
    for clients in 1 4; do
      for ((run = 1; run <= RUNS; run++)); do
        printf '[bench] %s %s x %s bytes, %s clients, run %d/%d\n' \
          "$store" "$count" "$size" "$clients" "$run" "$RUNS" >&2
        ROWS+="$("$BIN" --store "$store" --count "$count" --size "$size" --clients "$clients")"$'\n'
      done
    done
  done
done

cpu="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
mem="$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
os="$(. /etc/os-release && printf '%s' "$PRETTY_NAME")"
fs="$(df -T "${TMPDIR:-/tmp}" | awk 'NR == 2 {print $2}')"

cat >"$OUT" <<EOF2
# Blob throughput benchmark

How fast attachments go up and down through \`PUT /v1/blobs/{sha256}\` and
\`GET /v1/blobs/{sha256}\`, on the local folder and on S3. Written by \`ops/bench/blobs.sh\`;
the scenario is in the header of \`tests/src/bin/bench_blobs.rs\`.

## Scenario

The real application (actix-web, SQLite) runs in the benchmark's process on 127.0.0.1; the
clients are blocking HTTP/1.1 clients with keep-alive in the same process, on the same cores.
Each blob is distinct: a JPEG header and incompressible bytes, as a photo is to the server.
An upload includes everything the server does before it answers 201: reading the body (up to
the size limit), SHA-256 of the whole blob against its name, sniffing the type, a fresh data
key wrapped by the master key, ChaCha20-Poly1305 over 64 KiB segments, the write to the
store (local: a file written then renamed; S3: one signed PUT to s3s-fs, which writes a file
and its checksum), and the database row. A download checks that a readable case references
the blob (one case per blob names it as the child's photo), then streams it, fetching and
decrypting 1 MiB at a time; each download is read to the end and compared with what was
uploaded. MB are 10^6 bytes.

## Results

$RUNS run(s) per line. *clients* upload (then download) in parallel, each its share of the
blobs, one after the other.

| store | blobs | clients | MB | upload | download |
|---|---|---|---|---|---|
$ROWS
## Reading the figures

- The machine is shared (other builds ran alongside: see the load average below); the
  server and the clients share its 2 cores, so these are floors, not ceilings.
- Uploads cost about the same on both stores: the server's own work (SHA-256, encryption,
  one write) dominates.
- Small S3 downloads are bounded by s3s-fs itself: on a kept-alive connection it answers each
  GET after about 40 ms (curl shows the same against it: a delayed-acknowledgement stall on
  its side), and a download is one GET. Large downloads amortise it; a production S3 service
  does not stall like this.

## Machine and command

- $(nproc) cores: $cpu; $mem memory; $os; temp folder on $fs; load average $load when the runs began
- $(rustc --version); s3s-fs $S3S_FS_VERSION on loopback
- commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- server schema tests/src || echo ' (with uncommitted changes)'), $(date -u +%Y-%m-%d)

\`\`\`sh
RUNS=$RUNS bash ops/bench/blobs.sh
\`\`\`
EOF2
printf '[bench] wrote %s\n' "$OUT" >&2
