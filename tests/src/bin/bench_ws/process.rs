//! The servers under test, each a process of its own so that its CPU time and memory can be
//! read from `/proc`: `casesync serve` (`casesync_tests::process`) and the official Node sync
//! server (`ops/bench/node-sync-server.mjs`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::Context;
pub use casesync_tests::process::{Casesync, ServerProcess};

/// Starts the Node sync server storing under `dir`; `script` is node-sync-server.mjs.
pub fn node_server(node: &Path, script: &Path, dir: &Path) -> anyhow::Result<ServerProcess> {
    let mut child = Command::new(node)
        .arg(script)
        .arg("0")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("start the Node sync server")?;
    let stdout = child.stdout.take().context("node stdout")?;
    let mut stdout = BufReader::new(stdout);
    let mut line = String::new();
    stdout.read_line(&mut line)?;
    // Keep reading: a closed pipe would kill the server at its next line of output.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let port = line
        .trim()
        .strip_prefix("listening ")
        .and_then(|p| p.parse().ok())
        .with_context(|| format!("node server said {line:?}, expected \"listening PORT\""))?;
    ServerProcess::started(child, port, "node")
}
