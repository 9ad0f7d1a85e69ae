// The official automerge-repo sync server, as its README sets it up, for the WebSocket
// benchmark against casesync (ops/bench/README.md). Same npm packages and versions as the
// interop tests (tests/js/package.json): run it with tests/js as the module root.
//
//   node ops/bench/node-sync-server.mjs PORT DIR
//
// Listens on 127.0.0.1:PORT (0 picks a free port), stores documents under DIR, prints
// "listening PORT" once it accepts connections, and flushes storage on SIGINT/SIGTERM.
// Like the official server it shares nothing unasked (sharePolicy false) and answers any
// peer: it has no authentication, no admission and no per-device scope.
import { createRequire } from "node:module"
import path from "node:path"
import process from "node:process"

// Resolve the packages from tests/js/node_modules whatever the working directory is.
const here = path.dirname(new URL(import.meta.url).pathname)
const require = createRequire(path.join(here, "../../tests/js/package.json"))
const load = name => import(require.resolve(name))

const [{ Repo }, { NodeWSServerAdapter }, { NodeFSStorageAdapter }] = await Promise.all([
  load("@automerge/automerge-repo"),
  load("@automerge/automerge-repo-network-websocket"),
  load("@automerge/automerge-repo-storage-nodefs"),
])
const { WebSocketServer } = require("ws")

const [portArg, dir] = process.argv.slice(2)
if (portArg === undefined || dir === undefined) {
  console.error("usage: node ops/bench/node-sync-server.mjs PORT STORAGE_DIR")
  process.exit(2)
}

const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(portArg) })
const listening = new Promise(resolve => wss.on("listening", resolve))
// The repo connects its network adapter only once its storage id is read: a socket accepted
// before that gets no handler and is never answered. Say "listening" after both.
const adapter = new NodeWSServerAdapter(wss)
const connected = new Promise(resolve => {
  const connect = adapter.connect.bind(adapter)
  adapter.connect = (...args) => {
    connect(...args)
    resolve()
  }
})
const repo = new Repo({
  network: [adapter],
  storage: new NodeFSStorageAdapter(dir),
  peerId: `node-sync-server-${process.pid}`,
  sharePolicy: async () => false,
})

await Promise.all([listening, connected])
console.log(`listening ${wss.address().port}`)

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  await repo.shutdown()
  wss.close()
  process.exit(0)
}
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
