//! The case endpoints of the authorization matrix as descriptors ([`CaseProbe`]): how to
//! send each as a caller about a case, and what the oracle (DOMAIN.md) expects of it. Another
//! sync path (the WebSocket's message types) joins the matrix by adding descriptors whose
//! `send` speaks that path and maps its answers onto [`Answer`] (e.g. `doc-unavailable` as
//! 404).

use automerge::ActorId;
use casesync_contract::case::{self, CaseLog, Millis, NewCase, Observation, Str};
use casesync_contract::wire::{DocumentPush, SyncRequest, SyncResponse};
use casesync_contract::{DocumentId, Role};
use casesync_tests::server::T0;
use serde_json::{json, Value};

use super::authz_matrix::{sees, Side, Who};
use super::authz_world::{share_body, Answer, Relation, World};

/// What the oracle expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// This status (the action is allowed).
    Status(u16),
    /// 403 `forbidden`: the caller sees the case but its role may not do this.
    Forbidden,
    /// Exactly the answer for a case that does not exist.
    Hidden,
    /// 401, the same for every target.
    Unauthorized,
}

type Send = Box<dyn Fn(&World, &Who, &DocumentId, &str) -> Answer>;
type Oracle = Box<dyn Fn(&Who, Relation) -> Expect>;
type Prepare = Box<dyn Fn(&World, &Who, &DocumentId) -> String>;

/// One endpoint of the matrix, about one case.
pub struct CaseProbe {
    pub name: &'static str,
    /// Sends it as `who` about case `id`; `aux` names a sub-resource (user, share).
    pub send: Send,
    pub expect: Oracle,
    /// The allowed request changes who sees the case: run it on a fresh case of the same
    /// relation, after `prepare` (which returns `aux`).
    pub mutates: bool,
    pub prepare: Option<Prepare>,
    /// `aux` for requests that are not prepared.
    pub default_aux: fn(&World, &Who) -> String,
    /// Relations the probe does not apply to.
    pub skip: &'static [Relation],
    /// How to ask the same about a case that does not exist, when `send` cannot (a write to
    /// an unknown id would open a new case).
    pub baseline: Option<Send>,
}

fn reader(status: u16) -> Oracle {
    Box::new(move |who, relation| match who.role() {
        None => Expect::Unauthorized,
        Some(_) if !sees(who, relation) => Expect::Hidden,
        Some(_) => Expect::Status(status),
    })
}

fn coordinator(status: u16) -> Oracle {
    Box::new(move |who, relation| match who.role() {
        None => Expect::Unauthorized,
        Some(_) if !sees(who, relation) => Expect::Hidden,
        Some(Role::Coordinator) => Expect::Status(status),
        Some(_) => Expect::Forbidden,
    })
}

/// Decisions about a case stay with the owning organisation's coordinators.
fn owner(status: u16) -> Oracle {
    Box::new(move |who, relation| match who.role() {
        None => Expect::Unauthorized,
        Some(_) if !sees(who, relation) => Expect::Hidden,
        Some(Role::Coordinator) if who.side == Side::A => Expect::Status(status),
        Some(_) => Expect::Forbidden,
    })
}

fn http(method: &'static str, path: &'static str, body: fn(&World, &Who) -> Option<Value>) -> Send {
    Box::new(move |world, who, id, aux| {
        let path = path.replace("{id}", &id.to_string()).replace("{aux}", aux);
        world.send(method, &path, who.token(), body(world, who))
    })
}

fn no_body(_: &World, _: &Who) -> Option<Value> {
    None
}

fn no_aux(_: &World, _: &Who) -> String {
    String::new()
}

/// The caller's own organisation's outreach worker: the user coordinators assign.
fn own_outreach(world: &World, who: &Who) -> String {
    let org = if who.side == Side::A {
        &world.a
    } else {
        &world.b
    };
    org.member(Role::OutreachWorker).user_id.clone()
}

/// Batch sync of one document: 200 when it comes back `ok`, 404 when it comes back
/// `unavailable` and listed for removal; the body is the reply without its id.
fn batch(world: &World, who: &Who, id: &DocumentId, changes: Vec<Vec<u8>>) -> Answer {
    let body = serde_json::to_value(SyncRequest {
        include_new: false,
        documents: vec![DocumentPush {
            id: *id,
            heads: vec![],
            changes,
        }],
        scope_digest: None,
    })
    .unwrap();
    let answer = world.send("POST", "/v1/sync", who.token(), Some(body));
    if answer.status != 200 {
        return answer;
    }
    let response: SyncResponse = serde_json::from_str(&answer.body).unwrap();
    let mut reply = serde_json::to_value(&response.documents[0]).unwrap();
    reply.as_object_mut().unwrap().remove("id");
    let status = match reply["status"].as_str() {
        Some("ok") => 200,
        Some("unavailable") if response.removed_documents.contains(id) => 404,
        _ => 500,
    };
    Answer {
        status,
        body: reply.to_string(),
    }
}

