//! Servers under test as processes of their own, for the benchmarks: the `casesync` binary
//! (`admin ... --json` to enrol devices, `serve` on a free loopback port, configured through
//! `CASESYNC_*` variables), and what `/proc/PID` says of a server: CPU time, threads, memory.

use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

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
        // Simulated phones sync as fast as the machine allows, far above what a person's
        // phone does; the limit itself is tested in tests/tests/e2e/limits.rs.
        cmd.env("CASESYNC_LIMITS__SYNC_REQUESTS_PER_MINUTE", "100000000");
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

    /// Runs `casesync ARGS` to the end; whether it succeeded, and what it printed.
    pub fn run(&self, args: &[&str]) -> anyhow::Result<(bool, String)> {
        let output = self.command().args(args).output().context("run casesync")?;
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        Ok((output.status.success(), text))
    }

    /// Starts `casesync serve`, its log on this process's stderr.
    pub fn serve(&self) -> anyhow::Result<ServerProcess> {
        self.serve_logging_to(Stdio::inherit())
    }

    /// Starts `casesync serve` on a free loopback port, its log (stderr) to `log`, and waits
    /// until it accepts connections.
    pub fn serve_logging_to(&self, log: impl Into<Stdio>) -> anyhow::Result<ServerProcess> {
        let port = free_port()?;
        let child = self
            .command()
            .arg("serve")
            .env("CASESYNC_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("start casesync serve")?;
        ServerProcess::started(child, port, "casesync")
    }

    /// Where a server's log goes when a benchmark keeps it: `server.log` in the data folder.
    pub fn log_file(&self) -> anyhow::Result<(PathBuf, File)> {
        let path = self.data_dir.join("server.log");
        let file = File::create(&path).with_context(|| format!("create {}", path.display()))?;
        Ok((path, file))
    }
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A server process; killed if dropped before [`ServerProcess::stop`].
pub struct ServerProcess {
    child: Child,
    pub port: u16,
    pub name: String,
}

impl ServerProcess {
    /// Takes a started server and waits until it accepts connections on `port`.
    pub fn started(child: Child, port: u16, name: &str) -> anyhow::Result<Self> {
        let server = Self {
            child,
            port,
            name: name.to_string(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("{name} did not listen on {port} within 60 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// User plus system CPU time the process has used.
    pub fn cpu(&self) -> Duration {
        cpu_of(&self.pid().to_string()).unwrap_or_default()
    }

    fn status_field(&self, name: &str) -> Option<u64> {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
    }

    /// OS threads of the server now (actix workers plus the blocking pool).
    pub fn threads(&self) -> u64 {
        self.status_field("Threads:").unwrap_or(0)
    }

    /// Resident memory now and at its peak (VmRSS, VmHWM), in bytes.
    pub fn memory(&self) -> (u64, u64) {
        let bytes = |name| self.status_field(name).map_or(0, |kib| kib * 1024);
        (bytes("VmRSS:"), bytes("VmHWM:"))
    }

    /// Waits until the server used at most one tick of CPU over `window` (its background
    /// work is over), or `max` passed.
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

impl ServerProcess {
    /// SIGKILL: the process dies wherever it is, as in a power cut or an OOM kill. Nothing
    /// it has not committed survives.
    pub fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

/// The `casesync` binary of this build, beside the running program: `target/<profile>/` for
/// a bin of this crate, its parent for a test binary in `target/<profile>/deps/`
/// (`cargo test --workspace` builds it).
pub fn casesync_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("program has no folder")?;
    let candidates = [dir.join("casesync"), dir.join("../casesync")];
    candidates
        .into_iter()
        .find(|b| b.exists())
        .with_context(|| {
            format!(
                "no casesync binary beside {}: build it with `cargo build -p casesync-server`",
                exe.display()
            )
        })
}

/// Waits until `path` holds `needle` (a server's log line), or `max` passes.
pub fn wait_for_line(path: &std::path::Path, needle: &str, max: Duration) -> bool {
    let deadline = Instant::now() + max;
    while Instant::now() < deadline {
        if std::fs::read_to_string(path).is_ok_and(|log| log.contains(needle)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// User plus system CPU time of `/proc/<pid>` (`self` for this process), from its `stat`:
/// utime and stime in clock ticks of 1/100 s (Linux's USER_HZ).
pub fn cpu_of(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; fields resume after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}
