//! The world the authorization tests run in: two organisations, a user and device of every
//! role in each, and cases of organisation A in every relation a caller can have to a case
//! (assigned, same site, other site, shared with B, share withdrawn, erased). Everything is
//! made through the public API where there is one, so the setup exercises it too.

use std::collections::BTreeMap;

use casesync_contract::wire::CreatedCase;
use casesync_contract::{DocumentId, Role};
use casesync_schema::directory::{devices, organisations, sites, users};
use casesync_tests::server::TestServer;
use serde_json::{json, Value};

/// One HTTP answer, as the matrix compares them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A user with one device.
#[derive(Debug, Clone)]
pub struct Member {
    pub role: Role,
    pub user_id: String,
    pub name: String,
    pub device_id: String,
    pub token: String,
    pub organisation_id: String,
}

pub struct OrgWorld {
    pub name: String,
    pub members: BTreeMap<Role, Member>,
}

impl OrgWorld {
    pub fn member(&self, role: Role) -> &Member {
        &self.members[&role]
    }
}

/// How a case of organisation A relates to the callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    /// Site A1, assigned to A's outreach worker, reception staff and caseworker.
    Assigned,
    /// Site A1, assigned to nobody.
    SameSite,
    /// Site A2, assigned to nobody.
    OtherSite,
    /// Site A2, shared with B; B's coordinator assigned its view to B's outreach worker and
    /// caseworker (B holds the view, never the case).
    SharedWithB,
    /// Site A2, shared with B and withdrawn (B's assignments of the view lapsed with it).
    ShareWithdrawn,
    /// Site A1, erased.
    Erased,
    /// An id nobody ever used.
    Unknown,
}

impl Relation {
    pub const ALL: [Relation; 7] = [
        Self::Assigned,
        Self::SameSite,
        Self::OtherSite,
        Self::SharedWithB,
        Self::ShareWithdrawn,
        Self::Erased,
        Self::Unknown,
    ];
}

pub struct World {
    pub server: TestServer,
    pub http: reqwest::blocking::Client,
    pub a: OrgWorld,
    pub b: OrgWorld,
    pub cases: BTreeMap<Relation, DocumentId>,
    /// Requests sent so far (setup included).
    pub requests: std::cell::Cell<usize>,
}

pub fn org_world(server: &TestServer, name: &str, prefix: &str) -> OrgWorld {
    let mut conn = server.state.pool.get().unwrap();
    let org = organisations::create(&mut conn, name).unwrap();
    let s1 = sites::create(&mut conn, &org.id, &format!("{prefix}1")).unwrap();
    sites::create(&mut conn, &org.id, &format!("{prefix}2")).unwrap();
    let mut members = BTreeMap::new();
    for role in Role::ALL {
        let site = matches!(
            role,
            Role::OutreachWorker | Role::ReceptionStaff | Role::Caseworker
        )
        .then_some(s1.id.as_str());
        let name = format!("{prefix}-{role}");
        let user = users::create(&mut conn, &org.id, site, role, &name).unwrap();
        let device = devices::enrol(&mut conn, &user.id, "phone", None).unwrap();
        members.insert(
            role,
            Member {
                role,
                user_id: user.id,
                name,
                device_id: device.device_id,
                token: device.token,
                organisation_id: org.id.clone(),
            },
        );
    }
    OrgWorld {
        name: org.name,
        members,
    }
}

impl World {
    pub fn build(server: TestServer) -> Self {
        let a = org_world(&server, "Org A", "A");
        let b = org_world(&server, "Org B", "B");
        let mut world = World {
            server,
            http: reqwest::blocking::Client::new(),
            a,
            b,
            cases: BTreeMap::new(),
            requests: std::cell::Cell::new(0),
        };
        for relation in Relation::ALL {
            let id = world.make_case(relation);
            world.cases.insert(relation, id);
        }
        world
    }

    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        self.requests.set(self.requests.get() + 1);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, self.server.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().unwrap();
        Answer {
            status: resp.status().as_u16(),
            body: resp.text().unwrap(),
        }
    }

    /// Sends and insists on `status`.
    pub fn expect(
        &self,
        status: u16,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Value {
        let answer = self.send(method, path, Some(token), body);
        assert_eq!(answer.status, status, "{method} {path}: {}", answer.body);
        answer.json()
    }

    pub fn coordinator_a(&self) -> &str {
        &self.a.member(Role::Coordinator).token
    }

    /// A new case of organisation A in the given relation.
    pub fn make_case(&self, relation: Relation) -> DocumentId {
        if relation == Relation::Unknown {
            return DocumentId::random();
        }
        let site = match relation {
            Relation::Assigned | Relation::SameSite | Relation::Erased => "A1",
            _ => "A2",
        };
        let coord = self.coordinator_a().to_string();
        let created: CreatedCase = serde_json::from_value(self.expect(
            201,
            "POST",
            "/v1/cases",
            &coord,
            Some(json!({"site": site, "profile": {"given_name": "Abena"}})),
        ))
        .unwrap();
        let id = created.id;
        match relation {
            Relation::Assigned => {
                for role in [Role::OutreachWorker, Role::ReceptionStaff, Role::Caseworker] {
                    self.assign(&coord, &id, &self.a.member(role).user_id);
                }
            }
            Relation::SharedWithB => {
                let (_, view) = self.share_with_b(&id);
                let coord_b = self.b.member(Role::Coordinator).token.clone();
                for role in [Role::OutreachWorker, Role::Caseworker] {
                    self.assign(&coord_b, &view, &self.b.member(role).user_id);
                }
            }
            Relation::ShareWithdrawn => {
                let (share, view) = self.share_with_b(&id);
                let coord_b = self.b.member(Role::Coordinator).token.clone();
                self.assign(
                    &coord_b,
                    &view,
                    &self.b.member(Role::OutreachWorker).user_id,
                );
                self.expect(
                    200,
                    "DELETE",
                    &format!("/v1/cases/{id}/shares/{share}"),
                    &coord,
                    None,
                );
            }
            Relation::Erased => {
                self.expect(200, "DELETE", &format!("/v1/cases/{id}"), &coord, None);
            }
            _ => {}
        }
        id
    }

    pub fn assign(&self, token: &str, id: &DocumentId, user: &str) {
        self.expect(
            201,
            "POST",
            &format!("/v1/cases/{id}/assignments"),
            token,
            Some(json!({ "user": user })),
        );
    }

    /// Shares a case of A with B; returns the share id and its view's id.
    pub fn share_with_b(&self, id: &DocumentId) -> (String, DocumentId) {
        let share = self.expect(
            201,
            "POST",
            &format!("/v1/cases/{id}/shares"),
            self.coordinator_a(),
            Some(share_body(&self.b.name)),
        );
        let view = share["view_id"].as_str().unwrap().parse().unwrap();
        (share["id"].as_str().unwrap().to_string(), view)
    }

    /// A fresh device for a member's user (to revoke or wipe without harming the others).
    pub fn spare_device(&self, member: &Member) -> Member {
        let mut conn = self.server.state.pool.get().unwrap();
        let device = devices::enrol(&mut conn, &member.user_id, "spare", None).unwrap();
        Member {
            device_id: device.device_id,
            token: device.token,
            ..member.clone()
        }
    }
}

pub fn share_body(organisation: &str) -> Value {
    json!({
        "organisation": organisation,
        "legal_basis": "vital_interests",
        "purpose": "the child may be heading to the other organisation's country",
        "data_categories": ["identity", "physical_description", "photos"],
        "cross_border": true,
    })
}
