//! What a device's sync message may not carry, refused before automerge reads it.
//!
//! A message's `have` entries carry Bloom filters of the changes the device has. Automerge
//! 0.12 trusts their parameters: a filter that claims entries but has no bits makes it divide
//! by zero (a panic, found by fuzzing `case_sync`), and one that claims billions of probes
//! makes it reserve memory for each of them, which aborts the process. Automerge itself
//! writes 10 bits per entry and 7 probes; anything a real peer sends is far inside the
//! bounds below.

use automerge::sync;

/// The most probes a filter may ask for: automerge uses 7, and a 1-in-a-million false
/// positive rate needs 20.
const MAX_PROBES: u64 = 64;
/// The most bits per entry: automerge uses 10.
const MAX_BITS_PER_ENTRY: u64 = 64;

/// Why `message` cannot be taken, or `None`.
pub fn unsupported_message(message: &sync::Message) -> Option<String> {
    message.have.iter().enumerate().find_map(|(i, have)| {
        bloom_problem(&have.bloom.to_bytes()).map(|why| format!("have[{i}]: {why}"))
    })
}

/// What is wrong with an encoded Bloom filter: its three LEB128 numbers (entries, bits per
/// entry, probes), then its bits. An empty encoding is the empty filter.
fn bloom_problem(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let mut rest = bytes;
    let mut number = || -> Option<u64> {
        let mut value = 0u64;
        for (i, byte) in rest.iter().enumerate().take(10) {
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                rest = &rest[i + 1..];
                return Some(value);
            }
        }
        None
    };
    let (Some(entries), Some(bits_per_entry), Some(probes)) = (number(), number(), number()) else {
        return Some("a Bloom filter whose parameters do not read".into());
    };
    if entries == 0 {
        return None;
    }
    if rest.is_empty() || bits_per_entry == 0 {
        return Some(format!("a Bloom filter of {entries} entries with no bits"));
    }
    if probes == 0 || probes > MAX_PROBES {
        return Some(format!(
            "a Bloom filter with {probes} probes (1 to {MAX_PROBES})"
        ));
    }
    if bits_per_entry > MAX_BITS_PER_ENTRY {
        return Some(format!(
            "a Bloom filter with {bits_per_entry} bits per entry (at most {MAX_BITS_PER_ENTRY})"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::sync::{self, SyncDoc};
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    use super::*;

    fn leb(mut n: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn filter(entries: u64, bits_per_entry: u64, probes: u64, bits: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        leb(entries, &mut out);
        leb(bits_per_entry, &mut out);
        leb(probes, &mut out);
        out.extend_from_slice(bits);
        out
    }

    #[test]
    fn what_automerge_writes_passes() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "a", 1).unwrap();
        doc.commit();
        let mut peer = sync::State::new();
        let first = doc.sync().generate_sync_message(&mut peer).unwrap();
        assert_eq!(unsupported_message(&first), None);
        assert_eq!(bloom_problem(&filter(3, 10, 7, &[0xff; 4])), None);
        assert_eq!(bloom_problem(&[]), None);
    }

    #[test]
    fn filters_automerge_would_panic_or_abort_on_are_refused() {
        assert!(bloom_problem(&filter(5, 0, 7, &[])).is_some(), "no bits");
        assert!(
            bloom_problem(&filter(5, 10, 0, &[1, 2])).is_some(),
            "no probes"
        );
        assert!(bloom_problem(&filter(5, 10, u32::MAX.into(), &[1; 7])).is_some());
        assert!(bloom_problem(&filter(5, 1000, 7, &[1; 7])).is_some());
        assert!(bloom_problem(&[0x80, 0x80]).is_some(), "truncated numbers");
    }
}
