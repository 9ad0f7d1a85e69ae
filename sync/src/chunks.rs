//! Changes as peers send them. A batch request carries single changes; an automerge sync
//! message may carry single changes or, when a peer sends much of a document (sync v2), one
//! whole saved document. Admission wants individual changes either way.

use automerge::{Automerge, Change};

use crate::admission::Refusal;

/// Splits chunks into the raw bytes of individual changes.
pub fn changes_from_chunks<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<Vec<u8>>, Refusal> {
    let mut out = Vec::new();
    for (i, chunk) in chunks.into_iter().enumerate() {
        if let Ok(change) = Change::from_bytes(chunk.to_vec()) {
            out.push(change.raw_bytes().to_vec());
            continue;
        }
        let doc = Automerge::load_with_options(
            chunk,
            automerge::LoadOptions::new()
                .on_partial_load(automerge::OnPartialLoad::Error)
                .verification_mode(automerge::VerificationMode::Check),
        )
        .map_err(|e| Refusal::InvalidChanges(format!("chunk {i}: {e}")))?;
        out.extend(
            doc.get_changes(&[])
                .into_iter()
                .map(|c| c.raw_bytes().to_vec()),
        );
    }
    Ok(out)
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
}
