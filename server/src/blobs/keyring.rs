//! Master keys. Each blob has its own random data key; a master key only wraps data keys
//! (AEAD, bound to what the data key protects), so rotating the master key rewrites a few
//! bytes per blob in the database and never touches the objects. Key ids are a fingerprint
//! of the key, stored beside each wrapped key, so that previous keys keep working until
//! `casesync admin blobs rotate-key` has re-wrapped everything.

use std::io::Write;
use std::path::Path;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::config::BlobConfig;

/// The key that encrypts one blob (or one upload's parts).
pub struct DataKey(pub(crate) [u8; 32]);

impl DataKey {
    pub fn random() -> Result<Self, KeyError> {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| KeyError::Random)?;
        Ok(Self(bytes))
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(***)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("blob master key: {0}")]
    Config(String),
    #[error("key file {path}: {cause}")]
    File { path: String, cause: std::io::Error },
    #[error("no master key with id {0} is configured (was it removed from previous_keys?)")]
    UnknownKey(String),
    #[error("a wrapped data key failed authentication (wrong master key or tampered row)")]
    Unwrap,
    #[error("the system random number generator failed")]
    Random,
}

struct MasterKey {
    id: String,
    key: LessSafeKey,
}

impl MasterKey {
    fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KeyError::Config("not valid base64".into()))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            KeyError::Config(format!("must be 32 bytes, found {}", b.len()))
        })?;
        let id = hex::encode(
            &aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes).as_ref()[..8],
        );
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes)
            .map_err(|_| KeyError::Config("rejected by the cipher".into()))?;
        Ok(Self {
            id,
            key: LessSafeKey::new(key),
        })
    }
}

/// The current master key and the previous ones.
pub struct Keyring {
    current: MasterKey,
    previous: Vec<MasterKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current.id)
            .field(
                "previous",
                &self.previous.iter().map(|k| &k.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Keyring {
    /// From `master_key`, or else the key file (generated on first start).
    pub fn load(config: &BlobConfig, data_dir: &Path) -> Result<Self, KeyError> {
        let current = if config.master_key.is_empty() {
            MasterKey::from_base64(&key_file(&config.key_file(data_dir))?)?
        } else {
            MasterKey::from_base64(&config.master_key)?
        };
        let previous = config
            .previous_keys
            .iter()
            .map(|k| MasterKey::from_base64(k))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { current, previous })
    }

    /// A keyring of one key, for tools and tests.
    pub fn from_base64(current: &str) -> Result<Self, KeyError> {
        Ok(Self {
            current: MasterKey::from_base64(current)?,
            previous: vec![],
        })
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Wraps a data key with the current master key, bound to `context` (what it protects):
    /// a wrapped key copied onto another row does not unwrap.
    pub fn wrap(&self, data_key: &DataKey, context: &str) -> Result<(String, Vec<u8>), KeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| KeyError::Random)?;
        let mut sealed = data_key.0.to_vec();
        self.current
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| KeyError::Unwrap)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok((self.current.id.clone(), out))
    }

    pub fn unwrap(&self, key_id: &str, wrapped: &[u8], context: &str) -> Result<DataKey, KeyError> {
        let master = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or_else(|| KeyError::UnknownKey(key_id.to_string()))?;
        if wrapped.len() <= NONCE_LEN {
            return Err(KeyError::Unwrap);
        }
        let (nonce, sealed) = wrapped.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| KeyError::Unwrap)?;
        let mut buf = sealed.to_vec();
        let plain = master
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buf)
            .map_err(|_| KeyError::Unwrap)?;
        let bytes: [u8; 32] = plain.try_into().map_err(|_| KeyError::Unwrap)?;
        Ok(DataKey(bytes))
    }
}

/// A fresh master key as base64 (what `master_key` and the key file hold).
pub fn generate_master_key() -> Result<String, KeyError> {
    Ok(STANDARD.encode(DataKey::random()?.0))
}

/// Reads the key file, creating it (owner-only) with a fresh key when missing.
fn key_file(path: &Path) -> Result<String, KeyError> {
    secret_file(
        path,
        "blob master key",
        "back this file up with the database: without it no blob can be read",
        generate_master_key,
    )
}

/// Reads a secret file, creating it (mode 0600) with what `fresh` makes when missing. The
/// blob master key and the audit chain key are kept this way, outside the database.
pub(crate) fn secret_file(
    path: &Path,
    what: &str,
    advice: &str,
    fresh: impl FnOnce() -> Result<String, KeyError>,
) -> Result<String, KeyError> {
    let failed = |cause| KeyError::File {
        path: path.display().to_string(),
        cause,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok(text),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(failed(e)),
        Err(_) => {}
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    let key = fresh()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(format!("{key}\n").as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(failed)?;
            tracing::warn!(
                path = %path.display(),
                "generated a new {what}; {advice}"
            );
            Ok(key)
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read_to_string(path).map_err(failed)
        }
        Err(e) => Err(failed(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_keys_unwrap_only_in_their_context_and_survive_rotation() {
        let old = generate_master_key().unwrap();
        let ring_old = Keyring::from_base64(&old).unwrap();
        let data = DataKey::random().unwrap();
        let (id, wrapped) = ring_old.wrap(&data, "blob:org/abc").unwrap();
        assert_eq!(
            ring_old.unwrap(&id, &wrapped, "blob:org/abc").unwrap().0,
            data.0
        );
        assert!(ring_old.unwrap(&id, &wrapped, "blob:org/abd").is_err());

        let mut rotated = Keyring::from_base64(&generate_master_key().unwrap()).unwrap();
        assert!(rotated.unwrap(&id, &wrapped, "blob:org/abc").is_err());
        rotated.previous.push(MasterKey::from_base64(&old).unwrap());
        let key = rotated.unwrap(&id, &wrapped, "blob:org/abc").unwrap();
        let (new_id, rewrapped) = rotated.wrap(&key, "blob:org/abc").unwrap();
        assert_ne!(new_id, id);
        assert_eq!(
            rotated
                .unwrap(&new_id, &rewrapped, "blob:org/abc")
                .unwrap()
                .0,
            data.0
        );
    }

    #[test]
    fn refuses_keys_of_the_wrong_size() {
        assert!(MasterKey::from_base64(&STANDARD.encode([1u8; 16])).is_err());
        assert!(MasterKey::from_base64("not base64!").is_err());
    }
}
