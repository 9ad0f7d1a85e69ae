//! Runs scenarios of `tests/js/interop.mjs` with the official automerge-repo JS packages.
//! `CASESYNC_JS_DIR` (set by ops/test.sh) names the folder with `node_modules`; without it
//! the tests look in `tests/js` next to this crate. Under `CI=true` missing packages fail.

use std::path::PathBuf;
use std::process::Command;

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

/// Runs one scenario and returns the JSON it printed.
pub fn run(dir: &std::path::Path, args: serde_json::Value) -> serde_json::Value {
    let node = std::env::var("CASESYNC_NODE").unwrap_or_else(|_| "node".into());
    let output = Command::new(node)
        .arg(dir.join("interop.mjs"))
        .arg(args.to_string())
        .current_dir(dir)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "JS scenario failed:\nstdout: {stdout}\nstderr: {stderr}"
    );
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("JS printed no JSON ({e}): {stdout}\n{stderr}"))
}
