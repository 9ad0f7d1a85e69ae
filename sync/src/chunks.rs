//! Changes as peers send them. A batch request carries single changes; an automerge sync
//! message may carry single changes or, when a peer sends much of a document (sync v2), one
//! whole saved document. Admission wants individual changes either way.

use automerge::Automerge;

use crate::admission::Refusal;
use crate::contain::{change_from_bytes, contain};

/// Splits chunks into the raw bytes of individual changes.
///
/// Changes are split at their chunk boundaries without being applied anywhere: a change may
/// arrive before the changes it depends on (the peer took them for ones we have), and it
/// must reach admission so that it can be held while the missing ones are asked for.
pub fn changes_from_chunks<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<Vec<u8>>, Refusal> {
    let mut out = Vec::new();
    for (i, chunk) in chunks.into_iter().enumerate() {
        if let Some(parts) = change_chunks(chunk) {
            for part in parts {
                let change = change_from_bytes(part.to_vec())
                    .map_err(|e| Refusal::InvalidChanges(format!("chunk {i}: {e}")))?;
                out.push(change.raw_bytes().to_vec());
            }
            continue;
        }
        if let Some(kind) = unaccepted_chunk(chunk) {
            return Err(Refusal::InvalidChanges(format!(
                "chunk {i}: a storage chunk of type {kind}: a peer sends changes or a whole \
                 document, nothing else"
            )));
        }
        let doc = contain("a document", || {
            Automerge::load_with_options(
                chunk,
                automerge::LoadOptions::new()
                    .on_partial_load(automerge::OnPartialLoad::Error)
                    .verification_mode(automerge::VerificationMode::Check),
            )
        })
        .map_err(|e| Refusal::InvalidChanges(format!("chunk {i}: {e}")))?
        .map_err(|e| Refusal::InvalidChanges(format!("chunk {i}: {e}")))?;
        out.extend(
            doc.get_changes(&[])
                .into_iter()
                .map(|c| c.raw_bytes().to_vec()),
        );
    }
    Ok(out)
}

/// The type of the first chunk in `bytes` that is neither a whole document nor a change
/// (automerge's experimental "bundle", type 3, or a type yet to come). Automerge's sync
/// messages never carry one, and loading one decodes lengths it declares without bound: a
/// kilobyte of bundle made the loader allocate gigabytes (found by the `case_doc` fuzz
/// target). Bytes whose chunk headers do not parse are left to automerge, which refuses them.
pub(crate) fn unaccepted_chunk(bytes: &[u8]) -> Option<u8> {
    let mut rest = bytes;
    while !rest.is_empty() {
        let (header, after_type) = rest.split_at_checked(9)?;
        if header[..4] != MAGIC {
            return None;
        }
        if !matches!(header[8], DOCUMENT | CHANGE | COMPRESSED_CHANGE) {
            return Some(header[8]);
        }
        let (length, length_bytes) = uleb128(after_type)?;
        let end = 9usize
            .checked_add(length_bytes)?
            .checked_add(usize::try_from(length).ok()?)?;
        rest = rest.get(end..)?;
    }
    None
}

/// The first bytes of every automerge storage chunk.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// Chunk types of the storage format: a whole document, a change, a compressed change.
const DOCUMENT: u8 = 0;
const CHANGE: u8 = 1;
const COMPRESSED_CHANGE: u8 = 2;

/// The change chunks `bytes` holds back to back (a sync v2 message concatenates the changes
/// it carries into one), or `None` when it holds anything else: a saved document, or bytes
/// that are not chunks at all, which loading then reports.
///
/// A chunk is the magic bytes, a 4-byte checksum, a type byte, the length of its contents
/// as unsigned LEB128, then the contents.
fn change_chunks(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut parts = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (header, after_type) = rest.split_at_checked(9)?;
        if header[..4] != MAGIC || !matches!(header[8], CHANGE | COMPRESSED_CHANGE) {
            return None;
        }
        let (length, length_bytes) = uleb128(after_type)?;
        let end = 9usize
            .checked_add(length_bytes)?
            .checked_add(usize::try_from(length).ok()?)?;
        let (part, next) = rest.split_at_checked(end)?;
        parts.push(part);
        rest = next;
    }
    (!parts.is_empty()).then_some(parts)
}

/// An unsigned LEB128 number at the start of `bytes`, and how many bytes it took.
fn uleb128(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (i, byte) in bytes.iter().enumerate().take(10) {
        let bits = u64::from(byte & 0x7f);
        value |= bits.checked_shl(7 * i as u32)?;
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::AutoCommit;

    #[test]
    fn whole_documents_and_single_changes_both_split() {
        let mut doc = AutoCommit::new();
        doc.put(automerge::ROOT, "a", 1).unwrap();
        doc.commit();
        doc.put(automerge::ROOT, "b", 2).unwrap();
        doc.commit();
        let saved = doc.save();
        let single = doc.get_changes(&[])[0].raw_bytes().to_vec();
        assert_eq!(changes_from_chunks([saved.as_slice()]).unwrap().len(), 2);
        assert_eq!(changes_from_chunks([single.as_slice()]).unwrap().len(), 1);
        assert!(changes_from_chunks([b"garbage".as_slice()]).is_err());
    }

    /// Found by the `case_doc` fuzz target: a bundle chunk of 700 bytes on which automerge's
    /// loader grew past 8 GB. Refused before automerge sees it.
    #[test]
    fn a_bundle_chunk_is_refused_before_it_is_loaded() {
        let input = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fuzz/artifacts-regressions/case_doc/automerge-bundle-grows-without-bound"
        ));
        let chunk = &input[1..]; // the target's header byte
        assert_eq!(unaccepted_chunk(chunk), Some(3));
        let refused = changes_from_chunks([chunk]).unwrap_err();
        assert!(
            matches!(&refused, Refusal::InvalidChanges(why) if why.contains("type 3")),
            "{refused:?}"
        );
        // Behind a whole document, too.
        let mut doc = AutoCommit::new();
        doc.put(automerge::ROOT, "a", 1).unwrap();
        let both = [doc.save(), chunk.to_vec()].concat();
        assert_eq!(unaccepted_chunk(&both), Some(3));
    }

    #[test]
    fn concatenated_changes_split_without_their_dependencies() {
        let mut doc = AutoCommit::new();
        for i in 0..3 {
            doc.put(automerge::ROOT, "n", i).unwrap();
            doc.commit();
        }
        let changes: Vec<Vec<u8>> = doc
            .get_changes(&[])
            .into_iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect();
        // The last two, as a sync v2 message carries them: the first is missing.
        let joined = [changes[1].clone(), changes[2].clone()].concat();
        let split = changes_from_chunks([joined.as_slice()]).unwrap();
        assert_eq!(split, changes[1..].to_vec());
        let mut truncated = joined.clone();
        truncated.pop();
        assert!(changes_from_chunks([truncated.as_slice()]).is_err());
        assert_eq!(uleb128(&[0xe5, 0x8e, 0x26]), Some((624_485, 3)));
    }
}
