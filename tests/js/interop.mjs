// Interop of the official automerge-repo JavaScript client with casesync, driven by the Rust
// end-to-end tests (tests/tests/e2e/live_js.rs). Each scenario prints one JSON line with what
// it saw; the Rust test checks it. Arguments come as a JSON object in argv[2].
import { Repo } from "@automerge/automerge-repo";
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

const scenarios = { createAndFind, concurrentEdit, outOfScope };
try {
  const result = await scenarios[args.scenario]();
  console.log(JSON.stringify(result));
  process.exit(0);
} catch (e) {
  console.error(e?.stack ?? String(e));
  process.exit(1);
}
