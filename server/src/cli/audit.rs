//! `casesync audit verify`: walks the audit chain and reports any altered or removed entry.
//! Exits non-zero when the chain is broken, so a cron job or a monitor can alert on it.
//! Prints the head hash: kept somewhere else (a ticket, a notary), it also proves that the
//! chain was not rewritten wholesale.

use casesync_schema::access::audit_verify::{verify, ChainProblem};
use casesync_schema::open_pool;
use clap::Subcommand;

use crate::config::Config;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check every entry's hash and link; exit 1 on any altered or removed entry.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(config: &Config, command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Verify { json } = command;
    let (pool, _) = open_pool(&config.database_url(), 1)?;
    let mut conn = pool.get()?;
    let report = verify(&mut conn)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} entries, head {} {}",
            report.entries, report.head_seq, report.head_hash
        );
        for problem in &report.problems {
            println!("{}", describe(problem));
        }
    }
    if report.intact() {
        if !json {
            println!("audit chain intact");
        }
        Ok(())
    } else {
        anyhow::bail!(
            "audit chain broken: {} problem(s) found",
            report.problems.len()
        )
    }
}

fn describe(problem: &ChainProblem) -> String {
    match problem {
        ChainProblem::Altered { seq } => format!("entry {seq} was altered"),
        ChainProblem::Missing { from, to } if from == to => format!("entry {from} was removed"),
        ChainProblem::Missing { from, to } => format!("entries {from} to {to} were removed"),
        ChainProblem::BrokenLink { seq } => {
            format!("entry {seq} does not follow the entry before it")
        }
        ChainProblem::HeadMismatch { head_seq, last_seq } => format!(
            "the chain ends at {last_seq} but its head says {head_seq}: newest entries removed"
        ),
    }
}
