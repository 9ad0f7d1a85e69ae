//! The people of the storm: reception staff of one centre, some syncing in batches and some
//! live, a coordinator acknowledging alerts, and a checker (a second coordinator device)
//! that reads what the server stored without ever writing.

use std::collections::BTreeSet;

use casesync_contract::wire::{DocumentKind, SyncResponse};
use casesync_contract::{DocumentId, Role};
use casesync_tests::db::TestDb;
use casesync_tests::device::{Device, SyncError};
use casesync_tests::fixtures;
use casesync_tests::server::TestServer;

/// Staff phones syncing in batches, and live over the WebSocket.
const BATCH_PHONES: usize = 4;
const LIVE_PHONES: usize = 3;

pub struct Phone {
    pub device: Device,
    pub live: bool,
    /// The coordinator: acknowledges alerts instead of writing to cases.
    pub acknowledges: bool,
    /// Whether it reported its current case missing.
    pub reported: bool,
    /// Alerts it acknowledged.
    pub acked_alerts: BTreeSet<String>,
    /// The case this phone opened in the current cycle.
    pub case: Option<DocumentId>,
    /// Alert documents listed for it so far.
    pub alert_docs: BTreeSet<DocumentId>,
}

pub struct Cast {
    /// Staff phones, then the coordinator.
    pub phones: Vec<Phone>,
    pub checker: Device,
}

/// Enrols everyone through an in-process server that is stopped before the loop: their
/// tokens live in the database the processes share.
pub fn enrol(db: &TestDb) -> Cast {
    let server = TestServer::start(db);
    let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
    let phone = |device, live, acknowledges| Phone {
        device,
        live,
        acknowledges,
        reported: false,
        acked_alerts: BTreeSet::new(),
        case: None,
        alert_docs: BTreeSet::new(),
    };
    let mut phones: Vec<Phone> = (0..BATCH_PHONES + LIVE_PHONES)
        .map(|n| {
            let name = format!("staff-{n}");
            let device = fixtures::device(&server, &org, Role::ReceptionStaff, &name);
            phone(device, n >= BATCH_PHONES, false)
        })
        .collect();
    let coordinator = fixtures::device(&server, &org, Role::Coordinator, "chiara");
    phones.push(phone(coordinator, false, true));
    let checker = fixtures::device(&server, &org, Role::Coordinator, "checker");
    Cast { phones, checker }
}

impl Cast {
    /// Every staff phone opens a new case for this cycle and stores it (batch, before the
    /// storm): each cycle's checks concern its own cases, so a long loop stays as fast as a
    /// short one.
    pub fn open_cycle_cases(&mut self, base_url: &str, cycle: u32) {
        for (n, phone) in self.phones.iter_mut().enumerate() {
            phone.device.set_base_url(base_url);
            if phone.acknowledges {
                continue;
            }
            phone.reported = false;
            let name = format!("child {cycle}-{n}");
            let case = phone
                .device
                .open_case(&[("given_name", name.as_str())], now());
            phone.case = Some(case);
            phone.keep_only_current();
            phone.sync_once().expect("case stored before the storm");
        }
    }
}

impl Phone {
    /// Holds only this cycle's case and the alert documents.
    pub fn keep_only_current(&mut self) {
        let keep: BTreeSet<DocumentId> = self.alert_docs.iter().copied().chain(self.case).collect();
        self.device.docs.retain(|id, _| keep.contains(id));
    }

    /// One batch request for what the phone holds; new alert documents listed in the reply
    /// are held from now on, other documents of its scope are not (old cycles' cases).
    pub fn sync_once(&mut self) -> Result<(), SyncError> {
        let request = self.device.sync_request();
        let response: SyncResponse = self.device.post_sync(&request)?;
        for entry in &response.new_documents {
            if entry.kind == DocumentKind::Alerts {
                self.alert_docs.insert(entry.id);
            }
        }
        self.device.apply_response(response);
        self.keep_only_current();
        Ok(())
    }
}

pub fn now() -> i64 {
    casesync_schema::now_millis()
}
