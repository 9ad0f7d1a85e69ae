//! `casesync admin blobs ...`: master key rotation and a fresh key for it.

use casesync_schema::DbConn;
use clap::Subcommand;

use super::keyring::{generate_master_key, Keyring};
use crate::config::Config;

#[derive(Subcommand)]
pub enum BlobsCommand {
    /// Print a fresh random master key (base64), to put in `blobs.master_key`.
    GenerateKey,
    /// Re-wrap every blob's data key with the current master key (`blobs.master_key`, or the
    /// key file), opening old ones with `blobs.previous_keys`. Objects are not rewritten.
    RotateKey {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(config: &Config, conn: &mut DbConn, command: BlobsCommand) -> anyhow::Result<()> {
    match command {
        BlobsCommand::GenerateKey => {
            println!("{}", generate_master_key()?);
            Ok(())
        }
        BlobsCommand::RotateKey { json } => {
            let keys = Keyring::load(&config.blobs, &config.data_dir)?;
            let rotation = super::rotate::rotate(conn, &keys)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rotation)?);
            } else {
                println!(
                    "re-wrapped {} blob keys and {} upload keys with master key {}; \
                     every data key is now wrapped by it, so previous_keys may be removed",
                    rotation.blobs, rotation.uploads, rotation.key_id
                );
            }
            Ok(())
        }
    }
}
