// Interop of the official automerge-repo JavaScript client with casesync, driven by the Rust
// end-to-end tests (tests/tests/e2e/live_js.rs). Each scenario prints one JSON line with what
// it saw; the Rust test checks it. Arguments come as a JSON object in argv[2].
import { Repo, cbor, decodeHeads } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import * as A from "@automerge/automerge";

const args = JSON.parse(process.argv[2]);
const deadline = Date.now() + (args.timeoutMs ?? 20000);

function repoFor(token) {
  const url = `${args.wsUrl}?token=${encodeURIComponent(token)}`;
  return new Repo({ network: [new WebSocketClientAdapter(url)], sharePolicy: async () => true });
}

async function until(what, predicate) {
  while (Date.now() < deadline) {
    const value = await predicate();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function serverHas(id, token) {
  const res = await fetch(`${args.httpUrl}/v1/cases/${id}`, { headers: { authorization: `Bearer ${token}` } });
  return res.status === 200 ? res.json() : null;
}

function observation(id, text, device, user, at) {
  return { id, kind: "sighting", text, observed_at: at, place: "station", author: user, device, attachments: [] };
}

// Two JS repos, each with its own device token: A opens a case, B finds it by URL, B adds an
// observation, A sees it live.
async function createAndFind() {
  const a = repoFor(args.tokenA);
  const handle = a.create();
  handle.change((d) => {
    Object.assign(d, {
      schema_version: 1,
      kind: "case",
      case_id: handle.documentId,
      organisation: args.organisation,
      site: args.site,
      created_at: args.now,
      profile: { given_name: "Abena", nationality: "Eritrean" },
      observations: [],
      episodes: [],
      risk_assessments: [],
      checklists: [],
      legal_bases: [],
      referrals: [],
      attachments: [],
    });
  });
  await until("the server to store the case", () => serverHas(handle.documentId, args.tokenB));
  const b = repoFor(args.tokenB);
  const found = await b.find(handle.url);
  const name = found.doc().profile.given_name.toString();
  found.change((d) => {
    d.observations.push(observation("js-b-1", "seen at the port", args.deviceB, args.userB, args.now + 1000));
  });
  await until("A to receive B's observation", () => handle.doc().observations.length === 1);
  const result = {
    url: handle.url,
    foundName: name,
    observationOnA: handle.doc().observations[0].id,
    headsA: A.getHeads(handle.doc()),
    headsB: A.getHeads(found.doc()),
  };
  await until("B and A to agree", () => JSON.stringify(A.getHeads(handle.doc())) === JSON.stringify(A.getHeads(found.doc())));
  result.headsA = A.getHeads(handle.doc());
  result.headsB = A.getHeads(found.doc());
  a.shutdown();
  b.shutdown();
  return result;
}

// A JS repo edits an existing case while a Rust device edits it too; prints its heads once
// it holds `expectObservations` observations.
async function concurrentEdit() {
  const repo = repoFor(args.tokenA);
  const handle = await repo.find(args.url);
  handle.change((d) => {
    d.observations.push(observation("js-obs", "from the JS phone", args.deviceA, args.userA, args.now + 500));
    d.profile.languages = "Tigrinya";
  });
  // Tell the Rust side our edit is made, so its own (offline) edit is truly concurrent.
  (await import("node:fs")).writeFileSync(args.markerFile, "edited");
  await until("every observation", () => handle.doc().observations.length >= args.expectObservations);
  await new Promise((r) => setTimeout(r, 300));
  const result = { heads: A.getHeads(handle.doc()), observations: handle.doc().observations.map((o) => o.id) };
  repo.shutdown();
  return result;
}

// A device of another organisation asks for a case whose URL it knows.
async function outOfScope() {
  const repo = repoFor(args.tokenA);
  let outcome;
  try {
    const handle = await repo.find(args.url);
    outcome = { found: true, keys: Object.keys(handle.doc() ?? {}) };
  } catch (e) {
    outcome = { found: false, error: String(e.message ?? e) };
  }
  repo.shutdown();
  return outcome;
}

// A client adapter that also counts what the stock one only logs or hides: error frames from
// the server and sockets the server closed (the stock adapter reconnects silently, which would
// hide a refusal behind a resync).
class CountingAdapter extends WebSocketClientAdapter {
  closing = false;
  closes = [];
  errors = [];

  connect(peerId, peerMetadata) {
    super.connect(peerId, peerMetadata);
    // Each (re)connection makes a new socket; listen on each.
    this.socket.addEventListener("close", (ev) => {
      if (!this.closing) this.closes.push({ code: ev.code, reason: String(ev.reason ?? "") });
    });
  }

  receiveMessage(bytes) {
    try {
      const message = cbor.decode(new Uint8Array(bytes));
      if (message?.type === "error") this.errors.push(String(message.message));
    } catch {
      // The stock adapter logs undecodable frames; nothing to count here.
    }
    super.receiveMessage(bytes);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Many phones at once, one socket (one Repo) each, every phone appending observations to its
// own case as fast as automerge-repo sends them, never waiting for acknowledgements. Reports
// how many changes the server acknowledged (its heads, as the phone learns them from the sync
// messages it receives), the sockets the server closed and the error frames it sent.
//
// automerge-repo sends a document's local changes at most once per `syncDebounceRate` (100 ms)
// and coalesces what was made in between; `intervalMs` (default 100) between changes makes each
// change go out in its own message. Under load the acknowledgement of a change comes back after
// several more were sent: `maxUnacked` and the acknowledgement latencies show by how much.
async function manyDevices() {
  const interval = args.intervalMs ?? 100;
  const perDevice = args.changesPerDevice;
  const devices = args.devices.map((d, k) => {
    const adapter = new CountingAdapter(`${args.wsUrl}?token=${encodeURIComponent(d.token)}`);
    const repo = new Repo({ network: [adapter], sharePolicy: async () => true });
    return { ...d, k, adapter, repo, hashes: new Map(), madeAt: [], acked: 0, maxUnacked: 0, latencies: [] };
  });

  const findStart = Date.now();
  await Promise.all(
    devices.map(async (dev) => {
      // A phone opens its case once connected: automerge-repo declares a document unavailable
      // when no peer has answered within a second, which a hundred handshakes at once outlast.
      await until("the server to answer the join", () => dev.repo.peers.length > 0);
      try {
        dev.handle = await dev.repo.find(dev.url);
      } catch (e) {
        dev.findError = String(e?.message ?? e);
        return;
      }
      const server = Object.values(dev.repo.peerMetadataByPeerId)[0]?.storageId;
      dev.remoteHeads = server ? dev.handle.getSyncInfo(server)?.lastHeads : undefined;
      // The server's heads, as the phone learns them. The device's history is linear, so the
      // server's single head names the last of its changes that the server acknowledged.
      dev.handle.on("remote-heads", ({ heads }) => {
        dev.remoteHeads = heads;
        const decoded = decodeHeads(heads);
        const index = decoded.length === 1 ? dev.hashes.get(decoded[0]) : undefined;
        if (index === undefined || index + 1 <= dev.acked) return;
        const now = Date.now();
        for (let i = dev.acked; i <= index; i++) dev.latencies.push(now - dev.madeAt[i]);
        dev.acked = index + 1;
      });
    }),
  );
  const findMs = Date.now() - findStart;

  const findErrors = devices.filter((d) => d.findError).map((d) => ({ device: d.k, message: d.findError }));
  const opened = devices.filter((d) => d.handle);

  const start = Date.now();
  await Promise.all(
    opened.map(async (dev) => {
      // Staggered starts spread the phones over the interval instead of all changing at once.
      await sleep(Math.floor((dev.k * interval) / devices.length));
      for (let i = 0; i < perDevice; i++) {
        dev.handle.change((d) => {
          d.observations.push(
            observation(`load-${dev.k}-${i}`, `sighting ${i} from phone ${dev.k}`, dev.deviceId, dev.userId, args.now + i * 1000),
          );
        });
        const heads = A.getHeads(dev.handle.doc());
        dev.hashes.set(heads[0], i);
        dev.madeAt.push(Date.now());
        dev.maxUnacked = Math.max(dev.maxUnacked, i + 1 - dev.acked);
        await sleep(interval);
      }
    }),
  );
  const madeMs = Date.now() - start;

  // Wait until the server's heads reach every phone's heads. A refused change is never
  // acknowledged: once the server has closed a socket or sent an error, stop as soon as
  // acknowledgements stop coming, so the Rust side reports the failure without the deadline.
  const acknowledged = (dev) => {
    const remote = dev.remoteHeads ? decodeHeads(dev.remoteHeads).sort() : [];
    return JSON.stringify(remote) === JSON.stringify(A.getHeads(dev.handle.doc()).sort());
  };
  const failing = () => devices.some((d) => d.adapter.closes.length > 0 || d.adapter.errors.length > 0);
  let progress = -1;
  let progressAt = Date.now();
  let timedOut = false;
  while (!opened.every(acknowledged)) {
    const acked = opened.reduce((n, d) => n + d.acked, 0);
    if (acked !== progress) [progress, progressAt] = [acked, Date.now()];
    if (failing() && Date.now() - progressAt > 5000) break;
    // The test is about every change being acknowledged, not how fast: on a loaded machine
    // (a debug build beside the rest of the suite) acknowledgements come slowly but come.
    // Give up only when none came for `stallMs`, or at the overall deadline.
    const stalled = Date.now() - progressAt > (args.stallMs ?? 60000);
    if (stalled || Date.now() > deadline) {
      timedOut = true;
      break;
    }
    await sleep(50);
  }
  const elapsedMs = Date.now() - start;

  // Acknowledged observations, counted in the document at the server's heads (independent of
  // the latency bookkeeping above).
  const ackedObservations = (dev) => {
    try {
      return dev.remoteHeads ? A.view(dev.handle.doc(), decodeHeads(dev.remoteHeads)).observations.length : 0;
    } catch {
      return 0;
    }
  };
  const latencies = opened.flatMap((d) => d.latencies).sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : null);
  const closes = devices.flatMap((d) => d.adapter.closes.map((c) => ({ device: d.k, ...c })));
  const errors = devices.flatMap((d) => d.adapter.errors.map((message) => ({ device: d.k, message })));
  const result = {
    devices: devices.length,
    changesPerDevice: perDevice,
    intervalMs: interval,
    changesMade: devices.reduce((n, d) => n + d.madeAt.length, 0),
    changesAcknowledged: opened.reduce((n, d) => n + ackedObservations(d), 0),
    devicesFullyAcknowledged: opened.filter(acknowledged).length,
    casesNotFound: findErrors.length,
    firstNotFound: findErrors.slice(0, 5),
    socketsClosedByServer: closes.length,
    errorFrames: errors.length,
    firstCloses: closes.slice(0, 5),
    firstErrors: errors.slice(0, 5),
    maxUnacked: Math.max(0, ...opened.map((d) => d.maxUnacked)),
    ackLatencyMs: { p50: pct(0.5), p95: pct(0.95), max: pct(1) },
    findMs,
    madeMs,
    elapsedMs,
    timedOut,
  };
  for (const dev of devices) {
    dev.adapter.closing = true;
    dev.repo.shutdown();
  }
  return result;
}

const scenarios = { createAndFind, concurrentEdit, outOfScope, manyDevices };
try {
  const result = await scenarios[args.scenario]();
  console.log(JSON.stringify(result));
  process.exit(0);
} catch (e) {
  console.error(e?.stack ?? String(e));
  process.exit(1);
}
