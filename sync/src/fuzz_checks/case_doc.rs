//! Target `case_doc`: a case document from bytes nobody checked, read as the server reads a
//! stored case, and the views it draws from one.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ObjId, ObjType, Prop, ScalarValue, ROOT};
use casesync_contract::case::validate::check_case;
use casesync_contract::case::{read_case, CaseDocument};
use casesync_contract::views::{
    alert_pack, child_status, missing_pack, profile_conflicts, timeline, NoReceipts,
};

use super::fixture::NOW;
use crate::contain::{change_from_bytes, contain};

/// Header bits of a `case_doc` input.
pub(crate) const LOAD: u8 = 0;
pub(crate) const LOAD_INCREMENTAL: u8 = 1;
pub(crate) const JSON: u8 = 2;
pub(crate) const LOAD_CHECKED: u8 = 3;
pub(crate) const TEXT_OBJECTS_BIT: u8 = 0x40;
pub(crate) const FIX_CHECKSUMS_BIT: u8 = 0x80;

/// Reads the bytes after the first as a case document, then draws every view of it.
///
/// The first byte's bits 0-1 say how the rest becomes a document: `0` `Automerge::load` (a
/// saved document, or changes), `1` `load_incremental` into an empty document (stored
/// chunks), `2` a JSON value written into a new document (maps, lists, scalars; strings as
/// text objects, as JavaScript writes them, when bit 6 `0x40` is set), `3` loading as the
/// sync crate loads a whole document a peer sent (verified, no partial load). Bit 7 (`0x80`)
/// first rewrites the checksum of every change chunk to match its contents, so that the
/// fuzzer's mutations get past automerge's checksum test into the parsers behind it.
///
/// Whatever the bytes, loading (a panic of automerge contained, as the server contains it)
/// and [`read_case`] return; a case that reads passes
/// [`check_case`] and its views can be drawn.
pub fn case_doc(data: &[u8]) {
    let Some((&header, rest)) = data.split_first() else {
        return;
    };
    let fixed;
    let bytes = if header & FIX_CHECKSUMS_BIT != 0 {
        fixed = with_change_checksums(rest);
        fixed.as_slice()
    } else {
        rest
    };
    if header & 0x03 != JSON && !admissible(bytes) {
        return;
    }
    // Automerge panics on some malformed bytes (see `crate::contain`): the server contains
    // those panics wherever it loads bytes, and so does this check.
    let load = || match header & 0x03 {
        LOAD => Automerge::load(bytes).ok(),
        LOAD_INCREMENTAL => {
            let mut doc = Automerge::new();
            doc.load_incremental(bytes).ok().map(|_| doc)
        }
        JSON => from_json(bytes, header & TEXT_OBJECTS_BIT != 0),
        _ => Automerge::load_with_options(
            bytes,
            automerge::LoadOptions::new()
                .on_partial_load(automerge::OnPartialLoad::Error)
                .verification_mode(automerge::VerificationMode::Check),
        )
        .ok(),
    };
    let Ok(Some(doc)) = contain("a case document", load) else {
        return;
    };
    match read_case(&doc) {
        Ok(case) => {
            assert_eq!(
                check_case(&case),
                Ok(()),
                "a case that reads fails its check"
            );
            draw_views(&doc, &case);
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

/// Every view the server and the devices draw from a case: the work that follows a stored
/// change.
pub(crate) fn draw_views(doc: &Automerge, case: &CaseDocument) {
    let _ = child_status(&case.episodes);
    let _ = missing_pack(case, "fuzz-reference", NOW);
    let _ = alert_pack(case, "fuzz-reference");
    let _ = timeline(doc, case, &NoReceipts);
    let _ = profile_conflicts(doc, &NoReceipts);
}

/// `bytes` with the checksum of each change chunk (magic, checksum, type 1 or 2, LEB128
/// length, contents) set to what its contents hash to. Anything else is kept as it is.
fn with_change_checksums(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut start = 0;
    while let Some(len) = chunk_len(&out[start..]) {
        let end = start + len;
        let chunk = &out[start..end];
        if matches!(chunk[8], 1 | 2) {
            if let Ok(change) = change_from_bytes(chunk.to_vec()) {
                out[start + 4..start + 8].copy_from_slice(&change.hash().0[..4]);
            }
        }
        start = end;
    }
    out
}

/// Whether admission would let every change chunk of `bytes` through its screen
/// ([`crate::screen`]): storage holds no other, so loading one is not something the server
/// does (automerge's debug assertions abort on some of them, which no check can contain).
fn admissible(bytes: &[u8]) -> bool {
    if crate::chunks::unaccepted_chunk(bytes).is_some() {
        return false; // refused at admission (`changes_from_chunks`): never stored
    }
    let mut rest = bytes;
    while let Some(len) = chunk_len(rest) {
        let (chunk, next) = rest.split_at(len);
        if matches!(chunk[8], 1 | 2) {
            if let Ok(change) = change_from_bytes(chunk.to_vec()) {
                if crate::screen::unsupported_operations(&change).is_some() {
                    return false;
                }
            }
        }
        rest = next;
    }
    true
}

/// The length of the storage chunk at the start of `bytes`, if it holds a whole one.
fn chunk_len(bytes: &[u8]) -> Option<usize> {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    if bytes.get(..4)? != MAGIC {
        return None;
    }
    let mut length: u64 = 0;
    for (i, byte) in bytes.get(9..)?.iter().enumerate().take(10) {
        length |= u64::from(byte & 0x7f).checked_shl(7 * i as u32)?;
        if byte & 0x80 == 0 {
            let total = 10usize
                .checked_add(i)?
                .checked_add(usize::try_from(length).ok()?)?;
            return (total <= bytes.len()).then_some(total);
        }
    }
    None
}

/// A JSON object written into a new document, the way any automerge client could write it.
fn from_json(bytes: &[u8], text_objects: bool) -> Option<Automerge> {
    let serde_json::Value::Object(root) = serde_json::from_slice(bytes).ok()? else {
        return None;
    };
    let mut doc = AutoCommit::new();
    for (key, value) in root {
        write(&mut doc, &ROOT, key.into(), &value, text_objects).ok()?;
    }
    doc.commit();
    Some(doc.document().clone())
}

fn write(
    doc: &mut AutoCommit,
    obj: &ObjId,
    prop: Prop,
    value: &serde_json::Value,
    text_objects: bool,
) -> Result<(), automerge::AutomergeError> {
    use serde_json::Value as J;
    let insert = matches!(prop, Prop::Seq(_));
    let object = |doc: &mut AutoCommit, kind: ObjType| match (&prop, insert) {
        (Prop::Seq(i), true) => doc.insert_object(obj, *i, kind),
        (p, _) => doc.put_object(obj, p.clone(), kind),
    };
    let scalar = |doc: &mut AutoCommit, v: ScalarValue| match &prop {
        Prop::Seq(i) => doc.insert(obj, *i, v),
        p => doc.put(obj, p.clone(), v),
    };
    match value {
        J::Object(map) => {
            let inner = object(doc, ObjType::Map)?;
            for (key, value) in map {
                write(doc, &inner, key.as_str().into(), value, text_objects)?;
            }
        }
        J::Array(items) => {
            let inner = object(doc, ObjType::List)?;
            for (i, value) in items.iter().enumerate() {
                write(doc, &inner, Prop::Seq(i), value, text_objects)?;
            }
        }
        J::String(s) if text_objects => {
            let text = object(doc, ObjType::Text)?;
            doc.splice_text(&text, 0, 0, s)?;
        }
        J::String(s) => scalar(doc, ScalarValue::Str(s.as_str().into()))?,
        J::Bool(b) => scalar(doc, ScalarValue::Boolean(*b))?,
        J::Null => scalar(doc, ScalarValue::Null)?,
        J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => scalar(doc, ScalarValue::Int(i))?,
            (None, Some(u), _) => scalar(doc, ScalarValue::Uint(u))?,
            (None, None, Some(f)) => scalar(doc, ScalarValue::F64(f))?,
            (None, None, None) => {}
        },
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Found by this target: a change chunk whose operations automerge 0.12 panics on while
    /// decoding them (an operation id out of range). The server decodes every change a
    /// device sends with the same function.
    #[test]
    fn a_change_automerge_panics_on_decoding_is_an_error() {
        let input = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fuzz/artifacts-regressions/case_doc/automerge-change-decoding-panics"
        ));
        let mut rest = &input[1..];
        let mut contained = false;
        while let Some(len) = chunk_len(rest) {
            let (chunk, next) = rest.split_at(len);
            if let Err(error) = change_from_bytes(chunk.to_vec()) {
                contained |= error.starts_with("automerge cannot read a change");
            }
            rest = next;
        }
        assert!(contained, "no chunk made automerge panic");
        case_doc(input);
    }
}
