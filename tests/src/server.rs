//! The real casesync application, started on 127.0.0.1:0 in a thread of its own, with a
//! clock the test controls. Dropping it stops the server.

use std::net::TcpListener;
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use casesync_server::clock::ManualClock;
use casesync_server::state::AppState;
use casesync_server::{Application, Config};

use crate::db::TestDb;

pub struct TestServer {
    pub base_url: String,
    pub port: u16,
    pub state: AppState,
    pub clock: ManualClock,
    stopper: casesync_server::startup::Stopper,
    thread: Option<JoinHandle<()>>,
}

/// A fixed start time for the test clock: 2026-11-28T08:00:00Z.
pub const T0: i64 = 1_795_852_800_000;

impl TestServer {
    pub fn start(db: &TestDb) -> Self {
        Self::start_with(db, |_| {})
    }

    pub fn start_with(db: &TestDb, tweak: impl FnOnce(&mut Config)) -> Self {
        Self::try_start_with(db, tweak).expect("application builds")
    }

    /// Like [`Self::start_with`], but a server that refuses to start returns its reason
    /// (the whole error chain, as `casesync serve` prints it).
    pub fn try_start_with(db: &TestDb, tweak: impl FnOnce(&mut Config)) -> Result<Self, String> {
        let mut config = Config {
            data_dir: db.data_dir(),
            database_url: db.url(),
            db_pool_size: 8,
            ..Config::default()
        };
        tweak(&mut config);
        if std::env::var("CASESYNC_TEST_LOG").is_ok() {
            casesync_server::telemetry::init("pretty");
        }
        let clock = ManualClock::new(T0);
        let (tx, rx) = mpsc::channel();
        let thread_clock = clock.clone();
        let thread = std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            system.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
                let app = match Application::build_with(config, listener, Arc::new(thread_clock)) {
                    Ok(app) => app,
                    Err(e) => {
                        let _ = tx.send(Err(format!("{e:#}")));
                        return;
                    }
                };
                tx.send(Ok((app.port(), app.state().clone(), app.stopper())))
                    .expect("report port");
                let _ = app.run_until_stopped().await;
            });
        });
        let (port, state, stopper) = match rx.recv().expect("server started") {
            Ok(started) => started,
            Err(reason) => {
                let _ = thread.join();
                return Err(reason);
            }
        };
        Ok(Self {
            base_url: format!("http://127.0.0.1:{port}"),
            port,
            state,
            clock,
            stopper,
            thread: Some(thread),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Stop accepting and close connections without waiting for them.
        // The stopper's pause runs on a throwaway runtime: this thread has none.
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
        {
            rt.block_on(self.stopper.stop());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
