//! The servers under test, each a process of its own so that its CPU time and memory can be
//! read from `/proc`: `casesync serve` (configured through `CASESYNC_*` variables) and the
//! official Node sync server (`ops/bench/node-sync-server.mjs`).

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

pub struct ServerProcess {
    child: Child,
    pub port: u16,
    pub name: String,
}

/// How to start casesync: the binary, the database and a data folder.
#[derive(Clone)]
pub struct Casesync {
    pub binary: PathBuf,
    pub database_url: String,
    pub data_dir: PathBuf,
    /// Extra `CASESYNC_*` settings, e.g. `("IDLE_DOCUMENT_SECS", "2")`.
    pub settings: Vec<(String, String)>,
}

impl Casesync {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.binary);
        cmd.env("CASESYNC_DATABASE_URL", &self.database_url)
            .env("CASESYNC_DATA_DIR", &self.data_dir)
            .env("CASESYNC_LOG_FORMAT", "json")
            .env(
                "RUST_LOG",
                std::env::var("BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            );
        for (key, value) in &self.settings {
            cmd.env(format!("CASESYNC_{key}"), value);
        }
        cmd
    }

    /// Runs `casesync admin ARGS --json` and returns its JSON output.
    pub fn admin(&self, args: &[&str]) -> anyhow::Result<serde_json::Value> {
        let output = self
            .command()
            .arg("admin")
            .args(args)
            .arg("--json")
            .stderr(Stdio::inherit())
            .output()
            .context("run casesync admin")?;
        if !output.status.success() {
            bail!("casesync admin {args:?} failed: {}", output.status);
        }
        Ok(serde_json::from_slice(&output.stdout)?)
    }

    /// Starts `casesync serve` on a free loopback port and waits until it accepts connections.
    pub fn serve(&self) -> anyhow::Result<ServerProcess> {
        let port = free_port()?;
        let child = self
            .command()
            .arg("serve")
            .env("CASESYNC_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("start casesync serve")?;
        let server = ServerProcess {
            child,
            port,
            name: "casesync".into(),
        };
        server.wait_listening()?;
        Ok(server)
    }
}

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
    let server = ServerProcess {
        child,
        port,
        name: "node".into(),
    };
    server.wait_listening()?;
    Ok(server)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl ServerProcess {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_listening(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("{} did not listen on {} within 60 s", self.name, self.port)
    }

    /// User plus system CPU time the process has used.
    pub fn cpu(&self) -> Duration {
        cpu_of(self.pid()).unwrap_or_default()
    }

    /// Resident memory now and at its peak (VmRSS, VmHWM), in bytes.
    pub fn memory(&self) -> (u64, u64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .map_or(0, |kib| kib * 1024)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// SIGTERM, then waits for the process to exit (a graceful stop: the Node server flushes
    /// its storage, casesync closes live sessions). Returns how long the stop took.
    pub fn stop(mut self) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status()?;
        if !status.success() {
            bail!("kill -TERM {} failed", self.pid());
        }
        self.child.wait()?;
        Ok(started.elapsed())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// utime + stime from `/proc/PID/stat`, in clock ticks of 1/100 s (Linux's USER_HZ).
fn cpu_of(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; fields resume after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}
