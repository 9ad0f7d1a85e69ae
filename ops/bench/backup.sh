#!/usr/bin/env bash
# Backup and restore times of a database of N cases (SQLite), for ops/backup.md.
#   bash ops/bench/backup.sh [N=10000] [BINARY=target/release/casesync]
# Starts a server on a fresh data folder, enrols a coordinator (admin import), opens N cases
# through the API (profile only: a lower bound for real cases), then times `casesync backup`
# while the server serves, and `casesync restore` into a new data folder.
set -euo pipefail
N="${1:-10000}"
BIN="${2:-target/release/casesync}"
WORK="$(mktemp -d)"
trap 'kill "${SERVER_PID:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export CASESYNC_DATA_DIR="$WORK/data" CASESYNC_LISTEN="127.0.0.1:$PORT"
printf 'organisation,site,role,name,device\nBench Org,Bench Centre,coordinator,bench,token\n' >"$WORK/staff.csv"
TOKEN="$("$BIN" admin import "$WORK/staff.csv" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print([r for r in d["people"] if r.get("device_token")][0]["device_token"])')"
SITE="Bench Centre"
"$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
python3 - "$PORT" "$TOKEN" "$SITE" "$N" <<'PY'
import json, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
port, token, site, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def create(i):
    body = json.dumps({"site": site, "profile": {"given_name": f"Child {i}", "nationality": "Eritrean",
                       "physical_description": "slim, short black hair", "languages": "Tigrinya"}}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/cases", data=body, method="POST",
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"})
    urllib.request.urlopen(req).read()
start = time.time()
with ThreadPoolExecutor(4) as pool:
    list(pool.map(create, range(n)))
print(f"{n} cases opened in {time.time() - start:.1f} s", file=sys.stderr)
PY
SIZE="$(du -sh "$WORK/data" | cut -f1)"
START=$(date +%s.%N)
"$BIN" backup "$WORK/backup" >/dev/null
BACKUP=$(echo "$(date +%s.%N) - $START" | bc)
START=$(date +%s.%N)
CASESYNC_DATA_DIR="$WORK/restored" bash -c "mkdir -p $WORK/restored && cp $WORK/data/*.key $WORK/restored/ && '$BIN' restore '$WORK/backup' >/dev/null"
RESTORE=$(echo "$(date +%s.%N) - $START" | bc)
printf '| %s cases (profile only), SQLite, data folder %s | backup %.1f s (server serving) | restore %.1f s (with checks) |\n' "$N" "$SIZE" "$BACKUP" "$RESTORE"
