//! The case document: its shape, its vocabulary, how to check it and how to write it.

pub mod causal;
pub mod edit;
pub mod model;
pub mod records;
pub mod validate;
pub mod values;
pub mod vocabulary;

pub use causal::read_case_causal;
pub use edit::{
    append, missing_record_logs, new_case_document, record_logs_change, set_profile_field, CaseLog,
    EditError, NewCase,
};
pub use model::*;
pub use validate::{read_case, ShapeError};
pub use values::{Millis, Str, Whole};
pub use vocabulary::*;
