//! Encryption at rest of blob bytes: the plaintext is cut into fixed segments, each sealed
//! with ChaCha20-Poly1305 under the blob's own data key. The nonce is the segment index (the
//! key is never reused for another blob), and the associated data says whether a segment is
//! the last, so that a truncated object fails to open instead of reading as a shorter blob.
//! A range read opens only the segments it needs.
//!
//! Object layout: `seal(segment 0) || seal(segment 1) || ...`, each `len + 16` bytes.

use std::ops::Range;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use super::keyring::DataKey;

/// Plaintext bytes per segment.
pub const SEGMENT: u64 = 64 * 1024;
/// Authentication tag per segment.
pub const TAG: u64 = 16;
const AAD_PREFIX: &[u8] = b"casesync-blob-v1";

#[derive(Debug, thiserror::Error)]
#[error("stored blob bytes failed authentication (corrupted, truncated or wrong key)")]
pub struct Tampered;

fn cipher(key: &DataKey) -> Result<LessSafeKey, Tampered> {
    UnboundKey::new(&CHACHA20_POLY1305, &key.0)
        .map(LessSafeKey::new)
        .map_err(|_| Tampered)
}

/// Segments of a blob of `size` bytes (an empty blob still has one, empty, segment).
pub fn segments(size: u64) -> u64 {
    size.div_ceil(SEGMENT).max(1)
}

/// Size of the stored object for `size` plaintext bytes.
pub fn sealed_len(size: u64) -> u64 {
    size + segments(size) * TAG
}

fn nonce(index: u64) -> Nonce {
    let mut bytes = [0u8; NONCE_LEN];
    bytes[NONCE_LEN - 8..].copy_from_slice(&index.to_be_bytes());
    Nonce::assume_unique_for_key(bytes)
}

fn aad(last: bool) -> [u8; 17] {
    let mut bytes = [0u8; 17];
    bytes[..16].copy_from_slice(AAD_PREFIX);
    bytes[16] = u8::from(last);
    bytes
}

/// The whole object for `plaintext`.
pub fn seal(key: &DataKey, plaintext: &[u8]) -> Result<Vec<u8>, Tampered> {
    let cipher = cipher(key)?;
    let size = plaintext.len() as u64;
    let count = segments(size);
    let mut out = Vec::with_capacity(sealed_len(size) as usize);
    for index in 0..count {
        let start = (index * SEGMENT) as usize;
        let end = (start + SEGMENT as usize).min(plaintext.len());
        let mut segment = plaintext[start..end].to_vec();
        cipher
            .seal_in_place_append_tag(
                nonce(index),
                Aad::from(aad(index + 1 == count)),
                &mut segment,
            )
            .map_err(|_| Tampered)?;
        out.extend_from_slice(&segment);
    }
    Ok(out)
}

/// Which object bytes hold the plaintext `range` of a blob of `size` bytes, and the index of
/// the first segment they start with.
pub fn sealed_range(size: u64, range: &Range<u64>) -> (Range<u64>, u64) {
    let first = range.start / SEGMENT;
    let last = range.end.saturating_sub(1).max(range.start) / SEGMENT;
    let start = first * (SEGMENT + TAG);
    let end = ((last + 1) * (SEGMENT + TAG)).min(sealed_len(size));
    (start..end, first)
}

/// Opens consecutive sealed segments starting at segment `first` of a blob of `size` bytes,
/// returning their plaintext.
pub fn open(key: &DataKey, size: u64, first: u64, sealed: &[u8]) -> Result<Vec<u8>, Tampered> {
    let cipher = cipher(key)?;
    let count = segments(size);
    let mut out = Vec::with_capacity(sealed.len());
    for (index, chunk) in (first..).zip(sealed.chunks((SEGMENT + TAG) as usize)) {
        if index >= count || (chunk.len() as u64) < TAG {
            return Err(Tampered);
        }
        let mut buf = chunk.to_vec();
        let plain = cipher
            .open_in_place(nonce(index), Aad::from(aad(index + 1 == count)), &mut buf)
            .map_err(|_| Tampered)?;
        out.extend_from_slice(plain);
    }
    Ok(out)
}

/// Seals one part of a resumable upload as `nonce || ciphertext`: parts are few and may be
/// re-sent with other bytes at the same offset, so each gets a random nonce.
pub fn seal_part(key: &DataKey, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, Tampered> {
    let mut nonce_bytes = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce_bytes)
        .map_err(|_| Tampered)?;
    let mut buf = plaintext.to_vec();
    cipher(key)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(context.as_bytes()),
            &mut buf,
        )
        .map_err(|_| Tampered)?;
    let mut out = Vec::with_capacity(NONCE_LEN + buf.len());
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&buf);
    Ok(out)
}

pub fn open_part(key: &DataKey, context: &str, sealed: &[u8]) -> Result<Vec<u8>, Tampered> {
    if sealed.len() < NONCE_LEN {
        return Err(Tampered);
    }
    let (nonce_bytes, body) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce_bytes).map_err(|_| Tampered)?;
    let mut buf = body.to_vec();
    let plain = cipher(key)?
        .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buf)
        .map_err(|_| Tampered)?;
    Ok(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn ranges_open_only_their_segments() {
        let key = DataKey::random().unwrap();
        let plain = sample(3 * SEGMENT as usize + 1000);
        let sealed = seal(&key, &plain).unwrap();
        let size = plain.len() as u64;
        assert_eq!(sealed.len() as u64, sealed_len(size));
        for range in [
            0..10,
            SEGMENT - 5..SEGMENT + 5,
            2 * SEGMENT..size,
            size - 1..size,
            0..size,
        ] {
            let (bytes, first) = sealed_range(size, &range);
            let opened = open(
                &key,
                size,
                first,
                &sealed[bytes.start as usize..bytes.end as usize],
            )
            .unwrap();
            let skip = (range.start - first * SEGMENT) as usize;
            let len = (range.end - range.start) as usize;
            assert_eq!(
                &opened[skip..skip + len],
                &plain[range.start as usize..range.end as usize]
            );
        }
    }

    #[test]
    fn truncation_and_tampering_are_detected() {
        let key = DataKey::random().unwrap();
        let plain = sample(2 * SEGMENT as usize + 7);
        let size = plain.len() as u64;
        let sealed = seal(&key, &plain).unwrap();
        // Dropping the last segment: the new last one was sealed as "not last".
        let cut = &sealed[..(SEGMENT + TAG) as usize * 2];
        assert!(open(&key, 2 * SEGMENT, 0, cut).is_err());
        let mut flipped = sealed.clone();
        flipped[100] ^= 1;
        assert!(open(&key, size, 0, &flipped).is_err());
        let other = DataKey::random().unwrap();
        assert!(open(&other, size, 0, &sealed).is_err());
    }

    #[test]
    fn parts_round_trip_in_their_context() {
        let key = DataKey::random().unwrap();
        let sealed = seal_part(&key, "upload:1:0", b"part bytes").unwrap();
        assert_eq!(
            open_part(&key, "upload:1:0", &sealed).unwrap(),
            b"part bytes"
        );
        assert!(open_part(&key, "upload:1:10", &sealed).is_err());
    }
}
