//! `casesync exercise start|end|list|report`: a trainer runs a scenario (docs/exercises.md).
//! `start` prints who plays what, writes the printable enrolment sheet (one QR code per
//! participant) and leaves the injects to the server, which plays them on the scenario
//! clock while it serves.

use std::path::PathBuf;
use std::sync::Arc;

use actix_web::web;
use clap::Subcommand;
use maud::{html, Markup, DOCTYPE};

use crate::clock::SystemClock;
use crate::config::Config;
use crate::domain::exercises::{end, report, scenario::Scenario, start};

#[derive(Subcommand)]
pub enum ExerciseCommand {
    /// Start a scenario (`abena`, `qiro`, or a scenario file) against a new training
    /// organisation.
    Start {
        scenario: String,
        /// Scenario minutes per real minute: 1 plays in real time, 10 plays an hour in six
        /// minutes.
        #[arg(long, default_value_t = 1)]
        speed: i64,
        /// Where phones reach the server (the enrolment QR codes carry it).
        #[arg(long)]
        server: Option<String>,
        /// The printable enrolment sheet (HTML); default `exercise-<id>-sheet.html`.
        #[arg(long)]
        sheet: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// End an exercise: its case is erased and its devices revoked, unless `--keep`.
    End {
        id: String,
        #[arg(long)]
        keep: bool,
        #[arg(long)]
        json: bool,
    },
    /// Exercises, running and ended.
    List {
        #[arg(long)]
        json: bool,
    },
    /// The after-action report (the pages show it too, printable).
    Report {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(config: Config, command: ExerciseCommand) -> anyhow::Result<()> {
    let server_url = Some(config.access.public_url.clone())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| format!("http://{}", config.listen));
    actix_web::rt::System::new().block_on(async move {
        let (state, _shutdown) = crate::startup::build_state(config, Arc::new(SystemClock))?;
        // Starting writes the case, whose derived state (checklists, alerts) the workers
        // produce: they run for the command, as in `serve`.
        state.projections.start(&state);
        let worker = state.clone();
        let outcome = web::block(move || run_blocking(&worker, command, &server_url)).await?;
        let stopper = state.clone();
        web::block(move || stopper.projections.stop()).await?;
        outcome
    })
}

fn run_blocking(
    state: &crate::state::AppState,
    command: ExerciseCommand,
    default_server: &str,
) -> anyhow::Result<()> {
    let failed = |e: crate::domain::error::DomainError| anyhow::anyhow!("{e}");
    match command {
        ExerciseCommand::Start {
            scenario,
            speed,
            server,
            sheet,
            json,
        } => {
            let (scenario, text) = Scenario::load(&scenario).map_err(|e| anyhow::anyhow!(e))?;
            let server = server.unwrap_or_else(|| default_server.to_string());
            let started = start::start(state, &scenario, &text, speed, &server).map_err(failed)?;
            let path = sheet.unwrap_or_else(|| {
                PathBuf::from(format!("exercise-{}-sheet.html", &started.exercise.id[..8]))
            });
            std::fs::write(&path, sheet_page(&started, &scenario).into_string())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&started)?);
            } else {
                println!(
                    "Started {} ({}), speed x{}.\nEnrolment sheet: {}\nExercise control: {} / \
                     password {}\nThe server plays the injects while it runs (`casesync \
                     serve`). End with `casesync exercise end {}`.",
                    started.title,
                    started.exercise.id,
                    started.exercise.speed,
                    path.display(),
                    started.control_user,
                    started.control_password,
                    started.exercise.id
                );
                for seat in &started.participants {
                    println!("  {:<28} {:<20} code {}", seat.label, seat.user, seat.code);
                }
            }
        }
        ExerciseCommand::End { id, keep, json } => {
            let ended = end::end(state, &id, keep).map_err(failed)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&ended)?);
            } else {
                println!(
                    "Ended {id}: {} case(s) erased, {} device(s) revoked{}.",
                    ended.cases_erased,
                    ended.devices_revoked,
                    if keep { " (kept)" } else { "" }
                );
            }
        }
        ExerciseCommand::List { json } => {
            let mut conn = state.db().map_err(failed)?;
            let all = casesync_schema::exercises::all(&mut conn)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for e in all {
                    let status = if e.ended_at.is_some() {
                        "ended"
                    } else {
                        "running"
                    };
                    println!("{}  {:<8} x{:<4} {status}", e.id, e.scenario, e.speed);
                }
            }
        }
        ExerciseCommand::Report { id, json } => {
            let report = report::report(state, &id).map_err(failed)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("{} (minute {})", report.title, report.minute);
                for d in &report.deadlines {
                    println!(
                        "  {:?} {:<40} due min {:>5}, by {} min",
                        d.outcome, d.text, d.due_minute, d.by_minutes
                    );
                }
            }
        }
    }
    Ok(())
}

/// The printable sheet: one card per participant, with the QR code their phone scans.
fn sheet_page(started: &start::Started, scenario: &Scenario) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (started.title) " · enrolment" }
                style { (SHEET_CSS) }
            }
            body {
                h1 { (started.title) }
                p.summary { (scenario.summary) }
                p { "Exercise " code { (started.exercise.id) } ", speed x" (started.exercise.speed)
                    ". A training organisation: nothing here is real, nothing is shared." }
                div.cards {
                    @for seat in &started.participants {
                        section.card {
                            h2 { (seat.label) }
                            p { "User " strong { (seat.user) } " · " (seat.role) }
                            img alt={ "Enrolment QR code for " (seat.user) }
                                src={ "data:image/png;base64," (seat.qr_png_base64) };
                            p { "Code " code { (seat.code) } }
                            @if let Some(password) = &seat.password {
                                p { "Pages password " code { (password) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

const SHEET_CSS: &str = "body{font-family:sans-serif;margin:1.5rem}\
.cards{display:flex;flex-wrap:wrap;gap:1rem}\
.card{border:1px solid #888;border-radius:6px;padding:.8rem;width:15rem;break-inside:avoid}\
.card img{width:12rem;height:12rem;image-rendering:pixelated}\
@media print{.card{page-break-inside:avoid}}";