/// An observation appended to the case as a device of `who` would write it (a new case
/// under this id when the server has no copy).
fn observation_change(world: &World, who: &Who, id: &DocumentId) -> Vec<Vec<u8>> {
    let actor = ActorId::random();
    let base = world.server.state.engine.read(id, |d| d.fork()).unwrap();
    let mut doc = match base {
        Some(doc) => automerge::AutoCommit::load(&doc.save())
            .unwrap()
            .with_actor(actor),
        None => case::new_case_document(
            &NewCase {
                case_id: *id,
                organisation: who.member.as_ref().unwrap().organisation_id.clone(),
                site: String::new(),
                jurisdiction: None,
                created_at: T0,
                profile: Default::default(),
            },
            actor,
        )
        .unwrap(),
    };
    let before = doc.get_heads();
    let obs = Observation {
        id: Str::from(format!("obs-{}", uuid::Uuid::new_v4()).as_str()),
        kind: Str::from("sighting"),
        text: Str::from("seen near the station"),
        observed_at: Millis(T0),
        place: None,
        // Named as the device itself names its entries: admission checks it.
        author: Str(who
            .member
            .as_ref()
            .map(|m| m.user_id.clone())
            .unwrap_or_default()),
        device: Str(who
            .member
            .as_ref()
            .map(|m| m.device_id.clone())
            .unwrap_or_default()),
        attachments: None,
        provenance: None,
    };
    case::append(&mut doc, CaseLog::Observations, &obs).unwrap();
    doc.commit();
    doc.get_changes(&before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect()
}

/// Every case endpoint. Add descriptors here to put more of the API in the matrix.
pub fn case_probes() -> Vec<CaseProbe> {
    let probe = |name, send, expect| CaseProbe {
        name,
        send,
        expect,
        mutates: false,
        prepare: None,
        default_aux: no_aux,
        skip: &[],
        baseline: None,
    };
    vec![
        probe(
            "GET case",
            http("GET", "/v1/cases/{id}", no_body),
            reader(200),
        ),
        probe(
            "GET timeline",
            http("GET", "/v1/cases/{id}/timeline", no_body),
            reader(200),
        ),
        probe(
            "GET conflicts",
            http("GET", "/v1/cases/{id}/conflicts", no_body),
            reader(200),
        ),
        probe(
            "GET export",
            http("GET", "/v1/cases/{id}/export", no_body),
            owner(200),
        ),
        probe(
            "GET export html",
            http("GET", "/v1/cases/{id}/export?format=html", no_body),
            owner(200),
        ),
        CaseProbe {
            mutates: true,
            ..probe(
                "POST assignments",
                http("POST", "/v1/cases/{id}/assignments", |w, who| {
                    Some(json!({ "user": own_outreach(w, who) }))
                }),
                coordinator(201),
            )
        },
        CaseProbe {
            mutates: true,
            prepare: Some(Box::new(|w, who, id| {
                let user = own_outreach(w, who);
                w.assign(who.token().unwrap(), id, &user);
                user
            })),
            default_aux: own_outreach,
            ..probe(
                "DELETE assignment",
                http("DELETE", "/v1/cases/{id}/assignments/{aux}", no_body),
                coordinator(204),
            )
        },
        CaseProbe {
            mutates: true,
            ..probe(
                "POST shares",
                http("POST", "/v1/cases/{id}/shares", |w, _| {
                    Some(share_body(&w.b.name))
                }),
                owner(201),
            )
        },
        CaseProbe {
            mutates: true,
            prepare: Some(Box::new(|w, _, id| w.share_with_b(id).0)),
            default_aux: |_, _| "00000000-0000-4000-8000-000000000000".into(),
            ..probe(
                "DELETE share",
                http("DELETE", "/v1/cases/{id}/shares/{aux}", no_body),
                owner(200),
            )
        },
        CaseProbe {
            mutates: true,
            ..probe(
                "POST legal-hold",
                http("POST", "/v1/cases/{id}/legal-hold", |_, _| {
                    Some(json!({ "reason": "criminal proceedings" }))
                }),
                owner(200),
            )
        },
        CaseProbe {
            mutates: true,
            prepare: Some(Box::new(|w, who, id| {
                w.expect(
                    200,
                    "POST",
                    &format!("/v1/cases/{id}/legal-hold"),
                    who.token().unwrap(),
                    Some(json!({ "reason": "court order" })),
                );
                String::new()
            })),
            ..probe(
                "DELETE legal-hold",
                http("DELETE", "/v1/cases/{id}/legal-hold", no_body),
                owner(200),
            )
        },
        CaseProbe {
            mutates: true,
            ..probe(
                "POST retention",
                http("POST", "/v1/cases/{id}/retention", |_, _| {
                    Some(json!({ "class": "short" }))
                }),
                owner(200),
            )
        },
        CaseProbe {
            mutates: true,
            ..probe(
                "DELETE case",
                http("DELETE", "/v1/cases/{id}", no_body),
                owner(200),
            )
        },
        probe(
            "POST sync (read)",
            Box::new(|w, who, id, _| batch(w, who, id, vec![])),
            reader(200),
        ),
        CaseProbe {
            // Pushing changes for an unknown id opens a new case: not an access to anything.
            skip: &[Relation::Unknown],
            baseline: Some(Box::new(|w, who, id, _| batch(w, who, id, vec![]))),
            ..probe(
                "POST sync (write)",
                Box::new(|w, who, id, _| {
                    let changes = match who.member {
                        Some(_) => observation_change(w, who, id),
                        None => vec![],
                    };
                    batch(w, who, id, changes)
                }),
                reader(200),
            )
        },
        probe(
            "WebSocket request",
            Box::new(|w, who, id, _| crate::authz_live::live_probe(w, who, id, false)),
            reader(200),
        ),
        probe(
            "WebSocket sync",
            Box::new(|w, who, id, _| crate::authz_live::live_probe(w, who, id, true)),
            reader(200),
        ),
        probe(
            "GET audit?case",
            http("GET", "/v1/audit?case={id}", no_body),
            Box::new(|who, _| match who.role() {
                None => Expect::Unauthorized,
                Some(Role::Auditor) => Expect::Status(200),
                Some(_) => Expect::Forbidden,
            }),
        ),
    ]
}
