//! The case document: its shape, its vocabulary, how to check it and how to write it.

pub mod causal;
pub mod edit;
pub mod model;
pub mod validate;
pub mod values;
pub mod vocabulary;

pub use causal::read_case_causal;
pub use edit::{append, new_case_document, set_profile_field, CaseLog, EditError, NewCase};
pub use model::*;
pub use validate::{read_case, ShapeError};
pub use values::{Millis, Str, Whole};
pub use vocabulary::*;
