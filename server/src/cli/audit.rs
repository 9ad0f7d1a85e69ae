//! `casesync audit verify`: walks the audit chain and reports any altered or removed entry,
//! and a trail rewritten wholesale (its hashes are keyed with the audit chain key, kept
//! outside the database: see `crate::audit::key`). Exits non-zero when the chain is broken,
//! so a cron job or a monitor can alert on it. Needs the server's key (`audit.key` or its
//! key file); it never makes one. The head it prints, kept somewhere else (a ticket, a
//! notary), also shows when the newest entries were removed.

use casesync_schema::access::audit_verify::{check_checkpoint, verify, ChainProblem};
use casesync_schema::open_pool;
use clap::Subcommand;

use crate::blobs::store::BlobStore;
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
    let key = crate::audit::key::load_existing(config)?;
    let store = BlobStore::open(&config.blobs, &config.data_dir)?;
    let checkpoint = crate::audit::checkpoint::read(&store)?;
    let mut conn = pool.get()?;
    let mut report = verify(&mut conn, &key)?;
    if let Some(checkpoint) = &checkpoint {
        check_checkpoint(&mut conn, &key, checkpoint, &mut report)?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} entries, head {} {}, key {}",
            report.entries,
            report.head_seq,
            report.head_hash,
            key.id()
        );
        match &checkpoint {
            Some(c) => println!("last checkpoint: entry {} (written at {} ms)", c.seq, c.at),
            None => {
                println!("no checkpoint in the blob store: the newest entries are not anchored")
            }
        }
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
        ChainProblem::Altered { seq } => {
            format!("entry {seq} was altered (or written without the audit chain key)")
        }
        ChainProblem::Missing { from, to } if from == to => format!("entry {from} was removed"),
        ChainProblem::Missing { from, to } => format!("entries {from} to {to} were removed"),
        ChainProblem::BrokenLink { seq } => {
            format!("entry {seq} does not follow the entry before it")
        }
        ChainProblem::HeadMismatch { head_seq, last_seq } => format!(
            "the chain ends at {last_seq} but its head says {head_seq}: newest entries removed"
        ),
        ChainProblem::Truncated {
            checkpoint_seq,
            head_seq,
        } => format!(
            "the chain ends at {head_seq} but a checkpoint saw entry {checkpoint_seq}: \
             newest entries removed"
        ),
        ChainProblem::CheckpointMismatch { seq } => {
            format!("entry {seq} is not the entry the last checkpoint saw")
        }
        ChainProblem::CheckpointForged => {
            "the checkpoint in the blob store was not made with the audit chain key".into()
        }
    }
}
