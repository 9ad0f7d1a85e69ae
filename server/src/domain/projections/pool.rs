//! The instance's derive workers: a fixed number of threads fed document ids. Not the request
//! handlers' blocking pool, where requests waiting for a run could hold every thread; not a
//! thread per run, which a burst of changes to many cases would turn into hundreds.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use casesync_contract::DocumentId;

use crate::state::AppState;

/// How long stopping waits for runs in progress before it gives up on them (their work
/// stays in the outbox).
const STOP_WAIT: Duration = Duration::from_secs(10);

pub struct Pool {
    workers: usize,
    queue: Mutex<Option<Sender<DocumentId>>>,
    stopping: Arc<AtomicBool>,
    alive: Arc<(Mutex<usize>, Condvar)>,
    busy: Arc<AtomicUsize>,
}

impl Pool {
    pub fn new(workers: usize) -> Self {
        Self {
            workers: workers.max(1),
            queue: Mutex::new(None),
            stopping: Arc::new(AtomicBool::new(false)),
            alive: Arc::new((Mutex::new(0), Condvar::new())),
            busy: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn start(&self, state: &AppState) {
        let (tx, rx) = channel::<DocumentId>();
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..self.workers {
            let worker = Worker {
                state: state.clone(),
                rx: rx.clone(),
                alive: self.alive.clone(),
                busy: self.busy.clone(),
            };
            *lock(&self.alive.0) += 1;
            let spawned = std::thread::Builder::new()
                .name(format!("derive-{n}"))
                .spawn(move || worker.work());
            if let Err(e) = spawned {
                *lock(&self.alive.0) -= 1;
                tracing::error!(error = %e, "no thread for a derive worker");
            }
        }
        *lock(&self.queue) = Some(tx);
    }

    /// Hands a document to the workers. Without workers (stopping, or never started) the
    /// work stays in the outbox for the next start.
    pub fn submit(&self, id: DocumentId) -> bool {
        match lock(&self.queue).as_ref() {
            Some(tx) => tx.send(id).is_ok(),
            None => false,
        }
    }

    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Runs in progress, for metrics.
    pub fn busy(&self) -> usize {
        self.busy.load(Ordering::Relaxed)
    }

    /// Stops taking work, lets the runs in progress finish (up to [`STOP_WAIT`]) and ends
    /// the workers.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        lock(&self.queue).take();
        let (count, ended) = &*self.alive;
        let guard = lock(count);
        let (guard, waited) = ended
            .wait_timeout_while(guard, STOP_WAIT, |alive| *alive > 0)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if waited.timed_out() {
            tracing::warn!(
                running = *guard,
                "derive workers still running at shutdown; their work stays in the outbox"
            );
        }
    }
}

struct Worker {
    state: AppState,
    rx: Arc<Mutex<Receiver<DocumentId>>>,
    alive: Arc<(Mutex<usize>, Condvar)>,
    busy: Arc<AtomicUsize>,
}

impl Worker {
    fn work(self) {
        loop {
            let next = lock(&self.rx).recv();
            let Ok(id) = next else { break };
            if self.state.projections.stopping() {
                self.state.projections.give_up(&id);
                continue;
            }
            self.busy.fetch_add(1, Ordering::Relaxed);
            super::run::run(&self.state, &id);
            self.busy.fetch_sub(1, Ordering::Relaxed);
        }
        let (count, ended) = &*self.alive;
        *lock(count) -= 1;
        ended.notify_all();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
