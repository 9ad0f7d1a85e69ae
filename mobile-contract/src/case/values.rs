//! Scalars read leniently. Official automerge clients differ in how they store the same value:
//! JavaScript writes strings as collaborative text objects and numbers as floats unless told
//! otherwise, Rust writes scalar strings and integers. The case model accepts both so that a
//! phone built on either library produces a valid case.

use automerge::{ObjId, ReadDoc, ScalarValue};
// autosurgeon has its own ReadDoc (implemented for every automerge document) in hydrate bounds.
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Serialize};

/// A string register: a scalar string, or a text object read whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Str(pub String);

impl Str {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl From<String> for Str {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl std::fmt::Display for Str {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Hydrate for Str {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        Ok(Self(s.to_string()))
    }

    fn hydrate_text<D: autosurgeon::ReadDoc>(doc: &D, obj: &ObjId) -> Result<Self, HydrateError> {
        Ok(Self(doc.text(obj)?))
    }
}

impl Reconcile for Str {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    // Registers are written whole (a scalar), never spliced: concurrent edits of one field
    // then stay visible as a conflict instead of interleaving characters.
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.str(&self.0)
    }
}

/// Integers read leniently: JavaScript stores every number as a float unless told otherwise.
macro_rules! lenient_integer {
    ($(#[$doc:meta])* $name:ident, $expected:literal) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl Hydrate for $name {
            fn hydrate_scalar(s: std::borrow::Cow<'_, ScalarValue>) -> Result<Self, HydrateError> {
                match s.as_ref() {
                    ScalarValue::Timestamp(i) => Ok(Self(*i)),
                    other => whole_number(other)
                        .map(Self)
                        .ok_or_else(|| HydrateError::unexpected($expected, format!("{other:?}"))),
                }
            }

            // `Option<T>` (e.g. `next_review`, a checklist step's `at`) hydrates a present
            // value through these, not through `hydrate_scalar`.
            fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
                Self::hydrate_scalar(std::borrow::Cow::Owned(ScalarValue::Int(i)))
            }

            fn hydrate_uint(u: u64) -> Result<Self, HydrateError> {
                Self::hydrate_scalar(std::borrow::Cow::Owned(ScalarValue::Uint(u)))
            }

            fn hydrate_f64(f: f64) -> Result<Self, HydrateError> {
                Self::hydrate_scalar(std::borrow::Cow::Owned(ScalarValue::F64(f)))
            }

            fn hydrate_timestamp(t: i64) -> Result<Self, HydrateError> {
                Self::hydrate_scalar(std::borrow::Cow::Owned(ScalarValue::Timestamp(t)))
            }
        }

        impl Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;

            fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
                reconciler.i64(self.0)
            }
        }
    };
}

lenient_integer!(
    /// A point in time: milliseconds since the Unix epoch (UTC).
    Millis,
    "a time in milliseconds"
);
lenient_integer!(
    /// A whole number: versions, sizes, counts.
    Whole,
    "a whole number"
);

/// A small whole number (versions, ages, counts), lenient like [`Millis`].
pub fn whole_number(s: &ScalarValue) -> Option<i64> {
    match s {
        ScalarValue::Int(i) => Some(*i),
        ScalarValue::Uint(u) => i64::try_from(*u).ok(),
        ScalarValue::F64(f) if f.fract() == 0.0 && f.is_finite() => Some(*f as i64),
        _ => None,
    }
}

/// Reads a value as text whatever its representation (scalar string or text object), the way
/// conflicts and views show values to people.
pub fn display_value<D: ReadDoc>(doc: &D, value: &automerge::Value<'_>, id: &ObjId) -> String {
    match value {
        automerge::Value::Object(automerge::ObjType::Text) => doc.text(id).unwrap_or_default(),
        automerge::Value::Object(_) => "(structured value)".to_string(),
        automerge::Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => s.to_string(),
            ScalarValue::Null => String::new(),
            other => other.to_string(),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};
    use autosurgeon::{hydrate, reconcile, Hydrate, Reconcile};

    use super::*;

    #[derive(Debug, PartialEq, Hydrate, Reconcile)]
    struct Step {
        at: Option<Millis>,
        count: Option<Whole>,
    }

    #[test]
    fn optional_integers_read_back_whatever_wrote_them() {
        let mut doc = AutoCommit::new();
        let written = Step {
            at: Some(Millis(1_795_852_800_000)),
            count: None,
        };
        reconcile(&mut doc, &written).unwrap();
        assert_eq!(hydrate::<_, Step>(&doc).unwrap(), written);
        // A JavaScript client writes numbers as floats.
        doc.put(ROOT, "at", 1_795_852_800_000.0_f64).unwrap();
        doc.put(ROOT, "count", 3.0_f64).unwrap();
        let read: Step = hydrate(&doc).unwrap();
        assert_eq!(read.at, Some(Millis(1_795_852_800_000)));
        assert_eq!(read.count, Some(Whole(3)));
        doc.put(ROOT, "count", 2.5_f64).unwrap();
        assert!(hydrate::<_, Step>(&doc).is_err());
    }
}
