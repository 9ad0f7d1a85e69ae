//! Runs scenarios of `tests/js/interop.mjs` with the official automerge-repo JS packages.
//! `CASESYNC_JS_DIR` (set by ops/test.sh) names the folder with `node_modules`; without it
//! the tests look in `tests/js` next to this crate. Under `CI=true` missing packages fail.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The folder holding interop.mjs and its node_modules, if installed.
pub fn js_dir() -> Option<PathBuf> {
    let dir = std::env::var("CASESYNC_JS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js"));
    if dir.join("node_modules/@automerge/automerge-repo").exists() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "automerge-repo JS packages missing in {}: run ops/services/node.sh",
            dir.display()
        );
    }
    eprintln!(
        "skipping JS interop: no node_modules in {} (run ops/services/node.sh)",
        dir.display()
    );
    None
}

/// Runs one scenario and returns the JSON it printed. Scenarios keep their own (shorter)
/// deadlines; this one only stops a node process that hangs past them.
pub fn run(dir: &std::path::Path, args: serde_json::Value) -> serde_json::Value {
    run_within(dir, args, Duration::from_secs(300))
}

/// Runs one scenario, killing node if it has not exited after `timeout` (a hung scenario
/// must fail the test, not hang it).
pub fn run_within(
    dir: &std::path::Path,
    args: serde_json::Value,
    timeout: Duration,
) -> serde_json::Value {
    let node = std::env::var("CASESYNC_NODE").unwrap_or_else(|_| "node".into());
    let mut child = Command::new(node)
        .arg(dir.join("interop.mjs"))
        .arg(args.to_string())
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    // Drained on threads of their own: a full pipe would block node before it exits.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let Some(status) = status else {
        panic!("JS scenario still running after {timeout:?}: killed\nstdout: {stdout}\nstderr: {stderr}");
    };
    assert!(
        status.success(),
        "JS scenario failed:\nstdout: {stdout}\nstderr: {stderr}"
    );
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("JS printed no JSON ({e}): {stdout}\n{stderr}"))
}
