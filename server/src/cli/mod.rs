//! The `casesync` command: `serve`, and scriptable administration that prints JSON with
//! `--json`.

mod admin;
mod audit;
mod backup;
pub mod demo;
mod enrolment_sheet;
mod exercise;
mod import;
mod password;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::startup::Application;

#[derive(Parser)]
#[command(
    name = "casesync",
    version,
    about = "Case document sync server for child protection field work"
)]
pub struct Cli {
    /// Configuration file (TOML). Defaults to ./casesync.toml when present.
    #[arg(long, global = true, env = "CASESYNC_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve,
    /// Organisations, sites, users and devices.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// The audit trail: `verify` checks the hash chain.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Back up the database and the blob store into a new folder, while the server serves.
    Backup {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup into an empty database and blob store, then check it.
    Restore {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Training exercises: run a scenario against a training organisation.
    Exercise {
        #[command(subcommand)]
        command: exercise::ExerciseCommand,
    },
    /// Seed a fresh database with a demo organisation, devices and the scenario children.
    Demo {
        #[arg(long)]
        json: bool,
    },
}

pub fn main() -> ExitCode {
    run(std::env::args_os())
}

/// Runs the command line `args` (program name first), as `main` does: tests call it.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::parse_from(args);
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("casesync: configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Serve => serve(config),
        Command::Admin { command } => admin::run(&config, command),
        Command::Audit { command } => audit::run(&config, command),
        Command::Demo { json } => demo::run(config, json),
        Command::Exercise { command } => exercise::run(config, command),
        Command::Backup { dir, json } => backup::backup(&config, &dir, json),
        Command::Restore { dir, json } => backup::restore(&config, &dir, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("casesync: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    crate::telemetry::init(&config.log_format);
    tracing::info!(?config, "starting casesync");
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config)?;
        tracing::info!(port = app.port(), "listening");
        let stopper = app.stopper();
        actix_web::rt::spawn(async move {
            wait_for_signal().await;
            tracing::info!("stopping");
            stopper.stop().await;
        });
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// SIGINT or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
