#!/usr/bin/env bash
# The official JS automerge-repo client, for the interop tests.
#
#   source ops/services/node.sh; node_start   # exports CASESYNC_JS_DIR, CASESYNC_NODE
#   bash ops/services/node.sh start|ensure
#
# tests/js/package.json pins exact versions and tests/js/package-lock.json is committed, so
# `npm ci` installs the same tree everywhere. Nothing runs as a server: the Rust tests start
# node scripts themselves, with CASESYNC_JS_DIR as working directory (the packages are ESM:
# `import { Repo } from "@automerge/automerge-repo"`).

# shellcheck source=ops/services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

node_js_dir() {
  (cd "$(dirname "${BASH_SOURCE[0]}")/../../tests/js" && pwd)
}

# Node.js and npm come with the machine image; Debian's packages are the fallback.
node_ensure() {
  local missing=()
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  ((${#missing[@]} == 0)) && return 0
  casesync_apt_install "${missing[@]}"
}

# What node_modules was installed from: the lock file and the node major version. When it
# differs from the stamp written after the last `npm ci` (or there is no node_modules), the
# tree is stale and gets reinstalled; otherwise this costs nothing.
node_lock_digest() {
  local js="$1"
  {
    cat "$js/package.json" "$js/package-lock.json"
    node -p 'process.versions.node.split(".")[0]'
  } | sha256sum | cut -d' ' -f1
}

node_start() {
  node_ensure || return 1
  local js digest stamp log
  js="$(node_js_dir)" || {
    casesync_err "tests/js not found"
    return 1
  }
  log="$(casesync_services_dir)/npm-ci.log" || return 1
  stamp="$js/node_modules/.casesync-lock-digest"
  digest="$(node_lock_digest "$js")" || return 1
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$digest" ]]; then
    casesync_log "npm ci in $js (log: $log)"
    if ! (cd "$js" && npm ci --no-audit --no-fund) >"$log" 2>&1; then
      casesync_err "npm ci failed in $js"
      casesync_tail_log "$log"
      return 1
    fi
    printf '%s\n' "$digest" >"$stamp"
  fi

  # The packages must import, as the tests will import them (ESM, from this folder).
  if ! (cd "$js" && node --input-type=module -e '
      import { Repo } from "@automerge/automerge-repo";
      import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
      import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
      import * as Automerge from "@automerge/automerge";
      import { WebSocket } from "ws";
      for (const x of [Repo, WebSocketClientAdapter, NodeFSStorageAdapter, Automerge.from, WebSocket])
        if (typeof x !== "function") throw new Error("missing export");
      const repo = new Repo({ network: [] });
      const handle = repo.create({ ok: 1 });
      if (handle.doc().ok !== 1) throw new Error("automerge-repo does not work");
      process.exit(0);
    ') >"$log.check" 2>&1; then
    casesync_err "the automerge JS packages do not import in $js"
    casesync_tail_log "$log.check"
    # A half-broken tree must not be trusted next time.
    rm -f "$stamp"
    return 1
  fi
  export CASESYNC_JS_DIR="$js"
  CASESYNC_NODE="$(command -v node)"
  export CASESYNC_NODE
  casesync_log "node $(node --version), automerge-repo JS ready in $js"
}

node_print_env() {
  printf 'export CASESYNC_JS_DIR=%q\n' "$CASESYNC_JS_DIR"
  printf 'export CASESYNC_NODE=%q\n' "$CASESYNC_NODE"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  casesync_service_main node "$@"
fi
