//! What the servers of this test binary log, captured in memory: the server's own subscriber
//! (`telemetry::init_with`, JSON) installed once for the whole process, so a test can search
//! the log for what must never be in it. Debug level for the server's crates and the HTTP
//! stack it runs on; the test's own clients (reqwest, tungstenite) log into the same
//! process and are left out, since what they print is not the server's log. Servers of
//! other tests running at the same time log into it too: a search for a test's own secrets
//! is unaffected.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The server's crates and the HTTP and WebSocket stack it runs on, at debug level.
const SERVER_SIDE: &str = "info,casesync_server=debug,casesync_sync=debug,casesync_schema=debug,\
actix_web=debug,actix_http=debug,actix_server=debug,actix_ws=debug,\
reqwest=off,hyper_util=off,tungstenite=off";

static SINK: OnceLock<Sink> = OnceLock::new();

/// Starts capturing (once per process). Another subscriber installed first (e.g. by
/// `CASESYNC_TEST_LOG`) wins: [`text`] then stays empty, which callers must check.
pub fn capture() {
    SINK.get_or_init(|| {
        let sink = Sink::default();
        let writer = sink.clone();
        casesync_server::telemetry::init_with("json", SERVER_SIDE, move || writer.clone());
        sink
    });
}

/// Everything captured so far.
pub fn text() -> String {
    SINK.get()
        .map(|s| String::from_utf8_lossy(&s.0.lock().unwrap()).into_owned())
        .unwrap_or_default()
}
