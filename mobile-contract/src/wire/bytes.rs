//! Binary fields on the wire: CBOR byte strings for devices, base64 text when the same types
//! are written as JSON (debugging, tools).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::{Error as _, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serializer};

/// One binary value, whichever way it was written.
struct Encoded(Vec<u8>);

impl<'de> Deserialize<'de> for Encoded {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EncodedVisitor;
        impl<'de> Visitor<'de> for EncodedVisitor {
            type Value = Encoded;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes, or base64 text")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Encoded, E> {
                STANDARD
                    .decode(v.as_bytes())
                    .map(Encoded)
                    .map_err(|_| E::custom("binary field is neither bytes nor base64 text"))
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Encoded, E> {
                Ok(Encoded(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Encoded, E> {
                Ok(Encoded(v))
            }
            // Some encoders write bytes as an array of small integers.
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Encoded, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(Encoded(out))
            }
        }
        d.deserialize_any(EncodedVisitor)
    }
}

pub mod one {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&STANDARD.encode(bytes))
        } else {
            s.serialize_bytes(bytes)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Encoded::deserialize(d).map(|e| e.0)
    }
}

pub mod list {
    use super::*;
    use serde::ser::SerializeSeq;

    pub fn serialize<S: Serializer>(items: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        let readable = s.is_human_readable();
        let mut seq = s.serialize_seq(Some(items.len()))?;
        for item in items {
            if readable {
                seq.serialize_element(&STANDARD.encode(item))?;
            } else {
                seq.serialize_element(&Raw(item))?;
            }
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        let raw = Vec::<Encoded>::deserialize(d)
            .map_err(|_| D::Error::custom("expected a list of bytes"))?;
        Ok(raw.into_iter().map(|e| e.0).collect())
    }

    struct Raw<'a>(&'a [u8]);
    impl serde::Serialize for Raw<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }
}
