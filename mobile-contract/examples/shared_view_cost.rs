//! What a shared view costs per change of its case: the derive run's share step, in process
//! (no database). Not a test: run it in release mode (`ops/bench/shared_views.md`):
//!
//!   cargo run --release -p casesync-contract --example shared_view_cost -- [--observations 2000] [--rounds 200]
//!
//! For a case of N observations (every kind), an episode and a full profile, and a share for
//! identity, physical description and location, timed per change of the case:
//! - `unchanged`: project the case, serialize, SHA-256 (a change the share does not cover:
//!   this is all the run does besides one indexed query);
//! - `changed`: the same, then write the view's `case` part with the new content (a covered
//!   change: one observation more), as the server writes it (`sharing::write_view_case`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use automerge::{AutoCommit, ROOT};
use casesync_contract::case::{self, CaseDocument, CaseLog, Millis, NewCase, Observation, Str};
use casesync_contract::sharing::{project, write_view_case};
use casesync_contract::DocumentId;
use sha2::Digest;

const T0: i64 = 1_795_852_800_000;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn observation(i: usize) -> Observation {
    let kinds = case::OBSERVATION_KINDS;
    Observation {
        id: Str(format!("obs-{i}")),
        kind: Str::from(kinds[i % kinds.len()]),
        text: Str(format!(
            "observation {i}: seen near the station with two older boys"
        )),
        observed_at: Millis(T0 + i as i64 * 60_000),
        place: Some(Str::from("central station")),
        author: Str::from("user-1"),
        device: Str::from("device-1"),
        attachments: None,
        provenance: None,
    }
}

fn full_case(observations: usize) -> AutoCommit {
    let profile = case::PROFILE_FIELDS
        .iter()
        .filter(|(f, _)| *f != "photo")
        .map(|(f, _)| (f.to_string(), format!("{f} value")))
        .collect();
    let new = NewCase {
        case_id: DocumentId::random(),
        organisation: "org".into(),
        site: "site".into(),
        jurisdiction: None,
        created_at: T0,
        profile,
    };
    let mut doc = case::new_case_document(&new, automerge::ActorId::random()).unwrap();
    for i in 0..observations {
        case::append(&mut doc, CaseLog::Observations, &observation(i)).unwrap();
    }
    doc.commit();
    doc
}

fn digest(case: &CaseDocument, categories: &[String]) -> String {
    let content = project(case, categories);
    hex::encode(sha2::Sha256::digest(serde_json::to_vec(&content).unwrap()))
}

fn main() {
    let observations = arg("--observations", 2000);
    let rounds = arg("--rounds", 200);
    let categories: Vec<String> = ["identity", "physical_description", "location"]
        .map(String::from)
        .to_vec();
    let mut doc = full_case(observations);
    let case = case::read_case(&doc).unwrap();

    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(digest(&case, &categories));
    }
    let unchanged = started.elapsed() / rounds as u32;

    // The view as the server holds it, then one covered change per round.
    let mut view = AutoCommit::new();
    autosurgeon::reconcile_prop(&mut view, ROOT, "case", project(&case, &categories)).unwrap();
    view.commit();
    let mut changed = Duration::ZERO;
    let mut bytes = 0;
    for round in 0..rounds {
        case::append(
            &mut doc,
            CaseLog::Observations,
            &observation(observations + round),
        )
        .unwrap();
        doc.commit();
        let case = case::read_case(&doc).unwrap();
        let heads = view.get_heads();
        let started = Instant::now();
        let content = project(&case, &categories);
        std::hint::black_box(hex::encode(sha2::Sha256::digest(
            serde_json::to_vec(&content).unwrap(),
        )));
        write_view_case(&mut view, &content).unwrap();
        view.commit();
        changed += started.elapsed();
        bytes += view
            .get_changes(&heads)
            .iter()
            .map(|c| c.raw_bytes().len())
            .sum::<usize>();
    }
    println!(
        "shared view, case of {observations} observations, share identity + physical_description + location:\n\
         unchanged (project + JSON + SHA-256): {:.3} ms per change\n\
         changed (the same + reconcile the view): {:.3} ms per change, {} bytes of view change",
        unchanged.as_secs_f64() * 1000.0,
        (changed / rounds as u32).as_secs_f64() * 1000.0,
        bytes / rounds
    );
}
