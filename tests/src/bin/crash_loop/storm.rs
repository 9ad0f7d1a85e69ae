//! The storm: every phone on a thread of its own, writing as fast as a busy centre would
//! (observations, now and then a child reported absent then missing), batch phones syncing
//! after every change and live phones sending each change as it is made without waiting for
//! the acknowledgement; the coordinator acknowledging every missing alert it holds. A phone
//! stops when its server dies (the kill) or when the storm is stopped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjType, ReadDoc, ROOT};
use casesync_contract::DocumentId;
use casesync_tests::live::{connect, LivePeer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::cast::{now, Cast, Phone};

pub struct Storm {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<Phone>>,
}

/// Starts every phone of the cast, spread over the instances at `urls`.
pub fn start(cast: &mut Cast, urls: &[String], seed: u64) -> Storm {
    let stop = Arc::new(AtomicBool::new(false));
    let threads = std::mem::take(&mut cast.phones)
        .into_iter()
        .enumerate()
        .map(|(n, mut phone)| {
            let url = urls[n % urls.len()].clone();
            let stop = stop.clone();
            let rng = StdRng::seed_from_u64(seed.wrapping_add(n as u64));
            std::thread::spawn(move || {
                phone.device.set_base_url(&url);
                match (phone.acknowledges, phone.live) {
                    (true, _) => acknowledge_alerts(&mut phone, &stop),
                    (false, true) => write_live(&mut phone, &url, &stop, rng),
                    (false, false) => write_batch(&mut phone, &stop, rng),
                }
                phone
            })
        })
        .collect();
    Storm { stop, threads }
}

/// Stops the phones still running and gives them back to the cast.
pub fn stop(storm: Storm, cast: &mut Cast) {
    storm.stop.store(true, Ordering::Release);
    cast.phones = storm
        .threads
        .into_iter()
        .map(|t| t.join().expect("phone thread"))
        .collect();
}

/// The next edit of a staff phone to its case: mostly observations; once per cycle, with some
/// luck, the child reported absent and then missing.
fn edit(phone: &mut Phone, step: u32, rng: &mut StdRng) {
    let Some(case) = phone.case else { return };
    let at = now();
    if !phone.reported && rng.random_bool(0.1) {
        phone.reported = true;
        phone
            .device
            .episode_event(&case, "ep1", "ev-absent", "absent", at);
        phone
            .device
            .episode_event(&case, "ep1", "ev-missing", "missing", at + 1);
        return;
    }
    let id = format!("{}-{step}", phone.device.name);
    phone
        .device
        .observe(&case, &id, "seen in the courtyard", at);
}

fn write_batch(phone: &mut Phone, stop: &AtomicBool, mut rng: StdRng) {
    let mut step = 0;
    while !stop.load(Ordering::Acquire) {
        step += 1;
        edit(phone, step, &mut rng);
        if phone.sync_once().is_err() {
            return; // the server died
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(5..40)));
    }
}

fn write_live(phone: &mut Phone, url: &str, stop: &AtomicBool, mut rng: StdRng) {
    let Some(case) = phone.case else { return };
    let Ok(mut peer) = connect(url, &phone.device.token, false) else {
        return;
    };
    peer.join();
    peer.hold(case, phone.device.doc(&case).clone());
    let mut acked = phone.device.docs[&case].acked.clone();
    let mut step = 0;
    while !stop.load(Ordering::Acquire) && !peer.closed {
        step += 1;
        // The phone's copy takes what the server pushed (its checklists), then the new edit.
        phone
            .device
            .doc(&case)
            .merge(peer.doc(&case))
            .expect("merge");
        edit(phone, step, &mut rng);
        peer.doc(&case)
            .merge(phone.device.doc(&case))
            .expect("merge");
        peer.changed(case);
        for _ in 0..rng.random_range(0..3) {
            peer.pump_once();
        }
        acked = acknowledged(&mut peer, &case).unwrap_or(acked);
    }
    // Whatever arrived before the socket died counts too.
    while peer.pump_once() {}
    acked = acknowledged(&mut peer, &case).unwrap_or(acked);
    phone
        .device
        .doc(&case)
        .merge(peer.doc(&case))
        .expect("merge");
    if let Some(local) = phone.device.docs.get_mut(&case) {
        local.acked = acked;
    }
}

/// The server heads the peer's sync state last heard, when the peer holds all of them: what
/// the server acknowledged.
fn acknowledged(peer: &mut LivePeer, case: &DocumentId) -> Option<Vec<ChangeHash>> {
    let heads = peer.docs[case].1.their_heads.clone()?;
    let doc = peer.doc(case);
    heads
        .iter()
        .all(|h| doc.get_change_by_hash(h).is_some())
        .then_some(heads)
}

fn acknowledge_alerts(phone: &mut Phone, stop: &AtomicBool) {
    while !stop.load(Ordering::Acquire) {
        if phone.sync_once().is_err() {
            return;
        }
        let docs: Vec<DocumentId> = phone.alert_docs.iter().copied().collect();
        for id in docs {
            let Some(local) = phone.device.docs.get_mut(&id) else {
                continue;
            };
            for alert in crate::checks::missing_alerts_in(&local.doc) {
                if phone.acked_alerts.insert(alert.id.clone()) {
                    append_ack(
                        &mut local.doc,
                        &alert.id,
                        &phone.device.device_id,
                        &phone.device.user_id,
                    );
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn append_ack(doc: &mut automerge::AutoCommit, alert: &str, device: &str, user: &str) {
    let Ok(Some((_, acks))) = doc.get(ROOT, "acks") else {
        return;
    };
    let n = doc.length(&acks);
    let ack = doc.insert_object(&acks, n, ObjType::Map).expect("ack");
    doc.put(&ack, "alert_id", alert).expect("ack field");
    doc.put(&ack, "device", device).expect("ack field");
    doc.put(&ack, "user", user).expect("ack field");
    doc.put(&ack, "at", now()).expect("ack field");
    doc.commit();
}
