//! WebSocket message types in the authorization matrix: `request` and `sync` about a case,
//! as each caller. A case outside the caller's scope must look exactly like one that does
//! not exist: no case data, whatever the frame.

use std::time::Duration;

use automerge::AutoCommit;
use casesync_contract::DocumentId;
use casesync_tests::live::connect;

use crate::authz_matrix::Who;
use crate::authz_world::{Answer, World};

/// Opens a socket as `who`, joins, asks about `id` with a `request` (or a `sync` from an
/// empty copy) and reports 200 when case data arrives, 404 when none does.
pub fn live_probe(world: &World, who: &Who, id: &DocumentId, as_sync: bool) -> Answer {
    world.requests.set(world.requests.get() + 1);
    let token = who.token().unwrap_or("");
    let mut peer = match connect(&world.server.base_url, token, false) {
        Ok(peer) => peer,
        Err(tungstenite::Error::Http(response)) => {
            return Answer {
                status: response.status().as_u16(),
                body: String::new(),
            }
        }
        Err(e) => panic!("socket failed: {e}"),
    };
    peer.join();
    if as_sync {
        peer.docs
            .insert(*id, (AutoCommit::new(), automerge::sync::State::new()));
        peer.changed(*id);
    } else {
        peer.open(*id);
    }
    peer.pump_until(Duration::from_secs(5), |p| {
        p.has_content(id)
            || p.unavailable.contains(id)
            || p.docs.get(id).is_some_and(|(_, s)| s.their_heads.is_some())
    });
    if peer.has_content(id) {
        Answer {
            status: 200,
            body: String::new(),
        }
    } else {
        Answer {
            status: 404,
            body: "no case data".into(),
        }
    }
}
