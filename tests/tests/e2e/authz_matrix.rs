//! The authorization matrix, generated: every case endpoint (HTTP routes and batch sync) x
//! every role of the case's own organisation and of another x every relation to the case
//! (in scope, out of scope, shared, withdrawn, erased, unknown), plus the organisation-level
//! endpoints x their targets. Expectations come from an oracle written here from DOMAIN.md,
//! not from the server's code. Every forbidden access must answer exactly what the same
//! request about a case that does not exist answers (status and body).
//!
//! The case endpoints are descriptors, in `authz_probes.rs`.

use casesync_contract::{DocumentId, Role};
use casesync_tests::server::TestServer;
use casesync_tests::storage_test;

use super::authz_probes::{case_probes, CaseProbe, Expect};
use super::authz_world::{Answer, Member, Relation, World};

/// Which organisation a caller belongs to: A owns every case of the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

/// A caller: a member of A or B, or nobody (no token).
#[derive(Debug, Clone)]
pub struct Who {
    pub side: Side,
    pub member: Option<Member>,
}

impl Who {
    pub fn token(&self) -> Option<&str> {
        self.member.as_ref().map(|m| m.token.as_str())
    }
    pub fn role(&self) -> Option<Role> {
        self.member.as_ref().map(|m| m.role)
    }
}

/// Whether the caller may read a case of A in this relation (DOMAIN.md "Who uses it").
pub fn sees(who: &Who, relation: Relation) -> bool {
    use Relation::*;
    let Some(role) = who.role() else { return false };
    match (who.side, role) {
        (Side::A, Role::Coordinator) => {
            matches!(
                relation,
                Assigned | SameSite | OtherSite | SharedWithB | ShareWithdrawn
            )
        }
        (Side::A, Role::ReceptionStaff) => matches!(relation, Assigned | SameSite),
        (Side::A, Role::OutreachWorker | Role::Caseworker) => relation == Assigned,
        // B holds the shared view of SharedWithB, never the case (tests `shared_views`).
        _ => false,
    }
}

/// Every caller: each role of A and of B, and nobody.
pub fn callers(world: &World) -> Vec<Who> {
    let mut all = vec![];
    for (side, org) in [(Side::A, &world.a), (Side::B, &world.b)] {
        for role in Role::ALL {
            all.push(Who {
                side,
                member: Some(org.member(role).clone()),
            });
        }
    }
    all.push(Who {
        side: Side::B,
        member: None,
    });
    all
}

/// Runs the case matrix; returns how many cells it checked.
pub fn run_case_matrix(world: &World, probes: &[CaseProbe]) -> usize {
    let mut cells = 0;
    for probe in probes {
        for who in callers(world) {
            for relation in Relation::ALL {
                if probe.skip.contains(&relation) {
                    continue;
                }
                let expected = (probe.expect)(&who, relation);
                let allowed = matches!(expected, Expect::Status(_));
                let (id, aux) = if allowed && probe.mutates {
                    let id = world.make_case(relation);
                    let aux = match &probe.prepare {
                        Some(prepare) => prepare(world, &who, &id),
                        None => (probe.default_aux)(world, &who),
                    };
                    (id, aux)
                } else {
                    (world.cases[&relation], (probe.default_aux)(world, &who))
                };
                let answer = (probe.send)(world, &who, &id, &aux);
                let cell = format!(
                    "{} as {:?} {:?} on {relation:?}",
                    probe.name,
                    who.side,
                    who.role()
                );
                check(world, probe, &who, &aux, expected, &answer, &cell);
                cells += 1;
            }
        }
    }
    cells
}

fn check(
    world: &World,
    probe: &CaseProbe,
    who: &Who,
    aux: &str,
    expected: Expect,
    answer: &Answer,
    cell: &str,
) {
    match expected {
        Expect::Status(status) => {
            assert_eq!(answer.status, status, "{cell}: {}", answer.body);
        }
        Expect::Forbidden => {
            assert_eq!(answer.status, 403, "{cell}: {}", answer.body);
            assert_eq!(answer.json()["error"]["code"], "forbidden", "{cell}");
        }
        Expect::Hidden | Expect::Unauthorized => {
            let send = probe.baseline.as_ref().unwrap_or(&probe.send);
            let missing = send(world, who, &DocumentId::random(), aux);
            let status = if expected == Expect::Hidden { 404 } else { 401 };
            assert_eq!(answer.status, status, "{cell}: {}", answer.body);
            assert_eq!(
                answer, &missing,
                "{cell}: differs from a case that does not exist"
            );
        }
    }
}

/// After the matrix, the shared cases are exactly as before: no denied request changed who
/// sees them. Returns how many cells it checked.
pub fn recheck_reads(world: &World) -> usize {
    let probes = case_probes();
    let get = probes.iter().find(|p| p.name == "GET case").unwrap();
    run_case_matrix(world, std::slice::from_ref(get))
}

storage_test!(authorization_matrix, |db| {
    let server = TestServer::start_with(&db, |c| {
        c.access.enrol_attempts_per_ip = 10_000;
    });
    let world = World::build(server);
    let setup = world.requests.get();
    let probes = case_probes();
    let mut cells = run_case_matrix(&world, &probes);
    cells += crate::authz_org::run_org_matrix(&world);
    cells += recheck_reads(&world);
    let requests = world.requests.get() - setup;
    eprintln!(
        "authorization matrix ({:?}): {} endpoints x {} callers x {} relations; {cells} cells, \
         {requests} requests, all as expected",
        db.kind(),
        probes.len() + 6,
        callers(&world).len(),
        Relation::ALL.len(),
    );
    assert!(
        requests > 1_000,
        "the matrix is generated, not sampled: {requests}"
    );
});
