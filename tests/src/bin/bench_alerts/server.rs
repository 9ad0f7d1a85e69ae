//! The server under test as a process of its own: `casesync admin ... --json` to enrol, then
//! `casesync serve` on a free loopback port, configured through `CASESYNC_*` variables, its
//! log in a file. Its CPU time and thread count come from `/proc/PID`.

use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// How to run the `casesync` binary against one database.
pub struct Casesync {
    pub bin: PathBuf,
    pub database_url: String,
    pub data_dir: PathBuf,
    /// Extra `CASESYNC_KEY=VALUE` settings (`--set KEY=VALUE`).
    pub settings: Vec<(String, String)>,
}

pub struct ServerProcess {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Casesync {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env("CASESYNC_DATABASE_URL", &self.database_url)
            .env("CASESYNC_DATA_DIR", &self.data_dir)
            .env("CASESYNC_LOG_FORMAT", "json")
            .env("RUST_LOG", "warn");
        for (key, value) in &self.settings {
            cmd.env(format!("CASESYNC_{key}"), value);
        }
        cmd
    }

    /// Runs `casesync admin ARGS --json` and returns what it printed.
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

    /// Starts `casesync serve` and waits until it accepts connections.
    pub fn serve(&self) -> anyhow::Result<ServerProcess> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log = self.data_dir.join("server.log");
        let child = self
            .command()
            .arg("serve")
            .env("CASESYNC_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(File::create(&log)?)
            .spawn()
            .context("start casesync serve")?;
        let server = ServerProcess { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("casesync did not listen on {port} within 60 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }
}

impl ServerProcess {
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn proc_file(&self, name: &str) -> String {
        std::fs::read_to_string(format!("/proc/{}/{name}", self.child.id())).unwrap_or_default()
    }

    /// User plus system CPU time so far.
    pub fn cpu(&self) -> Duration {
        cpu_of(&self.child.id().to_string())
    }

    /// OS threads of the server now (actix workers plus the blocking pool).
    pub fn threads(&self) -> u64 {
        self.proc_file("status")
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Waits until the server used at most one tick of CPU over `window` (its background
    /// work after the last round is over), or `max` passed.
    pub fn wait_quiet(&self, window: Duration, max: Duration) -> bool {
        let deadline = Instant::now() + max;
        let mut before = self.cpu();
        while Instant::now() < deadline {
            std::thread::sleep(window);
            let now = self.cpu();
            if now.saturating_sub(before) <= Duration::from_millis(10) {
                return true;
            }
            before = now;
        }
        false
    }

    /// SIGTERM (live sessions close first), then waits for the exit.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()?;
        if !status.success() {
            bail!("kill -TERM {} failed", self.child.id());
        }
        self.child.wait()?;
        Ok(())
    }
}

/// User plus system CPU time of `/proc/<pid>` (`self` for this process), from its `stat`
/// (ticks of 1/100 s).
pub fn cpu_of(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces: fields resume after its closing parenthesis.
    let ticks = stat.rfind(')').map_or(0, |end| {
        stat[end + 1..]
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|f| f.parse::<u64>().ok())
            .sum()
    });
    Duration::from_millis(ticks * 10)
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
