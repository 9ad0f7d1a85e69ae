//! A small infallible CBOR writer for text-keyed maps, shaped like what JS `cbor-x` writes.
//!
//! Written by hand rather than through serde so that encoding cannot fail and the numbers
//! come out the way JS peers expect: cbor-x decodes a 64-bit CBOR integer to a `BigInt`, which
//! breaks arithmetic on timestamps, so (like cbor-x itself) anything beyond 32 bits is
//! written as a float64.

const MAJOR_UNSIGNED: u8 = 0;
const MAJOR_BYTES: u8 = 2;
const MAJOR_TEXT: u8 = 3;
const MAJOR_ARRAY: u8 = 4;
const MAJOR_MAP: u8 = 5;
const FALSE: u8 = 0xf4;
const TRUE: u8 = 0xf5;
const FLOAT64: u8 = 0xfb;

/// The entries of one CBOR map with text keys, in insertion order.
#[derive(Default)]
pub(crate) struct CborMap {
    count: u64,
    body: Vec<u8>,
}

impl CborMap {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        self.count += 1;
        write_text(&mut self.body, key);
        &mut self.body
    }

    pub(crate) fn text(mut self, key: &str, value: &str) -> Self {
        write_text(self.key(key), value);
        self
    }

    pub(crate) fn opt_text(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.text(key, value),
            None => self,
        }
    }

    pub(crate) fn bytes(mut self, key: &str, value: &[u8]) -> Self {
        let out = self.key(key);
        write_head(out, MAJOR_BYTES, value.len() as u64);
        out.extend_from_slice(value);
        self
    }

    pub(crate) fn bool(mut self, key: &str, value: bool) -> Self {
        self.key(key).push(if value { TRUE } else { FALSE });
        self
    }

    pub(crate) fn number(mut self, key: &str, value: u64) -> Self {
        write_number(self.key(key), value);
        self
    }

    pub(crate) fn text_list(mut self, key: &str, values: &[String]) -> Self {
        let out = self.key(key);
        write_head(out, MAJOR_ARRAY, values.len() as u64);
        for value in values {
            write_text(out, value);
        }
        self
    }

    pub(crate) fn map(mut self, key: &str, value: CborMap) -> Self {
        value.write_to(self.key(key));
        self
    }

    fn write_to(self, out: &mut Vec<u8>) {
        write_head(out, MAJOR_MAP, self.count);
        out.extend_from_slice(&self.body);
    }

    /// The encoded map.
    pub(crate) fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 9);
        self.write_to(&mut out);
        out
    }
}

fn write_text(out: &mut Vec<u8>, text: &str) {
    write_head(out, MAJOR_TEXT, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

/// A JS number as cbor-x writes it: an integer up to 32 bits, a float64 beyond (exact up to
/// 2^53, the largest integer a JS number holds exactly).
fn write_number(out: &mut Vec<u8>, value: u64) {
    if value <= u64::from(u32::MAX) {
        write_head(out, MAJOR_UNSIGNED, value);
    } else {
        out.push(FLOAT64);
        out.extend_from_slice(&(value as f64).to_be_bytes());
    }
}

/// A CBOR head in its shortest form (RFC 8949 §3.1).
fn write_head(out: &mut Vec<u8>, major: u8, value: u64) {
    let major = major << 5;
    if value < 24 {
        out.push(major | value as u8);
    } else if let Ok(v) = u8::try_from(value) {
        out.extend_from_slice(&[major | 24, v]);
    } else if let Ok(v) = u16::try_from(value) {
        out.push(major | 25);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = u32::try_from(value) {
        out.push(major | 26);
        out.extend_from_slice(&v.to_be_bytes());
    } else {
        out.push(major | 27);
        out.extend_from_slice(&value.to_be_bytes());
    }
}
